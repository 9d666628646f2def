/**
 * The one way Lull reads a request body (ADR 0018): at most a limit of bytes,
 * counted as they arrive, before anything parses them. Forms go through
 * `readForm`/`tryReadForm`; the agent API through `readLimitedBody`
 * (agent-http.server.ts), which uses `readBodyWithin`. test/architecture.test.ts
 * holds that no route reads a body any other way.
 */
import { BODY_LIMITS, describeBytes } from "#app/domain/body-limits.ts";

export type BodyWithin = { ok: true; bytes: Buffer } | { ok: false; reason: "too_large" };

/**
 * The body's bytes if there are at most `limit` of them. A declared
 * Content-Length over the limit is refused before a byte is read; a body
 * without one (chunked) is counted as it arrives and reading stops at the
 * first chunk past the limit. The rest is left unread rather than cancelled
 * (cancelling destroys the connection before the 413 can be sent): answer
 * with `Connection: close` (`TOO_LARGE_HEADERS`) so the server hangs up
 * after the answer instead of reading on.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<BodyWithin> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    return { ok: false, reason: "too_large" };
  }
  if (!request.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks, size) };
}

/** Headers of an answer to a body left unread: the connection ends with the answer. */
export const TOO_LARGE_HEADERS = { Connection: "close", "Cache-Control": "no-store" } as const;

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

export type FormRead =
  { ok: true; form: FormData } | { ok: false; status: 400 | 413 | 415; message: string };

export type FormReadOptions = {
  /** Bytes of body accepted; `BODY_LIMITS.form` unless the route needs more. */
  limit?: number;
  /** What to tell the person when the body is over the limit. */
  tooLargeMessage?: string;
};

/**
 * A form's fields, as a browser sends them (urlencoded or multipart), read
 * within the limit. Anything else is refused with the status and a sentence
 * saying what to do: 415 for another Content-Type (JSON, plain text, none),
 * 413 over the limit, 400 for a body that does not parse as its type says.
 */
export async function tryReadForm(
  request: Request,
  { limit = BODY_LIMITS.form, tooLargeMessage }: FormReadOptions = {},
): Promise<FormRead> {
  const contentType = request.headers.get("Content-Type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(mediaType)) {
    return {
      ok: false,
      status: 415,
      message:
        "Lull only accepts forms as a browser sends them (application/x-www-form-urlencoded or multipart/form-data). Go back to the page and send the form from there.",
    };
  }
  const body = await readBodyWithin(request, limit);
  if (!body.ok) {
    return {
      ok: false,
      status: 413,
      message:
        tooLargeMessage ??
        `This form is larger than Lull accepts (at most ${describeBytes(limit)}). Shorten what you entered and try again.`,
    };
  }
  try {
    const form = await new Response(new Uint8Array(body.bytes), {
      headers: { "Content-Type": contentType },
    }).formData();
    return { ok: true, form };
  } catch {
    return {
      ok: false,
      status: 400,
      message: "Lull could not read this form. Reload the page and send it again.",
    };
  }
}

/** `tryReadForm`, throwing its refusal as a plain-text response (the error page shows it). */
export async function readForm(request: Request, options?: FormReadOptions): Promise<FormData> {
  const read = await tryReadForm(request, options);
  if (read.ok) return read.form;
  throw new Response(read.message, {
    status: read.status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      ...(read.status === 413 ? TOO_LARGE_HEADERS : { "Cache-Control": "no-store" }),
    },
  });
}

/**
 * Remix keeps only cookies from an action's headers, so the entry (documents
 * and `.data` answers alike) ends the connection with any 413 here.
 */
export function closingWhenTooLarge(response: Response): Response {
  if (response.status !== 413 || response.headers.get("Connection") === "close") return response;
  const headers = new Headers(response.headers);
  headers.set("Connection", "close");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
