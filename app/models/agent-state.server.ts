import type { AgentState } from "#app/agent-protocol/v1.ts";
import { computeCollectionState } from "#app/domain/collection-state.ts";
import { loadCollectionInputsFor, type WorkerCollectionInputs } from "./collection.server.ts";
import { getPausePolicy } from "./policy.server.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Agents re-check at least this often even when nothing was pushed. */
export const REFRESH_AFTER_SECONDS = 3600;

/**
 * What an agent needs to obey the worker's choices, online or off: the
 * verdict now and every window from now on. The windows cover everything
 * that can be scheduled (the policy's horizon, at least 24 hours), so an
 * unchanged state version means an unchanged schedule. Null for a worker
 * who no longer exists or is deactivated (their agents get 401).
 */
export async function getAgentState(workerId: string, now: Date): Promise<AgentState | null> {
  return (await getAgentStates([workerId], now)).get(workerId) ?? null;
}

/**
 * `getAgentState` for many workers with the same few queries (ADR 0029): a
 * worker missing from the map or mapped to null gets no state.
 */
export async function getAgentStates(
  workerIds: readonly string[],
  now: Date,
): Promise<Map<string, AgentState | null>> {
  const [inputs, policy] = await Promise.all([
    loadCollectionInputsFor(workerIds, now),
    getPausePolicy(),
  ]);
  const horizonMs = Math.max(1, policy.scheduleAheadDays + 1) * DAY_MS;
  const states = new Map<string, AgentState | null>();
  for (const [workerId, worker] of inputs) {
    states.set(workerId, worker.deactivated ? null : toAgentState(worker, now, horizonMs));
  }
  return states;
}

function toAgentState(
  inputs: WorkerCollectionInputs,
  now: Date,
  horizonMs: number,
): AgentState | null {
  const state = computeCollectionState({ ...inputs, now, horizonMs });
  // Never true for an active worker; it narrows the reason to the protocol's list.
  if (state.reason === "deactivated") return null;
  return {
    stateVersion: String(inputs.stateVersion),
    serverTime: now.toISOString(),
    collecting: state.collecting,
    reason: state.reason,
    exemptTypes: state.exemptTypes,
    windows: state.windows.map((w) => ({
      kind: w.kind,
      startsAt: w.startsAt.toISOString(),
      endsAt: w.endsAt.toISOString(),
      scope: w.types ?? ("all" as const),
    })),
    validUntil: new Date(now.getTime() + horizonMs).toISOString(),
    refreshAfterSeconds: REFRESH_AFTER_SECONDS,
    forgets: inputs.forgets.map((f) => ({
      startsAt: f.startsAt.toISOString(),
      endsAt: f.endsAt.toISOString(),
    })),
    privateApps: [...new Set(inputs.privateApps)].sort(),
  };
}

export function etagFor(stateVersion: string): string {
  return `"${stateVersion}"`;
}

/** True when `If-None-Match` names `stateVersion` (or is `*`). */
export function matchesEtag(ifNoneMatch: string | null, stateVersion: string): boolean {
  if (!ifNoneMatch) return false;
  const tag = etagFor(stateVersion);
  return ifNoneMatch
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === tag);
}
