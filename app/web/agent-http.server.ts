import { createHash, timingSafeEqual } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { ZodError } from "zod";
import { LIMITS, type AgentError } from "#app/agent-protocol/v1.ts";
import { findActiveDeviceByTokenHash } from "#app/models/device.server.ts";
import { createRateLimiter } from "#app/utils/rate-limit.server.ts";
import { TOO_LARGE_HEADERS, readBodyWithin } from "./request-body.server.ts";

/** `{ "error": { code, message, issues? } }` with the right status. */
export function agentError(
  status: number,
  code: AgentError["error"]["code"],
  message: string,
  {
    issues,
    headers,
  }: { issues?: { path: string; message: string }[]; headers?: Record<string, string> } = {},
): Response {
  const body: AgentError = { error: { code, message, ...(issues ? { issues } : {}) } };
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

export function zodIssues(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Per device: state/stream requests, event batches and usage reports, each up to 120 a minute. */
const deviceLimiter = createRateLimiter({ name: "agent.device", limit: 120, windowMs: 60_000 });

export type AuthenticatedDevice = { id: string; workerId: string; enrolledAt: Date };

/**
 * The device behind `Authorization: Bearer <token>`, or a thrown 401 (missing,
 * unknown or revoked token) or 429 (too many requests from this device).
 */
export function requireDevice(
  request: Request,
  purpose: "state" | "events" | "usage",
): Promise<AuthenticatedDevice> {
  return requireDeviceToken(request.headers.get("Authorization"), purpose);
}

/** `requireDevice` from the Authorization header's value (for handlers without a Request). */
export async function requireDeviceToken(
  authorization: string | null | undefined,
  purpose: "state" | "events" | "usage",
): Promise<AuthenticatedDevice> {
  const header = authorization ?? "";
  const match = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header.trim());
  if (!match)
    throw agentError(
      401,
      "unauthorized",
      "Send the device token as Authorization: Bearer <token>.",
    );
  const hash = hashToken(match[1]!);
  const device = await findActiveDeviceByTokenHash(hash);
  // The index lookup finds the row; the constant-time comparison is the check.
  if (!device || !timingSafeEqual(Buffer.from(device.tokenHash, "hex"), Buffer.from(hash, "hex"))) {
    throw agentError(
      401,
      "unauthorized",
      "This device token is unknown or was revoked. Enroll the device again.",
    );
  }
  const verdict = await deviceLimiter.hit(`${purpose}:${device.id}`);
  if (!verdict.allowed) {
    throw agentError(
      429,
      "rate_limited",
      `Too many requests from this device. Try again in ${verdict.retryAfterSeconds} seconds.`,
      {
        headers: { "Retry-After": String(verdict.retryAfterSeconds) },
      },
    );
  }
  return { id: device.id, workerId: device.workerId, enrolledAt: device.createdAt };
}

/**
 * The request body as text, at most `limit` bytes on the wire and after
 * decompression (a batch by default: LIMITS.maxBatchBytes). Throws a 413
 * response beyond that (nothing is read past the limit, and the connection
 * closes with the answer) and a 415 for encodings other than identity and gzip.
 */
export async function readLimitedBody(
  request: Request,
  options: BodyOptions = {},
): Promise<string> {
  return (await readLimitedBodyCounted(request, options)).text;
}

type BodyOptions = { limit?: number; tooLargeMessage?: string };

/**
 * `readLimitedBody`, with the number of bytes read off the wire: the body as
 * sent, gzipped when it came gzipped (what the upload footprint counts).
 */
export async function readLimitedBodyCounted(
  request: Request,
  {
    limit = LIMITS.maxBatchBytes,
    tooLargeMessage = `A batch may be at most ${LIMITS.maxBatchBytes} bytes (uncompressed) and ${LIMITS.maxEventsPerBatch} events.`,
  }: BodyOptions = {},
): Promise<{ text: string; wireBytes: number }> {
  const tooLarge = () =>
    agentError(413, "payload_too_large", tooLargeMessage, { headers: TOO_LARGE_HEADERS });
  const encoding = (request.headers.get("Content-Encoding") ?? "identity").toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw agentError(
      415,
      "unsupported_encoding",
      "Send the body as plain JSON or with Content-Encoding: gzip.",
    );
  }
  const body = await readBodyWithin(request, limit);
  if (!body.ok) throw tooLarge();
  const raw = body.bytes;
  const wireBytes = raw.byteLength;
  if (encoding === "identity") return { text: raw.toString("utf8"), wireBytes };
  try {
    return { text: gunzipSync(raw, { maxOutputLength: limit }).toString("utf8"), wireBytes };
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw tooLarge();
    throw agentError(400, "invalid_request", "The gzip body could not be decompressed.");
  }
}
