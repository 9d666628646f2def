import type { LoaderFunctionArgs } from "@remix-run/node";
import { LIMITS, type AgentState } from "#app/agent-protocol/v1.ts";
import { etagFor, getAgentState, matchesEtag } from "#app/models/agent-state.server.ts";
import { markDeviceSeen } from "#app/models/device.server.ts";
import { agentError, requireDevice } from "#app/utils/agent-http.server.ts";
import { subscribeToWorker } from "#app/utils/state-bus.server.ts";

function stateResponse(state: AgentState): Response {
  return Response.json(state, {
    headers: { ETag: etagFor(state.stateVersion), "Cache-Control": "no-cache" },
  });
}

function notModified(stateVersion: string): Response {
  return new Response(null, {
    status: 304,
    headers: { ETag: etagFor(stateVersion), "Cache-Control": "no-cache" },
  });
}

/** Resolves when the worker's state changes, the wait runs out, or the client goes away. */
function waitForChange(workerId: string, deviceId: string, seconds: number, signal: AbortSignal) {
  return new Promise<"changed" | "timeout" | "revoked">((resolve) => {
    const timer = setTimeout(() => finish("timeout"), seconds * 1000);
    const unsubscribe = subscribeToWorker(workerId, (change) =>
      finish(
        change.revokedDeviceId === deviceId
          ? "revoked"
          : change.revokedDeviceId
            ? "timeout"
            : "changed",
      ),
    );
    const onAbort = () => finish("timeout");
    signal.addEventListener("abort", onAbort);
    function finish(outcome: "changed" | "timeout" | "revoked") {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    }
  });
}

/**
 * GET /api/agent/v1/state: the worker's state with ETag = state version.
 * With If-None-Match naming the current version: 304, or with `?wait=N`
 * (long-poll, N ≤ 60) the answer waits until the state changes.
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

  let state = await getAgentState(device.workerId, new Date());
  if (!state) return agentError(401, "unauthorized", "This device's worker is no longer active.");
  if (matchesEtag(ifNoneMatch, state.stateVersion) && wait > 0) {
    const outcome = await waitForChange(device.workerId, device.id, wait, request.signal);
    if (outcome === "revoked") return agentError(401, "unauthorized", "This device was revoked.");
    if (outcome === "changed") state = await getAgentState(device.workerId, new Date());
    if (!state) return agentError(401, "unauthorized", "This device's worker is no longer active.");
  }
  await markDeviceSeen(device.id, Number(state.stateVersion), new Date());
  if (matchesEtag(ifNoneMatch, state.stateVersion)) return notModified(state.stateVersion);
  return stateResponse(state);
}
