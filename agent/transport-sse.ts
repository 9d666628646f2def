/**
 * Follows the worker's state over Server-Sent Events
 * (GET /state/stream). Resolves when the stream ends without an error (see
 * FollowEnd) and throws when it cannot connect or the server misbehaves, so
 * the caller decides when to reconnect.
 */
import { LIMITS } from "../app/agent-protocol/v1.ts";
import { apiUrl, authorizedHeaders, errorFromResponse, ProtocolError } from "./api.ts";
import { SseParser } from "./sse-parser.ts";
import { parseStateJson, type FollowEnd, type StateFollowOptions } from "./transport.ts";

/** Heartbeats come every 60 s; after this much silence the connection is presumed dead. */
export const DEFAULT_IDLE_TIMEOUT_MS = (LIMITS.heartbeatSeconds * 1.5 + 10) * 1000;

export type SseFollowResult = { end: FollowEnd; lastEventId: string };

export async function followStateStream(
  options: StateFollowOptions & { idleTimeoutMs?: number; onHeartbeat?: () => void },
): Promise<SseFollowResult> {
  const { signal, fetchImpl = fetch, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS } = options;
  const connection = new AbortController();
  let end: FollowEnd = "server-closed";
  const closeBecause = (reason: FollowEnd) => {
    end = reason;
    connection.abort();
  };
  const onOuterAbort = () => closeBecause("aborted");
  signal.addEventListener("abort", onOuterAbort, { once: true });
  if (signal.aborted) onOuterAbort();

  let idleTimer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => closeBecause("idle-timeout"), idleTimeoutMs);
  };
  const armRefresh = (ms: number) => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => closeBecause("refresh"), Math.max(1000, ms));
  };

  const parser = new SseParser(options.knownVersion ?? "");
  try {
    const headers: Record<string, string> = {
      accept: "text/event-stream",
      // A compressing proxy or middleware would hold events back until its buffer fills.
      "accept-encoding": "identity",
      "cache-control": "no-cache",
    };
    if (options.knownVersion !== undefined) headers["last-event-id"] = options.knownVersion;
    const response = await fetchImpl(apiUrl(options.server, "/state/stream"), {
      headers: authorizedHeaders(options.token, headers),
      signal: connection.signal,
    });
    if (!response.ok) throw await errorFromResponse(response);
    const contentType = response.headers.get("content-type") ?? "";
    if (!contentType.toLowerCase().startsWith("text/event-stream") || !response.body) {
      await response.body?.cancel();
      throw new ProtocolError(
        `The stream answered ${contentType || "no content type"}, not text/event-stream.`,
      );
    }
    options.onConnected();
    armIdle();
    armRefresh(options.refreshAfterMs);

    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      armIdle();
      for (const item of parser.push(decoder.decode(value, { stream: true }))) {
        if (item.kind === "comment") options.onHeartbeat?.();
        if (item.kind !== "message" || item.message.event !== "state") continue;
        const state = parseStateJson(item.message.data);
        armRefresh(state.refreshAfterSeconds * 1000);
        options.onState(state);
      }
    }
    return { end, lastEventId: parser.lastEventId };
  } catch (error) {
    if (connection.signal.aborted) return { end, lastEventId: parser.lastEventId };
    throw error;
  } finally {
    clearTimeout(idleTimer);
    clearTimeout(refreshTimer);
    signal.removeEventListener("abort", onOuterAbort);
    connection.abort();
  }
}
