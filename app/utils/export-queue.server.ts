import { EventEmitter } from "node:events";

/**
 * "An export was queued": the in-process signal from the request that queues
 * an export to the runner that builds it (app/jobs/export-runner.server.ts).
 * The queue itself is the RecordExport table, so nothing is lost if no
 * runner is listening: the runner picks queued exports up when it starts.
 */
declare global {
  var __lullExportQueue: EventEmitter | undefined;
}

function emitter(): EventEmitter {
  globalThis.__lullExportQueue ??= new EventEmitter();
  return globalThis.__lullExportQueue;
}

export function notifyExportQueued(): void {
  emitter().emit("queued");
}

export function onExportQueued(listener: () => void): () => void {
  emitter().on("queued", listener);
  return () => emitter().off("queued", listener);
}
