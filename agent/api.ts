/**
 * What every call to the Lull agent API shares: URLs, headers, and turning a
 * non-success response into an error the loops can act on (give up, retry
 * later, or stop because the device was revoked).
 */
import { API_PREFIX, ErrorSchema } from "../app/agent-protocol/v1.ts";
import { parseRetryAfterMs } from "./backoff.ts";
import { AGENT_VERSION } from "./config.ts";

export type FetchLike = typeof fetch;

export const USER_AGENT = `lull-reference-agent/${AGENT_VERSION}`;

/** The server answered 401: the token is unknown or the device was revoked. Never retried. */
export class DeviceRevokedError extends Error {
  constructor(message = "The server no longer accepts this device's token (revoked or unknown).") {
    super(message);
    this.name = "DeviceRevokedError";
  }
}

/** Any other unsuccessful HTTP answer. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly retryAfterMs: number | undefined,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "HttpStatusError";
  }

  /** Worth trying again later with the same request: overload, rate limits, server faults. */
  get isTransient(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** The server answered 2xx with something the protocol does not allow. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

export function apiUrl(server: string, path: string): string {
  return `${server}${API_PREFIX}${path}`;
}

export function authorizedHeaders(token: string, extra: Record<string, string> = {}) {
  return { authorization: `Bearer ${token}`, "user-agent": USER_AGENT, ...extra };
}

/** Reads the error body of an unsuccessful response (best effort) into an error. */
export async function errorFromResponse(
  response: Response,
  now: Date = new Date(),
): Promise<DeviceRevokedError | HttpStatusError> {
  const text = await response.text().catch(() => "");
  let code: string | undefined;
  let message = `HTTP ${response.status} ${response.statusText}`.trim();
  let issues: { path: string; message: string }[] = [];
  try {
    const parsed = ErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      code = parsed.data.error.code;
      message = parsed.data.error.message;
      issues = parsed.data.error.issues ?? [];
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the status line as the message.
  }
  if (response.status === 401) return new DeviceRevokedError(message);
  const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), now);
  return new HttpStatusError(response.status, message, code, retryAfterMs, issues);
}
