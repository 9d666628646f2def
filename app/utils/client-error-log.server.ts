/**
 * Client errors in the log (ADR 0019): a 405, a 400 for a body that is not a
 * form, a 413 are the client's doing, so each gets one line, never a stack
 * trace, and anyone can send them by the thousand: at most `linesPerMinute`
 * lines a minute for each kind, then one line saying how many were left out.
 * Unexpected errors are not logged here; they keep their stack trace.
 */

export type ClientErrorLog = { log(kind: string, detail: string): void };

const MAX_DETAIL = 200;

/** One line, printable, bounded: the detail comes from the request and is the client's to choose. */
export function logSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}…` : flat;
}

export function createClientErrorLog({
  linesPerMinute = 10,
  windowMs = 60_000,
  write = (line: string) => console.warn(line),
}: {
  linesPerMinute?: number;
  windowMs?: number;
  write?: (line: string) => void;
} = {}): ClientErrorLog {
  const windows = new Map<string, { logged: number; leftOut: number }>();
  return {
    log(kind, detail) {
      let window = windows.get(kind);
      if (!window) {
        const opened = { logged: 0, leftOut: 0 };
        window = opened;
        windows.set(kind, opened);
        setTimeout(() => {
          windows.delete(kind);
          if (opened.leftOut > 0) {
            write(
              `client error ${kind}: ${opened.leftOut} more in the last minute, not logged one by one`,
            );
          }
        }, windowMs).unref();
      }
      if (window.logged < linesPerMinute) {
        window.logged += 1;
        write(`client error ${kind}: ${logSafe(detail)}`);
      } else {
        window.leftOut += 1;
      }
    },
  };
}

declare global {
  var __lullClientErrorLog: ClientErrorLog | undefined;
}

/** Logs one client error on the process's rate-limited log. `kind` is e.g. "405" or "415 not a form". */
export function logClientError(kind: string, detail: string): void {
  globalThis.__lullClientErrorLog ??= createClientErrorLog();
  globalThis.__lullClientErrorLog.log(kind, detail);
}
