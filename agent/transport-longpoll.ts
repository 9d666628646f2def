/**
 * Follows the worker's state by long-polling GET /state?wait=N with
 * If-None-Match: the server answers 304 when nothing changed within N seconds
 * and 200 with the new state as soon as it changes. The fallback when SSE
 * does not get through (proxies that buffer, or --transport longpoll).
 */
import { LIMITS, type AgentState } from "../app/agent-protocol/v1.ts";
import { apiUrl, authorizedHeaders, errorFromResponse, type FetchLike } from "./api.ts";
import { sleep } from "./backoff.ts";
import { parseStateJson, type FollowEnd, type StateFollowOptions } from "./transport.ts";

/** A 304 faster than this means the server did not hold the request: slow down. */
const TOO_FAST_MS = 1000;
const PAUSE_AFTER_TOO_FAST_MS = 5000;

/** How much longer than the requested wait the agent gives the server to answer. */
export const WAIT_GRACE_MS = 15_000;

export type PollResult = { kind: "changed"; state: AgentState } | { kind: "unchanged" };

/** One request. Without a known version it asks for the full state at once. */
export async function pollState({
  server,
  token,
  knownVersion,
  waitSeconds,
  signal,
  fetchImpl = fetch,
}: {
  server: string;
  token: string;
  knownVersion: string | undefined;
  waitSeconds: number;
  signal: AbortSignal;
  fetchImpl?: FetchLike;
}): Promise<PollResult> {
  const conditional = knownVersion !== undefined;
  const wait = conditional
    ? Math.max(0, Math.min(LIMITS.maxWaitSeconds, Math.floor(waitSeconds)))
    : 0;
  const headers: Record<string, string> = { accept: "application/json" };
  if (conditional) headers["if-none-match"] = `"${knownVersion}"`;
  const response = await fetchImpl(apiUrl(server, `/state${wait > 0 ? `?wait=${wait}` : ""}`), {
    headers: authorizedHeaders(token, headers),
    signal: AbortSignal.any([signal, AbortSignal.timeout(wait * 1000 + WAIT_GRACE_MS)]),
  });
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: "unchanged" };
  }
  if (!response.ok) throw await errorFromResponse(response);
  // The body's stateVersion is the truth; the ETag header repeats it for caches.
  return { kind: "changed", state: parseStateJson(await response.text()) };
}

/**
 * Polls until aborted or `timeLimitMs` passes. Throws on the first failed
 * request; the caller backs off and calls again.
 */
export async function followStateByLongPoll(
  options: StateFollowOptions & { timeLimitMs?: number },
): Promise<{ end: FollowEnd }> {
  const { signal } = options;
  const startedAt = Date.now();
  let knownVersion = options.knownVersion;
  let refreshDueAt = Date.now() + options.refreshAfterMs;
  let connected = false;
  while (!signal.aborted) {
    if (options.timeLimitMs !== undefined && Date.now() - startedAt >= options.timeLimitMs) {
      return { end: "time-limit" };
    }
    const refreshDue = Date.now() >= refreshDueAt;
    const requestedAt = Date.now();
    let result: PollResult;
    try {
      result = await pollState({
        server: options.server,
        token: options.token,
        knownVersion: refreshDue ? undefined : knownVersion,
        // The first request answers at once, so a working connection is known (and reported) at once.
        waitSeconds: connected
          ? Math.min(LIMITS.maxWaitSeconds, Math.max(1, (refreshDueAt - Date.now()) / 1000))
          : 0,
        signal,
        fetchImpl: options.fetchImpl,
      });
    } catch (error) {
      if (signal.aborted) break;
      throw error;
    }
    if (!connected) {
      connected = true;
      options.onConnected();
    }
    if (result.kind === "changed") {
      knownVersion = result.state.stateVersion;
      refreshDueAt = Date.now() + result.state.refreshAfterSeconds * 1000;
      options.onState(result.state);
    } else if (Date.now() - requestedAt < TOO_FAST_MS) {
      await sleep(PAUSE_AFTER_TOO_FAST_MS, signal);
    }
  }
  return { end: "aborted" };
}
