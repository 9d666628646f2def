/**
 * Agents' state changes across nodes on PostgreSQL (issue 18): every node
 * LISTENs on one channel on a connection of its own, and sends the changes
 * its outbox dispatcher publishes (after their commit) with NOTIFY. A node
 * hands the changes of the others to its own listeners (the agent state hub),
 * so an agent streaming from node B hears of a pause made on node A.
 *
 * A lost listening connection is re-opened (after 0.25 s, then up to every
 * 5 s); once listening again the node re-reads the state of every open stream
 * and long-poll (a change for everyone), since changes sent meanwhile were
 * missed. No sticky sessions are needed.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { z } from "zod";
import { getEnv } from "./env.server.ts";
import { publishLocally, sendChangesTo, type StateChange } from "./state-bus.server.ts";

export const STATE_CHANNEL = "lull_state_changes";
/** NOTIFY payloads must stay under 8,000 bytes. */
const MAX_PAYLOAD_BYTES = 7_000;
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5_000;

const Change = z.union([
  z.object({ everyone: z.literal(true) }),
  z.object({
    workerId: z.string().min(1).max(100),
    revokedDeviceId: z.string().max(100).optional(),
  }),
]);
const Message = z.object({ from: z.string(), changes: z.array(Change) });

export type FanoutStatus = "single-node" | "listening" | "reconnecting" | "stopped";

type Fanout = {
  node: string;
  status: FanoutStatus;
  client?: pg.Client;
  pending: { change: StateChange; sent: () => void; failed: (error: Error) => void }[];
  flushing: boolean;
  retryMs: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  /** Resolves when listening (for the first time, or again after a reconnection). */
  listening: Promise<void>;
  markListening: () => void;
};

declare global {
  var __lullFanout: Fanout | undefined;
}

/** This node's part in the fan-out: whether it listens now. */
export function stateFanoutStatus(): FanoutStatus {
  return globalThis.__lullFanout?.status ?? "single-node";
}

/**
 * Starts listening and sending (PostgreSQL only; SQLite has one node). Resolves once
 * listening. Idempotent.
 */
export async function startStateFanout(databaseUrl = getEnv().DATABASE_URL): Promise<void> {
  if (globalThis.__lullFanout && !globalThis.__lullFanout.stopped) {
    return globalThis.__lullFanout.listening;
  }
  let markListening!: () => void;
  const fanout: Fanout = {
    node: randomUUID(),
    status: "reconnecting",
    pending: [],
    flushing: false,
    retryMs: RECONNECT_FIRST_MS,
    stopped: false,
    listening: new Promise<void>((resolve) => (markListening = resolve)),
    markListening: () => markListening(),
  };
  globalThis.__lullFanout = fanout;
  sendChangesTo((change) => send(fanout, databaseUrl, change));
  await connect(fanout, databaseUrl, false);
  return fanout.listening;
}

export async function stopStateFanout(): Promise<void> {
  const fanout = globalThis.__lullFanout;
  if (!fanout) return;
  fanout.stopped = true;
  fanout.status = "stopped";
  clearTimeout(fanout.timer);
  sendChangesTo(null);
  await fanout.client?.end().catch(() => {});
  globalThis.__lullFanout = undefined;
}

async function connect(fanout: Fanout, databaseUrl: string, again: boolean): Promise<void> {
  if (fanout.stopped) return;
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: "lull-state-listener",
    keepAlive: true,
  });
  const lost = (reason: string) => {
    if (fanout.client !== client || fanout.stopped) return;
    fanout.client = undefined;
    fanout.status = "reconnecting";
    console.error(`state fan-out: the listening connection was lost (${reason}); reconnecting.`);
    void client.end().catch(() => {});
    schedule(fanout, databaseUrl);
  };
  client.on("error", (error) => lost(error.message));
  client.on("end", () => lost("closed"));
  client.on("notification", (message) => {
    if (message.channel !== STATE_CHANNEL || !message.payload) return;
    receive(fanout, message.payload);
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${STATE_CHANNEL}`);
  } catch (error) {
    void client.end().catch(() => {});
    if (!again)
      console.error(`state fan-out: cannot listen yet (${(error as Error).message}); retrying.`);
    fanout.status = "reconnecting";
    schedule(fanout, databaseUrl);
    return;
  }
  if (fanout.stopped) {
    await client.end().catch(() => {});
    return;
  }
  fanout.client = client;
  fanout.status = "listening";
  fanout.retryMs = RECONNECT_FIRST_MS;
  if (again) {
    console.error("state fan-out: listening again; re-reading every open stream's state.");
    // Changes made while not listening were missed: every open stream gets its current state.
    publishLocally({ everyone: true });
  }
  fanout.markListening();
}

function schedule(fanout: Fanout, databaseUrl: string) {
  if (fanout.stopped) return;
  clearTimeout(fanout.timer);
  const wait = fanout.retryMs;
  fanout.retryMs = Math.min(fanout.retryMs * 2, RECONNECT_MAX_MS);
  fanout.timer = setTimeout(() => void connect(fanout, databaseUrl, true), wait);
  fanout.timer.unref();
}

function receive(fanout: Fanout, payload: string) {
  let message: z.infer<typeof Message>;
  try {
    message = Message.parse(JSON.parse(payload));
  } catch {
    console.error("state fan-out: ignored a notification that is not a state change.");
    return;
  }
  if (message.from === fanout.node) return; // this node's own listeners already had it
  for (const change of message.changes) publishLocally(change);
}

/**
 * Changes published in one turn of the event loop go out together, in as few NOTIFYs as
 * fit. Resolves when sent; rejects when the database could not be told, so the outbox
 * keeps the message and tries again.
 */
function send(fanout: Fanout, databaseUrl: string, change: StateChange): Promise<void> {
  const done = new Promise<void>((sent, failed) => fanout.pending.push({ change, sent, failed }));
  if (!fanout.flushing) {
    fanout.flushing = true;
    setImmediate(() => void flush(fanout, databaseUrl));
  }
  return done;
}

async function flush(fanout: Fanout, databaseUrl: string) {
  const waiting = fanout.pending.splice(0);
  const changes = waiting.map((w) => w.change);
  fanout.flushing = false;
  const payloads: string[] = [];
  let batch: StateChange[] = [];
  const envelope = (list: StateChange[]) => JSON.stringify({ from: fanout.node, changes: list });
  for (const change of changes) {
    if (batch.length > 0 && Buffer.byteLength(envelope([...batch, change])) > MAX_PAYLOAD_BYTES) {
      payloads.push(envelope(batch));
      batch = [];
    }
    batch.push(change);
  }
  if (batch.length > 0) payloads.push(envelope(batch));
  const client = fanout.client;
  try {
    if (client) {
      for (const payload of payloads)
        await client.query("SELECT pg_notify($1, $2)", [STATE_CHANNEL, payload]);
    } else {
      // Not listening right now: send on a short-lived connection so the others still hear it.
      const once = new pg.Client({
        connectionString: databaseUrl,
        application_name: "lull-state-notify",
      });
      await once.connect();
      try {
        for (const payload of payloads)
          await once.query("SELECT pg_notify($1, $2)", [STATE_CHANNEL, payload]);
      } finally {
        await once.end();
      }
    }
  } catch (error) {
    const failure = new Error(`could not notify the other nodes (${(error as Error).message})`);
    for (const w of waiting) w.failed(failure);
    return;
  }
  for (const w of waiting) w.sent();
}
