import type { LoaderFunctionArgs } from "@remix-run/node";
import { LIMITS, type AgentState } from "#app/agent-protocol/v1.ts";
import { etagFor, getAgentState, matchesEtag } from "#app/models/agent-state.server.ts";
import { markDeviceSeen } from "#app/models/device.server.ts";
import { agentError, requireDevice } from "#app/web/agent-http.server.ts";
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

/**
 * The worker's changes as they happen, from the moment of subscribing: a
 * change that arrives while nobody waits is remembered, so reading the state
 * after subscribing can never miss one.
 */
function watchWorker(workerId: string, deviceId: string) {
  let changed = false;
  let revoked = false;
  let wake: (() => void) | null = null;
  const unsubscribe = subscribeToWorker(workerId, (change) => {
    if (change.revokedDeviceId === deviceId) revoked = true;
    else if (!change.revokedDeviceId) changed = true;
    else return;
    wake?.();
  });
  return {
    unsubscribe,
    get revoked() {
      return revoked;
    },
    /** Resolves true at once if a change came since the last call, else at the next change; false at the deadline or on abort. */
    next(deadline: number, signal: AbortSignal): Promise<boolean> {
      if (changed || revoked) {
        changed = false;
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        const finish = (outcome: boolean) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          wake = null;
          changed = false;
          resolve(outcome);
        };
        const onAbort = () => finish(false);
        const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
        signal.addEventListener("abort", onAbort);
        wake = () => finish(true);
      });
    },
  };
}

/**
 * GET /api/agent/v1/state: the worker's state with ETag = state version.
 * With If-None-Match naming the current version: 304, or with `?wait=N`
 * (long-poll, N ≤ 60) the answer waits until the state changes. It
 * subscribes before it reads, so a change committed in between is never
 * answered with a stale 304 (ADR 0013).
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

  const watch = watchWorker(device.workerId, device.id);
  try {
    let state = await getAgentState(device.workerId, new Date());
    while (state && matchesEtag(ifNoneMatch, state.stateVersion) && Date.now() < deadline) {
      if (!(await watch.next(deadline, request.signal))) break;
      if (watch.revoked) return agentError(401, "unauthorized", "This device was revoked.");
      state = await getAgentState(device.workerId, new Date());
    }
    if (!state) return agentError(401, "unauthorized", "This device's worker is no longer active.");
    await markDeviceSeen(device.id, Number(state.stateVersion), new Date());
    if (matchesEtag(ifNoneMatch, state.stateVersion)) return notModified(state.stateVersion);
    return stateResponse(state);
  } finally {
    watch.unsubscribe();
  }
}
