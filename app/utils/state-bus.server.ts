import { EventEmitter } from "node:events";

/**
 * In-process notifications that agents' state changed. Only the outbox
 * dispatcher (app/commands/outbox-dispatcher.server.ts) publishes, after the
 * change's transaction committed; the SSE and long-poll handlers listen. One
 * process serves all agents (SQLite, one node), so an in-process emitter is
 * the whole fan-out; on several nodes the dispatcher's publish is the seam.
 *
 * Listeners must subscribe *before* they read the state they compare with,
 * so a change committed in between is never missed (ADR 0013).
 */
export type StateChange = { revokedDeviceId?: string };

const EVERYONE = "everyone";

declare global {
  var __lullStateBus: EventEmitter | undefined;
}

function bus(): EventEmitter {
  if (!globalThis.__lullStateBus) {
    globalThis.__lullStateBus = new EventEmitter();
    globalThis.__lullStateBus.setMaxListeners(0);
  }
  return globalThis.__lullStateBus;
}

/** One worker's state changed (or one of their devices was revoked). */
export function publishStateChange(workerId: string, change: StateChange = {}): void {
  bus().emit(`worker:${workerId}`, change);
}

/** A change that moves every worker's state (the acknowledgement gate, a new notice). */
export function publishStateChangeToEveryone(): void {
  bus().emit(EVERYONE, {});
}

/** Calls `listener` on every change for `workerId` (or everyone); returns the unsubscribe function. */
export function subscribeToWorker(
  workerId: string,
  listener: (change: StateChange) => void,
): () => void {
  const channel = `worker:${workerId}`;
  bus().on(channel, listener);
  bus().on(EVERYONE, listener);
  return () => {
    bus().off(channel, listener);
    bus().off(EVERYONE, listener);
  };
}
