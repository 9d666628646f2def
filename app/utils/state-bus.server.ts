/**
 * In-process notifications that agents' state changed. Only the outbox
 * dispatcher (app/commands/outbox-dispatcher.server.ts) publishes, after the
 * change's transaction committed; the agent state hub
 * (app/web/agent-state-hub.server.ts) listens and pushes to every open
 * stream and long-poll. One process serves all agents (SQLite, one node), so
 * an in-process listener set is the whole fan-out; on several nodes the
 * dispatcher's publish is the seam.
 */
export type StateChange =
  | { workerId: string; revokedDeviceId?: string }
  /** A change that moves every worker's state (the acknowledgement gate, a new notice). */
  | { everyone: true };

type Listener = (change: StateChange) => void;

declare global {
  var __lullStateBus: Set<Listener> | undefined;
}

function listeners(): Set<Listener> {
  globalThis.__lullStateBus ??= new Set();
  return globalThis.__lullStateBus;
}

function publish(change: StateChange) {
  for (const listener of listeners()) listener(change);
}

/** One worker's state changed (or one of their devices was revoked). */
export function publishStateChange(
  workerId: string,
  change: { revokedDeviceId?: string } = {},
): void {
  publish({ workerId, ...change });
}

/** A change that moves every worker's state (the acknowledgement gate, a new notice). */
export function publishStateChangeToEveryone(): void {
  publish({ everyone: true });
}

/** Calls `listener` on every change; returns the unsubscribe function. */
export function subscribeToStateChanges(listener: Listener): () => void {
  listeners().add(listener);
  return () => void listeners().delete(listener);
}
