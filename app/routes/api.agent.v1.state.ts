import type { LoaderFunctionArgs } from "@remix-run/node";
import { LIMITS } from "#app/agent-protocol/v1.ts";
import { etagFor, matchesEtag } from "#app/models/agent-state.server.ts";
import { agentError, requireDevice } from "#app/web/agent-http.server.ts";
import { watchState, type SharedState } from "#app/web/agent-state-hub.server.ts";
import { noteDeviceSeen } from "#app/web/device-seen.server.ts";

function stateResponse(state: SharedState): Response {
  return new Response(state.json, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      ETag: etagFor(String(state.version)),
      "Cache-Control": "no-cache",
    },
  });
}

function notModified(stateVersion: string): Response {
  return new Response(null, {
    status: 304,
    headers: { ETag: etagFor(stateVersion), "Cache-Control": "no-cache" },
  });
}

/**
 * GET /api/agent/v1/state: the worker's state with ETag = state version.
 * With If-None-Match naming the current version: 304, or with `?wait=N`
 * (long-poll, N ≤ 60) the answer waits until the state changes. The state
 * hub (ADR 0029) registers it before it reads, so a change committed in
 * between is never answered with a stale 304, and one read of a change
 * answers all of the worker's waiting agents with the same bytes.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const device = await requireDevice(request, "state");
  const url = new URL(request.url);
  const waitParam = url.searchParams.get("wait");
  const wait = waitParam === null ? 0 : Number(waitParam);
  if (!Number.isInteger(wait) || wait < 0 || wait > LIMITS.maxWaitSeconds) {
    return agentError(
      400,
      "invalid_request",
      `wait must be a whole number of seconds from 0 to ${LIMITS.maxWaitSeconds}.`,
      {
        issues: [{ path: "wait", message: `0–${LIMITS.maxWaitSeconds}` }],
      },
    );
  }
  const ifNoneMatch = request.headers.get("If-None-Match");
  const deadline = Date.now() + wait * 1000;

  const watch = await watchState(device);
  try {
    let state = watch.first;
    while (state && matchesEtag(ifNoneMatch, String(state.version)) && Date.now() < deadline) {
      const wakeup = await watch.next(deadline, request.signal);
      if (!wakeup) break;
      if (wakeup.kind === "revoked")
        return agentError(401, "unauthorized", "This device was revoked.");
      state = wakeup.kind === "state" ? wakeup.state : null;
    }
    if (!state) return agentError(401, "unauthorized", "This device's worker is no longer active.");
    noteDeviceSeen(device.id, state.version, new Date());
    if (matchesEtag(ifNoneMatch, String(state.version))) return notModified(String(state.version));
    return stateResponse(state);
  } finally {
    watch.stop();
  }
}
