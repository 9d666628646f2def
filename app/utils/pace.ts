/**
 * Background work (an import, the outbox, retention) shares the one thread
 * with every request. The SQLite driver answers synchronously, so a loop of
 * awaited queries runs on microtasks alone and never lets the event loop
 * read a socket; and a request needs several turns of the loop (read the
 * body, inflate it, write, answer), so a single turn between long stretches
 * of work still holds it up by a stretch per turn. Requests therefore come
 * first: background work runs in short slices, and between slices it waits
 * for the requests being served to be answered.
 */

/** A request counts as being served for at most this long (streams stay open for hours). */
const SERVING_AT_MOST_MS = 250;
/** Background work waits at most this long for requests between two slices (it must end too). */
const WAIT_FOR_REQUESTS_AT_MOST_MS = 50;

/**
 * Kept on globalThis: the server (server.ts, bundled on its own) counts the
 * requests and the app's build reads the count, so both must see one state.
 */
type Pace = { serving: number; waiters: (() => void)[] };

declare global {
  var __lullPace: Pace | undefined;
}

function pace(): Pace {
  globalThis.__lullPace ??= { serving: 0, waiters: [] };
  return globalThis.__lullPace;
}

/**
 * The server calls this as each request arrives and the returned function
 * when it has been answered (calling it again does nothing).
 */
export function requestStarted(): () => void {
  const p = pace();
  p.serving++;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (--p.serving === 0) {
      const ready = p.waiters;
      p.waiters = [];
      for (const resolve of ready) resolve();
    }
  };
  const timer = setTimeout(finish, SERVING_AT_MOST_MS);
  timer.unref();
  return finish;
}

/** Resolves once no request is being served, or after `atMostMs`. */
function requestsAnswered(atMostMs: number): Promise<void> {
  const p = pace();
  if (p.serving === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, atMostMs);
    p.waiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Between two chunks of background work that must finish soon (a push to
 * every agent): one turn of the event loop for pending I/O, then the
 * requests being served are answered first (at most `atMostMs`), without
 * the pause `pacer` adds to keep the thread half free.
 */
export async function letRequestsGoFirst(atMostMs = WAIT_FOR_REQUESTS_AT_MOST_MS): Promise<void> {
  await yieldToRequests();
  await requestsAnswered(atMostMs);
}

/** One turn of the event loop for requests: pending I/O is read before this resolves. */
export function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * For loops of work items: after every `sliceMs` of work, the returned
 * function pauses for as long as that work ran (the thread stays at most
 * half busy with it), and then until the requests being served have been
 * answered (at most 50 ms); otherwise it resolves at once. Call it between
 * items.
 */
export function pacer(sliceMs = 10): () => Promise<void> {
  let since = performance.now();
  return async () => {
    const worked = performance.now() - since;
    if (worked < sliceMs) return;
    await new Promise((resolve) => setTimeout(resolve, worked));
    await requestsAnswered(WAIT_FOR_REQUESTS_AT_MOST_MS);
    since = performance.now();
  };
}
