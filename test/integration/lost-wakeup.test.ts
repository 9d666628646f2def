/**
 * "Within a second" must hold for a change committed between the moment a
 * stream or long-poll reads the state and the moment it starts listening.
 * The read is wrapped so that, right after the real read returns, a real
 * pause is committed (through the command runner, which pushes it) before
 * the handler goes on: deterministic, no sleeps. Handlers that read before
 * they subscribe miss that push and fail here.
 */
import { describe, expect, test, vi } from "vitest";
import type { AgentState } from "#app/agent-protocol/v1.ts";
import { createEnrollmentCode, enrollDevice } from "#app/models/device.server.ts";
import type * as AgentStateModule from "#app/models/agent-state.server.ts";
import { createPause } from "#app/models/pause.server.ts";
import { loader as stateLoader } from "#app/routes/api.agent.v1.state.ts";
import { callStateStream } from "#test/state-stream-server.ts";
import { createUser } from "#test/fixtures.ts";
import { TEST_CONTEXT } from "#test/route-harness.ts";

/** Runs once, after the next real state read and before its caller sees the result. */
const afterNextRead: { hook: (() => Promise<void>) | null } = vi.hoisted(() => ({ hook: null }));

vi.mock("#app/models/agent-state.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof AgentStateModule>();
  return {
    ...real,
    getAgentStates: async (workerIds: readonly string[], now: Date) => {
      const states = await real.getAgentStates(workerIds, now);
      const hook = afterNextRead.hook;
      afterNextRead.hook = null;
      if (hook) await hook();
      return states;
    },
  };
});

const BASE = "http://127.0.0.1/api/agent/v1";

async function enrolledWorker() {
  const worker = await createUser();
  const { code } = await createEnrollmentCode(worker.id, new Date());
  const enrolled = await enrollDevice(
    { code, deviceName: "Laptop", platform: "linux", agentVersion: "1.0.0" },
    new Date(),
  );
  if (!enrolled.ok) throw new Error("enrollment failed");
  return { worker, token: enrolled.token };
}

function pauseNow(workerId: string) {
  return async () => {
    const result = await createPause({
      workerId,
      timeZone: "Europe/Berlin",
      request: { kind: "NOW", durationMinutes: 5 },
      now: new Date(),
    });
    expect(result.ok).toBe(true);
  };
}

/** The SSE events' parsed data, read until `count` have arrived or `ms` ran out. */
async function readStates(body: ReadableStream<Uint8Array>, count: number, ms: number) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const states: AgentState[] = [];
  let text = "";
  const deadline = Date.now() + ms;
  while (states.length < count && Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const chunk = await Promise.race([
      reader.read(),
      new Promise<null>(
        (resolve) => (timer = setTimeout(() => resolve(null), deadline - Date.now())),
      ),
    ]);
    clearTimeout(timer);
    if (!chunk || chunk.done) break;
    text += decoder.decode(chunk.value);
    let end;
    while ((end = text.indexOf("\n\n")) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const data = block.split("\n").find((l) => l.startsWith("data: "));
      if (data) states.push(JSON.parse(data.slice(6)) as AgentState);
    }
  }
  reader.releaseLock();
  return states;
}

describe("no lost wake-ups", () => {
  test("a stream sends a change committed between its first read and its subscription", async () => {
    const { worker, token } = await enrolledWorker();
    afterNextRead.hook = pauseNow(worker.id);
    const controller = new AbortController();
    const res = await callStateStream(
      new Request(`${BASE}/state/stream`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: controller.signal,
      }),
    );
    expect(afterNextRead.hook).toBeNull(); // the pause was committed during the first read
    // The first event is the state as read (collecting); the pause must follow.
    const states = await readStates(res.body!, 2, 5000);
    controller.abort();
    expect(states.map((s) => s.collecting)).toEqual([true, false]);
    expect(Number(states[1]!.stateVersion)).toBe(Number(states[0]!.stateVersion) + 1);
  });

  test("a long-poll answers a change committed between its read and its wait, not a stale 304", async () => {
    const { worker, token } = await enrolledWorker();
    const first = await stateLoader({
      request: new Request(`${BASE}/state`, { headers: { Authorization: `Bearer ${token}` } }),
      params: {},
      context: TEST_CONTEXT,
    });
    const etag = first.headers.get("ETag")!;
    afterNextRead.hook = pauseNow(worker.id);
    const res = await stateLoader({
      request: new Request(`${BASE}/state?wait=5`, {
        headers: { Authorization: `Bearer ${token}`, "If-None-Match": etag },
      }),
      params: {},
      context: TEST_CONTEXT,
    });
    expect(res.status).toBe(200);
    const state = (await res.json()) as AgentState;
    expect(state.collecting).toBe(false);
    expect(res.headers.get("ETag")).not.toBe(etag);
  });
});
