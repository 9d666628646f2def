/**
 * The agents' open state streams in this process, so none can pile up: a
 * device holds at most LIMITS.maxStreamsPerDevice and a worker at most
 * LIMITS.maxStreamsPerWorker; a new stream past either closes the oldest.
 * (An agent that reconnects while its old connection is half-open replaces
 * it; a device opening stream after stream holds only the last ones.)
 */
import { LIMITS } from "#app/agent-protocol/v1.ts";

type Open = { close: () => void };

declare global {
  var __lullOpenStreams:
    { byDevice: Map<string, Open[]>; byWorker: Map<string, Open[]> } | undefined;
}

function registry() {
  globalThis.__lullOpenStreams ??= { byDevice: new Map(), byWorker: new Map() };
  return globalThis.__lullOpenStreams;
}

function remove(map: Map<string, Open[]>, key: string, stream: Open) {
  const list = map.get(key);
  if (!list) return;
  const at = list.indexOf(stream);
  if (at !== -1) list.splice(at, 1);
  if (list.length === 0) map.delete(key);
}

function add(map: Map<string, Open[]>, key: string, stream: Open, max: number): Open[] {
  const list = map.get(key) ?? [];
  list.push(stream);
  map.set(key, list);
  return list.length > max ? list.slice(0, list.length - max) : [];
}

/** Registers an open stream; returns what to call when it closes. Closes the oldest past a cap. */
export function streamOpened(deviceId: string, workerId: string, close: () => void): () => void {
  const { byDevice, byWorker } = registry();
  const stream: Open = { close };
  const forget = () => {
    remove(byDevice, deviceId, stream);
    remove(byWorker, workerId, stream);
  };
  const oldest = new Set([
    ...add(byDevice, deviceId, stream, LIMITS.maxStreamsPerDevice),
    ...add(byWorker, workerId, stream, LIMITS.maxStreamsPerWorker),
  ]);
  for (const old of oldest) old.close();
  return forget;
}
