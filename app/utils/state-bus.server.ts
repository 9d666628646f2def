/**
 * In-process notifications that agents' state changed. Only the outbox
 * dispatcher (app/commands/outbox-dispatcher.server.ts) publishes, after the
 * change's transaction committed; the agent state hub
 * (app/web/agent-state-hub.server.ts) listens and pushes to every open
 * stream and long-poll. On SQLite one process serves all agents, so the
 * in-process listener set is the whole fan-out; on PostgreSQL every change is
 * also sent to the other nodes (state-fanout.server.ts, LISTEN/NOTIFY), which
 * hand it to their own listeners with `publishLocally`.
 */
export type StateChange =
  | { workerId: string; revokedDeviceId?: string }
  /** A change that moves every worker's state (the acknowledgement gate, a new notice). */
  | { everyone: true };

type Listener = (change: StateChange) => void;

declare global {
  var __lullStateBus: Set<Listener> | undefined;
  /** Sends this node's changes to the other nodes, when several share the database. */
  var __lullStateRemote: ((change: StateChange) => Promise<void>) | undefined;
}

function listeners(): Set<Listener> {
  globalThis.__lullStateBus ??= new Set();
  return globalThis.__lullStateBus;
}

/** Resolves once the other nodes were sent the change (at once when there are none). */
function publish(change: StateChange): Promise<void> {
  publishLocally(change);
  return globalThis.__lullStateRemote?.(change) ?? Promise.resolve();
}

/** Hands a change to this process's listeners only (a change another node made). */
export function publishLocally(change: StateChange): void {
  for (const listener of listeners()) listener(change);
}

/** Where this node's changes go besides its own listeners (set by the fan-out; null to stop). */
export function sendChangesTo(remote: ((change: StateChange) => Promise<void>) | null): void {
  globalThis.__lullStateRemote = remote ?? undefined;
}

/** One worker's state changed (or one of their devices was revoked). */
export function publishStateChange(
  workerId: string,
  change: { revokedDeviceId?: string } = {},
): Promise<void> {
  return publish({ workerId, ...change });
}

/** A change that moves every worker's state (the acknowledgement gate, a new notice). */
export function publishStateChangeToEveryone(): Promise<void> {
  return publish({ everyone: true });
}

/** Calls `listener` on every change; returns the unsubscribe function. */
export function subscribeToStateChanges(listener: Listener): () => void {
  listeners().add(listener);
  return () => void listeners().delete(listener);
}
