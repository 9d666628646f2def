/**
 * Sends one batch to POST /events and says what to do with it next: forget it
 * (uploaded), set it aside (rejected for good), or keep it and try again
 * later with the same batchId (retry). A 401 throws DeviceRevokedError.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { EventBatchResultSchema, LIMITS, type EventBatchResult } from "../app/agent-protocol/v1.ts";
import {
  apiUrl,
  authorizedHeaders,
  DeviceRevokedError,
  errorFromResponse,
  type FetchLike,
} from "./api.ts";
import type { PendingBatch } from "./outbox.ts";

const gzipAsync = promisify(gzip);

/** Bodies above this are gzipped. */
export const GZIP_THRESHOLD_BYTES = 1024;
export const UPLOAD_TIMEOUT_MS = 30_000;

export type UploadOutcome =
  | { kind: "uploaded"; result: EventBatchResult }
  | { kind: "rejected"; status: number; reason: string }
  | { kind: "retry"; reason: string; retryAfterMs?: number | undefined; network: boolean };

/** The exact bytes to send: {batchId, events}, gzipped when over the threshold. */
export async function encodeBatchBody(
  batch: PendingBatch,
  { compress = true }: { compress?: boolean } = {},
): Promise<{ body: Uint8Array<ArrayBuffer>; headers: Record<string, string>; rawBytes: number }> {
  const json = Buffer.from(JSON.stringify({ batchId: batch.batchId, events: batch.events }));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (compress && json.byteLength > GZIP_THRESHOLD_BYTES) {
    headers["content-encoding"] = "gzip";
    return { body: new Uint8Array(await gzipAsync(json)), headers, rawBytes: json.byteLength };
  }
  return { body: new Uint8Array(json), headers, rawBytes: json.byteLength };
}

export async function uploadBatch({
  server,
  token,
  batch,
  signal,
  fetchImpl = fetch,
}: {
  server: string;
  token: string;
  batch: PendingBatch;
  signal: AbortSignal;
  fetchImpl?: FetchLike;
}): Promise<UploadOutcome> {
  if (batch.events.length > LIMITS.maxEventsPerBatch) {
    return { kind: "rejected", status: 0, reason: `more than ${LIMITS.maxEventsPerBatch} events` };
  }
  const send = async (compress: boolean) => {
    const { body, headers, rawBytes } = await encodeBatchBody(batch, { compress });
    if (rawBytes > LIMITS.maxBatchBytes) return null;
    return fetchImpl(apiUrl(server, "/events"), {
      method: "POST",
      headers: authorizedHeaders(token, headers),
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(UPLOAD_TIMEOUT_MS)]),
    });
  };

  let response: Response | null;
  try {
    response = await send(true);
    // A server that cannot read gzip says so with 415; plain JSON is always understood.
    if (response?.status === 415) {
      await response.body?.cancel();
      response = await send(false);
    }
  } catch (error) {
    return { kind: "retry", reason: describeNetworkError(error), network: true };
  }
  if (response === null) {
    return { kind: "rejected", status: 0, reason: `larger than ${LIMITS.maxBatchBytes} bytes` };
  }

  if (response.ok) {
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      return { kind: "retry", reason: describeNetworkError(error), network: true };
    }
    const parsed = EventBatchResultSchema.safeParse(json);
    if (!parsed.success || parsed.data.batchId !== batch.batchId) {
      // Keep the batch: resending it is harmless (same batchId), losing it is not.
      return {
        kind: "retry",
        reason: "the server's answer was not an EventBatchResult",
        network: false,
      };
    }
    return { kind: "uploaded", result: parsed.data };
  }

  const error = await errorFromResponse(response);
  if (error instanceof DeviceRevokedError) throw error;
  if (
    error.status === 400 ||
    error.status === 413 ||
    error.status === 415 ||
    error.status === 422
  ) {
    const issues = error.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    return {
      kind: "rejected",
      status: error.status,
      reason: issues ? `${error.message} (${issues})` : error.message,
    };
  }
  return {
    kind: "retry",
    reason: `HTTP ${error.status}${error.code ? ` ${error.code}` : ""}: ${error.message}`,
    retryAfterMs: error.retryAfterMs,
    network: false,
  };
}

export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    return `${error.name === "TimeoutError" ? "timed out" : error.message}${detail}`;
  }
  return String(error);
}
