/**
 * One state per worker version, shared (ADR 0029): however many agents a
 * worker has connected, a change is read once and every stream and waiting
 * long-poll gets the same bytes; a change that moves everyone's state is read
 * with a few set-based reads, not one per worker; "seen" bookkeeping is one
 * statement per flush. The reads are counted by wrapping the real
 * `getAgentStates`, and the seen writes by wrapping the real `markDevicesSeen`.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import type * as AgentStateModule from "#app/models/agent-state.server.ts";
import type * as DeviceModule from "#app/models/device.server.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { createPause } from "#app/models/pause.server.ts";
import { loader as stateLoader } from "#app/routes/api.agent.v1.state.ts";
import { callStateStream } from "#test/state-stream-server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { hubStats } from "#app/web/agent-state-hub.server.ts";
import { flushDevicesSeen } from "#app/web/device-seen.server.ts";
import { enrollThroughApi, AGENT_API } from "#test/agent-enrollment.ts";
import { createUser } from "#test/fixtures.ts";
import { TEST_CONTEXT } from "#test/route-harness.ts";

const reads: string[][] = vi.hoisted(() => []);
const seenWrites: number[] = vi.hoisted(() => []);

vi.mock("#app/models/agent-state.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof AgentStateModule>();
  return {
    ...real,
    getAgentStates: (workerIds: readonly string[], now: Date) => {
      reads.push([...workerIds]);
      return real.getAgentStates(workerIds, now);
    },
  };
});

vi.mock("#app/models/device.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof DeviceModule>();
  return {
    ...real,
    markDevicesSeen: (seen: Parameters<typeof real.markDevicesSeen>[0]) => {
      seenWrites.push(seen.length);
      return real.markDevicesSeen(seen);
    },
  };
});

const aborts: AbortController[] = [];
afterEach(() => {
  for (const controller of aborts.splice(0)) controller.abort();
});

/** Opens a state stream; `next()` resolves with the raw bytes of its next event. */
async function openStream(token: string) {
  const controller = new AbortController();
  aborts.push(controller);
  const res = await callStateStream(
    new Request(`${AGENT_API}/state/stream`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    }),
  );
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let buffered = new Uint8Array(0);
  return {
    async next(): Promise<Uint8Array> {
      for (;;) {
        const end = findEventEnd(buffered);
        if (end >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end);
          return event;
        }
        const chunk = await reader.read();
        if (chunk.done) throw new Error("stream closed");
        const joined = new Uint8Array(buffered.length + chunk.value.length);
        joined.set(buffered);
        joined.set(chunk.value, buffered.length);
        buffered = joined;
      }
    },
  };
}

function findEventEnd(bytes: Uint8Array): number {
  for (let i = 1; i < bytes.length; i++) if (bytes[i - 1] === 10 && bytes[i] === 10) return i + 1;
  return -1;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function devicesOf(count: number) {
  const worker = await createUser();
  const devices = [];
  for (let i = 0; i < count; i++) devices.push(await enrollThroughApi(worker));
  return { worker, devices };
}

function pauseNow(workerId: string) {
  return createPause({
    workerId,
    timeZone: "UTC",
    request: { kind: "NOW", durationMinutes: 10 },
    now: new Date(),
  });
}

describe("the state hub", () => {
  test("a change is read once for all of a worker's streams, which get the same bytes", async () => {
    const { worker, devices } = await devicesOf(12);
    const streams = [];
    for (const device of devices) {
      const stream = await openStream(device.token);
      await stream.next(); // the state on connect
      streams.push(stream);
    }
    reads.length = 0;
    expect((await pauseNow(worker.id)).ok).toBe(true);
    const events = await Promise.all(streams.map((s) => s.next()));
    expect(reads).toEqual([[worker.id]]);
    const first = text(events[0]!);
    expect(first).toMatch(/"reason":"paused"/);
    for (const event of events) expect(text(event)).toBe(first);
    // The very same bytes, serialised once.
    expect(new Set(events.map((e) => Buffer.from(e).toString("base64"))).size).toBe(1);
  });

  test("streams connecting at the same moment share one read", async () => {
    const { devices } = await devicesOf(8);
    reads.length = 0;
    const streams = await Promise.all(devices.map((d) => openStream(d.token)));
    const events = await Promise.all(streams.map((s) => s.next()));
    expect(reads.length).toBe(1);
    expect(new Set(events.map(text)).size).toBe(1);
  });

  test("waiting long-polls of one worker are answered from one read, with the same body", async () => {
    const { worker, devices } = await devicesOf(6);
    const current = await fetch(devices[0]!.token, {});
    const etag = current.headers.get("ETag")!;
    reads.length = 0;
    const waiting = devices.map((d) => fetch(d.token, { "If-None-Match": etag }, 20));
    // Every long-poll has registered before the change is made (no sleep: the hub counts them).
    await vi.waitFor(() => expect(hubStats().waiters).toBeGreaterThanOrEqual(devices.length));
    reads.length = 0;
    expect((await pauseNow(worker.id)).ok).toBe(true);
    const answers = await Promise.all(waiting);
    expect(reads).toEqual([[worker.id]]);
    const bodies = await Promise.all(answers.map((a) => a.text()));
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ collecting: false, reason: "paused" });
  });

  test("a change that moves everyone's state is read with one set of queries per chunk of workers, not per worker", async () => {
    const connected = [];
    for (let i = 0; i < 30; i++) {
      const { worker, devices } = await devicesOf(1);
      const stream = await openStream(devices[0]!.token);
      await stream.next();
      connected.push({ worker, stream });
    }
    reads.length = 0;
    await runCommand(new Date(), ({ touchEveryone }) => {
      touchEveryone();
      return Promise.resolve({ ok: true as const });
    });
    const events = await Promise.all(connected.map((c) => c.stream.next()));
    // Every connected worker in one read (30 < one chunk), each stream its own worker's version.
    expect(reads.length).toBe(1);
    expect(reads[0]).toEqual(expect.arrayContaining(connected.map((c) => c.worker.id)));
    const versions = await prisma.user.findMany({
      where: { id: { in: connected.map((c) => c.worker.id) } },
      select: { id: true, stateVersion: true },
    });
    const versionOf = new Map(versions.map((v) => [v.id, String(v.stateVersion)]));
    connected.forEach(({ worker }, i) => {
      expect(/^id: (\d+)$/m.exec(text(events[i]!))![1]).toBe(versionOf.get(worker.id));
    });
  });

  test("a bulk read keeps each worker's pauses to that worker: every state equals the worker's own read", async () => {
    const paused = await createUser();
    const active = await createUser();
    expect((await pauseNow(paused.id)).ok).toBe(true);
    const { getAgentState, getAgentStates } = await import("#app/models/agent-state.server.ts");
    const now = new Date();
    const states = await getAgentStates([paused.id, active.id, "no-such-worker"], now);
    expect(states.get(paused.id)).toMatchObject({ collecting: false, reason: "paused" });
    expect(states.get(active.id)).toMatchObject({ collecting: true, windows: [] });
    expect(states.has("no-such-worker")).toBe(false);
    expect(states.get(paused.id)).toEqual(await getAgentState(paused.id, now));
    expect(states.get(active.id)).toEqual(await getAgentState(active.id, now));
  });

  test("the devices' last contact is written with one statement, and never moves back", async () => {
    await flushDevicesSeen();
    const { devices } = await devicesOf(15);
    seenWrites.length = 0;
    await Promise.all(devices.map((d) => fetch(d.token, {})));
    expect(seenWrites).toEqual([]);
    await flushDevicesSeen();
    expect(seenWrites).toEqual([15]);
    const rows = await prisma.device.findMany({
      where: { id: { in: devices.map((d) => d.deviceId) } },
      select: { lastSeenAt: true, lastStateVersion: true },
    });
    for (const row of rows) {
      expect(row.lastSeenAt).not.toBeNull();
      expect(row.lastStateVersion).not.toBeNull();
    }
    // An upload recorded a later contact meanwhile: a late flush does not move it back.
    const later = new Date(Date.now() + 60_000);
    await prisma.device.update({
      where: { id: devices[0]!.deviceId },
      data: { lastSeenAt: later },
    });
    await fetch(devices[0]!.token, {});
    await flushDevicesSeen();
    const kept = await prisma.device.findUniqueOrThrow({ where: { id: devices[0]!.deviceId } });
    expect(kept.lastSeenAt).toEqual(later);
  });
});

function fetch(token: string, headers: Record<string, string>, wait?: number) {
  return stateLoader({
    request: new Request(`${AGENT_API}/state${wait ? `?wait=${wait}` : ""}`, {
      headers: { Authorization: `Bearer ${token}`, ...headers },
    }),
    params: {},
    context: TEST_CONTEXT,
  }) as Promise<Response>;
}
