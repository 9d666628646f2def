import { EventEmitter } from "node:events";

/**
 * In-process notifications that a worker's agent state changed (a pause
 * started, ended, was scheduled or cancelled; a device was revoked).
 * Published after the change's transaction commits; the SSE and long-poll
 * handlers listen. One process serves all agents (SQLite, one node), so an
 * in-process emitter is the whole fan-out.
 */
export type StateChange = { workerId: string; revokedDeviceId?: string };

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

export function publishStateChange(change: StateChange): void {
  bus().emit(`worker:${change.workerId}`, change);
}

/** Calls `listener` on every change for `workerId`; returns the unsubscribe function. */
export function subscribeToWorker(
  workerId: string,
  listener: (change: StateChange) => void,
): () => void {
  const channel = `worker:${workerId}`;
  bus().on(channel, listener);
  return () => bus().off(channel, listener);
}
