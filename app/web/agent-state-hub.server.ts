/**
 * One state per worker version, shared by all of that worker's agents (ADR
 * 0029). Every open state stream and waiting long-poll is registered here,
 * by worker; a change is read once for the worker and the same serialised
 * bytes go to each of their agents. A change that moves everyone's state is
 * read in chunks of workers with set-based queries and sent out in the order
 * the workers connected, yielding to requests between chunks; a single
 * worker's change goes ahead of such a broadcast.
 *
 * No change is missed: a stream or long-poll registers *before* it reads the
 * state it starts from, so a change committed in between is pushed to it
 * (ADR 0013); a stream never sends a version older than one it sent.
 */
import { LIMITS, type AgentState } from "#app/agent-protocol/v1.ts";
import { getAgentStates } from "#app/models/agent-state.server.ts";
import { letRequestsGoFirst } from "#app/utils/pace.ts";
import { subscribeToStateChanges, type StateChange } from "#app/utils/state-bus.server.ts";
import { noteDeviceSeen } from "./device-seen.server.ts";
import { streamOpened } from "./open-streams.server.ts";

/** A worker's state as every agent of theirs receives it. */
export type SharedState = {
  version: number;
  state: AgentState;
  /** GET /state's body. */
  json: string;
  /** The SSE event. */
  event: Uint8Array;
};

/** Where a stream's bytes go (the HTTP response). */
export type StreamSink = { write(bytes: Uint8Array): void; close(): void };

type Stream = {
  deviceId: string;
  sink: StreamSink;
  /** The version the agent has: the last one sent, or the one it named on reconnecting. */
  lastEventId: string | null;
  lastVersion: number;
  closed: boolean;
  forgetCap: () => void;
};

/** What a waiting long-poll learns. */
export type Wakeup = { kind: "state"; state: SharedState } | { kind: "revoked" } | { kind: "gone" };

type Waiter = { deviceId: string; notify: (wakeup: Wakeup) => void };

type Entry = {
  workerId: string;
  streams: Set<Stream>;
  waiters: Set<Waiter>;
  /** Moves on every change for this worker: a read taken at an older epoch may be stale. */
  epoch: number;
  cached: { epoch: number; at: number; value: SharedState | null } | null;
  reading: { epoch: number; promise: Promise<SharedState | null> } | null;
};

/** A state read for new connections is reused this long, unless a change came meanwhile. */
const FRESH_FOR_MS = 1000;
/** Workers read with one set of queries when a change moves many (≈30 ms a chunk). */
const WORKERS_PER_READ = 125;

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(":\n\n");

export function shareState(state: AgentState): SharedState {
  const json = JSON.stringify(state);
  return {
    version: Number(state.stateVersion),
    state,
    json,
    event: encoder.encode(`event: state\nid: ${state.stateVersion}\ndata: ${json}\n\n`),
  };
}

type QueuedRead = {
  entry: Entry;
  epoch: number;
  resolve: (value: SharedState | null) => void;
  reject: (error: unknown) => void;
};

type Hub = {
  entries: Map<string, Entry>;
  /** New connections' reads, done together on the next turn of the event loop. */
  reads: QueuedRead[];
  readScheduled: boolean;
  urgent: Set<string>;
  broadcast: Set<string>;
  pumping: boolean;
  heartbeat: NodeJS.Timeout | null;
  streams: number;
};

declare global {
  var __lullStateHub: Hub | undefined;
}

function hub(): Hub {
  if (!globalThis.__lullStateHub) {
    globalThis.__lullStateHub = {
      entries: new Map(),
      reads: [],
      readScheduled: false,
      urgent: new Set(),
      broadcast: new Set(),
      pumping: false,
      heartbeat: null,
      streams: 0,
    };
    subscribeToStateChanges(onChange);
  }
  return globalThis.__lullStateHub;
}

function onChange(change: StateChange) {
  const h = hub();
  if ("everyone" in change) {
    for (const entry of h.entries.values()) {
      entry.epoch++;
      if (!h.urgent.has(entry.workerId)) h.broadcast.add(entry.workerId);
    }
  } else {
    const entry = h.entries.get(change.workerId);
    if (!entry) return;
    if (change.revokedDeviceId) return revokeDevice(entry, change.revokedDeviceId);
    entry.epoch++;
    h.broadcast.delete(entry.workerId);
    h.urgent.add(entry.workerId);
  }
  if (!h.pumping) void pump();
}

function revokeDevice(entry: Entry, deviceId: string) {
  for (const stream of entry.streams) if (stream.deviceId === deviceId) closeStream(entry, stream);
  for (const waiter of entry.waiters) {
    if (waiter.deviceId === deviceId) waiter.notify({ kind: "revoked" });
  }
}

function take(set: Set<string>, max: number): string[] {
  const taken: string[] = [];
  for (const id of set) {
    set.delete(id);
    taken.push(id);
    if (taken.length === max) break;
  }
  return taken;
}

/** Reads and sends pending changes, a chunk of workers at a time, single workers first. */
async function pump() {
  const h = hub();
  h.pumping = true;
  try {
    while (h.urgent.size > 0 || h.broadcast.size > 0) {
      const chunk = take(h.urgent.size > 0 ? h.urgent : h.broadcast, WORKERS_PER_READ);
      const epochs = new Map(chunk.map((id) => [id, h.entries.get(id)?.epoch ?? 0]));
      let states: Map<string, AgentState | null>;
      try {
        states = await getAgentStates(chunk, new Date());
      } catch (error) {
        // Their agents reconnect and read again; nothing is left half-sent.
        console.error("state hub:", error instanceof Error ? error.message : error);
        for (const id of chunk) {
          const entry = h.entries.get(id);
          if (entry) for (const stream of entry.streams) closeStream(entry, stream);
        }
        continue;
      }
      const at = Date.now();
      for (const id of chunk) {
        const entry = h.entries.get(id);
        if (!entry) continue;
        const state = states.get(id);
        const value = state ? shareState(state) : null;
        entry.cached = { epoch: epochs.get(id)!, at, value };
        deliver(entry, value);
      }
      // Requests (pages, uploads, new connections) go first between chunks.
      await letRequestsGoFirst();
    }
  } finally {
    h.pumping = false;
  }
}

function deliver(entry: Entry, value: SharedState | null) {
  for (const stream of entry.streams) {
    if (value) offer(stream, value);
    else closeStream(entry, stream);
  }
  for (const waiter of entry.waiters)
    waiter.notify(value ? { kind: "state", state: value } : { kind: "gone" });
}

/**
 * Sends `value` unless the agent has it: before anything was sent, any
 * version but the one it named on reconnecting; after, only newer ones.
 * True when sent.
 */
function offer(stream: Stream, value: SharedState): boolean {
  if (stream.closed) return false;
  const isNew =
    stream.lastVersion < 0
      ? String(value.version) !== stream.lastEventId
      : value.version > stream.lastVersion;
  if (!isNew) return false;
  stream.lastVersion = value.version;
  stream.lastEventId = String(value.version);
  stream.sink.write(value.event);
  noteDeviceSeen(stream.deviceId, value.version, new Date());
  return true;
}

function entryFor(workerId: string): Entry {
  const h = hub();
  let entry = h.entries.get(workerId);
  if (!entry) {
    entry = {
      workerId,
      streams: new Set(),
      waiters: new Set(),
      epoch: 0,
      cached: null,
      reading: null,
    };
    h.entries.set(workerId, entry);
  }
  return entry;
}

function dropIfUnused(entry: Entry) {
  if (entry.streams.size === 0 && entry.waiters.size === 0) {
    const h = hub();
    if (h.entries.get(entry.workerId) === entry) h.entries.delete(entry.workerId);
  }
}

/**
 * The worker's state for a new connection: one read shared by everyone
 * asking at once, and connections of many workers arriving together (agents
 * reconnecting after a restart) read in chunks with the same set-based
 * queries as a broadcast.
 */
function current(entry: Entry): Promise<SharedState | null> {
  const { cached, reading, epoch } = entry;
  if (cached && cached.epoch === epoch && Date.now() - cached.at < FRESH_FOR_MS) {
    return Promise.resolve(cached.value);
  }
  if (reading && reading.epoch === epoch) return reading.promise;
  const h = hub();
  const promise = new Promise<SharedState | null>((resolve, reject) => {
    h.reads.push({ entry, epoch, resolve, reject });
  });
  entry.reading = { epoch, promise };
  if (!h.readScheduled) {
    h.readScheduled = true;
    setImmediate(() => void readQueued());
  }
  return promise;
}

async function readQueued() {
  const h = hub();
  const batch = h.reads.splice(0, WORKERS_PER_READ);
  if (h.reads.length > 0) setImmediate(() => void readQueued());
  else h.readScheduled = false;
  const done = (read: QueuedRead) => {
    if (read.entry.reading?.epoch === read.epoch) read.entry.reading = null;
  };
  let states: Map<string, AgentState | null>;
  try {
    states = await getAgentStates(
      batch.map((r) => r.entry.workerId),
      new Date(),
    );
  } catch (error) {
    for (const read of batch) {
      done(read);
      read.reject(error);
    }
    return;
  }
  const at = Date.now();
  for (const read of batch) {
    const state = states.get(read.entry.workerId);
    const value = state ? shareState(state) : null;
    if (read.entry.epoch === read.epoch) read.entry.cached = { epoch: read.epoch, at, value };
    done(read);
    read.resolve(value);
  }
}

function closeStream(entry: Entry, stream: Stream) {
  if (stream.closed) return;
  stream.closed = true;
  entry.streams.delete(stream);
  stream.forgetCap();
  const h = hub();
  h.streams--;
  if (h.streams === 0 && h.heartbeat) {
    clearInterval(h.heartbeat);
    h.heartbeat = null;
  }
  dropIfUnused(entry);
  stream.sink.close();
}

function startHeartbeat() {
  const h = hub();
  h.streams++;
  if (h.heartbeat) return;
  // One timer for every stream: a comment line each minute keeps proxies from closing them.
  h.heartbeat = setInterval(() => {
    const stale = Date.now() - FRESH_FOR_MS;
    for (const entry of h.entries.values()) {
      for (const stream of entry.streams) stream.sink.write(HEARTBEAT);
      // A read older than a second is never reused: no need to hold it (≈2 KB a worker).
      if (entry.cached && entry.cached.at < stale) entry.cached = null;
    }
  }, LIMITS.heartbeatSeconds * 1000);
  h.heartbeat.unref();
}

/**
 * Opens a device's state stream into `sink`: the current state at once
 * (unless `lastEventId` names it), then every newer version as it comes.
 * "gone" when the worker is deactivated or missing (nothing was written).
 * The returned `close` ends the stream (the client went away).
 */
export async function openStateStream(
  device: { id: string; workerId: string },
  sink: StreamSink,
  lastEventId: string | null,
): Promise<{ ok: true; close: () => void } | { ok: false; reason: "gone" }> {
  const entry = entryFor(device.workerId);
  const stream: Stream = {
    deviceId: device.id,
    sink,
    lastEventId,
    lastVersion: -1,
    closed: false,
    forgetCap: () => {},
  };
  entry.streams.add(stream);
  startHeartbeat();
  // At most a few streams per device (and per worker): past that, the oldest closes.
  stream.forgetCap = streamOpened(device.id, device.workerId, () => closeStream(entry, stream));
  let value: SharedState | null;
  try {
    value = await current(entry);
  } catch (error) {
    closeStream(entry, stream);
    throw error;
  }
  if (!value) {
    closeStream(entry, stream);
    return { ok: false, reason: "gone" };
  }
  if (!offer(stream, value) && !stream.closed) {
    noteDeviceSeen(device.id, value.version, new Date());
  }
  return { ok: true, close: () => closeStream(entry, stream) };
}

/**
 * For a long-poll: the worker's current state now, and a way to wait for
 * the next change. It registers before it reads, so a change committed in
 * between wakes the next `next` at once.
 */
export async function watchState(device: { id: string; workerId: string }) {
  const entry = entryFor(device.workerId);
  let mailbox: Wakeup | null = null;
  let wake: (() => void) | null = null;
  const waiter: Waiter = {
    deviceId: device.id,
    notify: (wakeup) => {
      // A revocation or a departure stays; a newer state replaces an older one.
      if (mailbox?.kind === "revoked" || mailbox?.kind === "gone") return;
      mailbox = wakeup;
      wake?.();
    },
  };
  entry.waiters.add(waiter);
  const stop = () => {
    entry.waiters.delete(waiter);
    dropIfUnused(entry);
  };
  let first: SharedState | null;
  try {
    first = await current(entry);
  } catch (error) {
    stop();
    throw error;
  }
  return {
    first,
    /** The next thing that happened since the last call, or null at the deadline or on abort. */
    next(deadline: number, signal: AbortSignal): Promise<Wakeup | null> {
      const ready = (): Wakeup | null => {
        const got = mailbox;
        if (got?.kind === "state") mailbox = null;
        return got;
      };
      const now = ready();
      if (now || signal.aborted) return Promise.resolve(now);
      return new Promise((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", finish);
          wake = null;
          resolve(ready());
        };
        const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
        signal.addEventListener("abort", finish);
        wake = finish;
      });
    },
    stop,
  };
}

/** Open streams and waiting long-polls in this process (for health and benchmarks). */
export function hubStats() {
  const h = hub();
  let waiters = 0;
  for (const entry of h.entries.values()) waiters += entry.waiters.size;
  return { workers: h.entries.size, streams: h.streams, waiters };
}
