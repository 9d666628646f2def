import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Window } from "../app/agent-protocol/v1.ts";
import { startAgent, type AgentOptions, type RunningAgent } from "./agent.ts";
import { enrollDevice } from "./enroll.ts";
import { FakeLullServer } from "./fake-lull-server.ts";
import { Outbox } from "./outbox.ts";
import type { StatusReport } from "./status.ts";

const FAST_BACKOFF = { baseMs: 20, capMs: 200 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Aborted when the running test times out (set by beforeEach). */
let testSignal: AbortSignal;

/** Polls until `check` holds. No deadline of its own: the test's timeout is the only bound. */
async function waitFor(check: () => boolean, what: string): Promise<void> {
  while (!check()) {
    if (testSignal.aborted) throw new Error(`Still waiting for ${what} when the test timed out`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The agent's clock: real time until the test moves it. A window placed an hour ahead is
 * reached when the test says so, not when a timer fires, so a slow push cannot make it late.
 */
function controlledClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    moveTo: (at: number) => void (offsetMs = at - Date.now()),
  };
}

/**
 * A real clock that counts its reads. With a state, the agent reads it on every generator tick
 * (each 100 ms) and its safety tick (each second) only: a few more reads mean the generator ran.
 */
function countingClock() {
  let reads = 0;
  return {
    now: () => {
      reads += 1;
      return new Date();
    },
    reads: () => reads,
  };
}

const windowFromNow = (startMs: number, endMs: number): Window => ({
  kind: "pause",
  startsAt: new Date(Date.now() + startMs).toISOString(),
  endsAt: new Date(Date.now() + endMs).toISOString(),
  scope: "all",
});

const inside = (w: Window, at: string) =>
  Date.parse(w.startsAt) <= Date.parse(at) && Date.parse(at) < Date.parse(w.endsAt);

describe("reference agent against a fake Lull", () => {
  let server: FakeLullServer;
  let configDir: string;
  let agent: RunningAgent | undefined;
  let reports: StatusReport[];

  const lines = () => reports.map((report) => report.line);
  const has = (pattern: RegExp) => lines().some((line) => pattern.test(line));

  async function run(options: Partial<AgentOptions> = {}): Promise<RunningAgent> {
    agent = await startAgent({
      configDir,
      eventsPerSecond: 50,
      batchSeconds: 0.2,
      backoff: FAST_BACKOFF,
      onStatus: (report) => reports.push(report),
      ...options,
    });
    return agent;
  }

  /** Every event the agent made: uploaded (stored or discarded) or still in the outbox. */
  async function pendingEvents() {
    return (await new Outbox(configDir).list()).flatMap((batch) => batch.events);
  }

  beforeEach(async ({ signal }) => {
    testSignal = signal;
    server = new FakeLullServer();
    await server.start();
    configDir = path.join(await mkdtemp(path.join(tmpdir(), "lull-agent-")), "config");
    reports = [];
    await enrollDevice({ server: server.url, code: server.code, configDir });
  });

  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await server.stop();
    await rm(path.dirname(configDir), { recursive: true, force: true });
  });

  test("enrollment keeps the token in agent.json, readable by its owner only", async () => {
    const file = path.join(configDir, "agent.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      server: server.url,
      deviceId: server.deviceId,
      token: server.token,
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(configDir)).mode & 0o777).toBe(0o700);
  });

  test("a wrong code is refused with the server's message and writes nothing", async () => {
    const other = path.join(path.dirname(configDir), "other");
    await expect(
      enrollDevice({ server: server.url, code: "ZZZZ-9999", configDir: other }),
    ).rejects.toThrow(/Wrong code/);
    await expect(stat(other)).rejects.toThrow();
  });

  test("collects with no windows and uploads every batch once, never printing the token", async () => {
    await run();
    await waitFor(() => has(/status=collecting version=1 source=stream/), "collecting");
    const uploadedLines = () => lines().filter((line) => line.includes("uploaded batch="));
    await waitFor(() => uploadedLines().length >= 3, "three uploads");
    await agent!.stop();
    expect(server.events.length).toBeGreaterThan(0);
    expect(new Set(server.uploadAttempts).size).toBe(server.uploadAttempts.length);
    // Every batch the agent reports as uploaded was received once. (A batch in flight when the
    // agent stops can be stored without its line; it stays in the outbox and is resent with the
    // same batchId, which the server answers as a duplicate.)
    const reported = uploadedLines().map((line) => /uploaded batch=(\S+)/.exec(line)![1]!);
    expect(new Set(reported).size).toBe(reported.length);
    expect(reported.every((id) => server.batches.has(id))).toBe(true);
    expect(server.batches.size - reported.length).toBeLessThanOrEqual(1);
    expect(lines().join("\n")).not.toContain(server.token);
    expect(server.requests.find((r) => r.path.endsWith("/state/stream"))?.headers).toMatchObject({
      accept: "text/event-stream",
    });
  });

  test("a pause pushed over the stream stops events for its whole window, then collection resumes", async () => {
    // A controlled clock instead of a window 300 ms ahead: the push cannot arrive too late.
    const clock = controlledClock();
    await run({ now: clock.now });
    await waitFor(() => has(/status=collecting version=1/), "first state");
    const pause = windowFromNow(HOUR, HOUR + 10 * MINUTE);
    server.setWindows([pause]);
    await waitFor(() => has(/status=collecting next_pause=\S+ version=2 source=stream/), "v2");
    clock.moveTo(Date.parse(pause.startsAt) + MINUTE);
    await waitFor(
      () => has(/status=paused until=\S+ kind=pause version=2 source=schedule/),
      "pause",
    );
    clock.moveTo(Date.parse(pause.endsAt) + MINUTE);
    await waitFor(() => has(/status=collecting version=2 source=schedule/), "resume");
    await waitFor(
      () => server.events.some((e) => Date.parse(e.at) >= Date.parse(pause.endsAt)),
      "events after",
    );
    await agent!.stop();
    const all = [...server.events, ...(await pendingEvents())];
    expect(all.filter((event) => inside(pause, event.at))).toEqual([]);
    expect([...server.batches.values()].every((r) => r.discardedPaused === 0)).toBe(true);
  });

  test("offline, it still stops and resumes on time from its last windows, and uploads the backlog once when back", async () => {
    // A controlled clock instead of a window 600 ms ahead: going offline cannot take too long.
    const clock = controlledClock();
    await run({ now: clock.now });
    await waitFor(() => has(/status=collecting version=1/), "first state");
    const pause = windowFromNow(HOUR, HOUR + 10 * MINUTE);
    server.setWindows([pause]);
    await waitFor(() => has(/version=2 source=stream/), "v2");
    await server.goOffline();
    await waitFor(() => has(/status=offline/), "offline");
    clock.moveTo(Date.parse(pause.startsAt) + MINUTE);
    await waitFor(
      () => has(/status=paused until=\S+ kind=pause version=2 source=offline-schedule/),
      "offline pause",
    );
    clock.moveTo(Date.parse(pause.endsAt) + MINUTE);
    await waitFor(
      () => has(/status=collecting version=2 source=offline-schedule/),
      "offline resume",
    );
    await waitFor(() => has(/status=offline buffered=[1-9]/), "batches buffered offline");
    const bufferedWhileOffline = (await new Outbox(configDir).list()).map((b) => b.batchId);
    expect(bufferedWhileOffline.length).toBeGreaterThan(0);

    await server.comeBack();
    await waitFor(
      () => bufferedWhileOffline.every((id) => server.batches.has(id)),
      "backlog uploaded",
    );
    await waitFor(
      () => server.events.some((event) => Date.parse(event.at) >= Date.parse(pause.endsAt)),
      "events from after the window",
    );
    await agent!.stop();
    const all = [...server.events, ...(await pendingEvents())];
    expect(all.filter((event) => inside(pause, event.at))).toEqual([]);
    expect([...server.batches.values()].every((r) => r.discardedPaused === 0)).toBe(true);
    expect(
      new Set(server.events.map((e) => `${e.batchId}|${e.at}|${e.type}`)).size,
    ).toBeLessThanOrEqual(server.events.length);
    // Stored once per batchId, whatever was retried.
    const storedPerBatch = new Map<string, number>();
    for (const event of server.events)
      storedPerBatch.set(event.batchId, (storedPerBatch.get(event.batchId) ?? 0) + 1);
    for (const [batchId, count] of storedPerBatch)
      expect(server.batches.get(batchId)?.stored).toBe(count);
  });

  test("failed and lost uploads are retried with the same batchId and counted once", async () => {
    server.failUploads = 2;
    server.loseAnswers = 1;
    await run();
    await waitFor(() => has(/uploaded batch=\S+ .*duplicate=true/), "a duplicate answer");
    await waitFor(() => server.batches.size >= 3, "more uploads");
    await agent!.stop();
    const attempts = new Map<string, number>();
    for (const id of server.uploadAttempts) attempts.set(id, (attempts.get(id) ?? 0) + 1);
    expect([...attempts.values()].some((count) => count > 1)).toBe(true);
    expect(has(/upload_failed batch=/)).toBe(true);
    const storedPerBatch = new Map<string, number>();
    for (const event of server.events)
      storedPerBatch.set(event.batchId, (storedPerBatch.get(event.batchId) ?? 0) + 1);
    for (const [batchId, count] of storedPerBatch)
      expect(server.batches.get(batchId)?.stored).toBe(count);
    expect(await readdir(path.join(configDir, "rejected")).catch(() => [])).toEqual([]);
  });

  test("long-poll follows changes with If-None-Match", async () => {
    await run({ transport: "longpoll" });
    await waitFor(() => has(/status=collecting version=1 source=longpoll/), "first state");
    server.setWindows([windowFromNow(0, 60_000)]);
    await waitFor(
      () => has(/status=paused until=\S+ kind=pause version=2 source=longpoll/),
      "pause",
    );
    expect(
      server.requests.some((r) => r.headers["if-none-match"] === '"1"' && r.path.includes("wait=")),
    ).toBe(true);
  });

  test("without a stream endpoint it falls back to long-poll", async () => {
    server.streamStatus = 404;
    await run();
    await waitFor(() => has(/transport=longpoll reason=/), "fallback");
    await waitFor(() => has(/status=collecting version=1 source=longpoll/), "state by long-poll");
  });

  test("a revoked device stops and reports it instead of retrying", async () => {
    const running = await run();
    await waitFor(() => has(/status=collecting/), "collecting");
    server.revoke();
    expect(await running.done).toMatchObject({ reason: "revoked" });
    expect(has(/status=revoked device=device-1/)).toBe(true);
  });

  test("stop writes the partial batch to the outbox", async () => {
    await run({ batchSeconds: 60 });
    await waitFor(() => agent!.snapshot().bufferedEvents >= 5, "some events");
    await agent!.stop();
    const batches = await new Outbox(configDir).list();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.events.length).toBeGreaterThanOrEqual(5);
    expect(server.batches.size).toBe(0);
    expect(has(/status=stopped buffered=1/)).toBe(true);
  });

  test("restarted while offline, it obeys the windows it saved and collects nothing inside them", async () => {
    server.setWindows([windowFromNow(-1000, 60_000)]);
    await run();
    await waitFor(() => has(/status=paused .*version=2 source=stream/), "paused");
    await agent!.stop();
    await server.goOffline();
    reports = [];
    const clock = countingClock();
    await run({ now: clock.now });
    await waitFor(
      () => has(/status=paused .*version=2 source=saved-state/),
      "paused from saved state",
    );
    // Ticks counted, not slept: the generator has run, and made nothing.
    const reads = clock.reads();
    await waitFor(() => clock.reads() >= reads + 5, "the generator to run");
    expect(agent!.snapshot()).toMatchObject({ collecting: false, bufferedEvents: 0 });
  });

  test("when the server says not collecting without a window to explain it, the agent holds off", async () => {
    server.holdCollection = true;
    const clock = countingClock();
    await run({ now: clock.now });
    await waitFor(() => has(/warning=state_mismatch server_collecting=false/), "mismatch warning");
    await waitFor(() => has(/status=paused kind=server_hold reason=active version=1/), "hold");
    // Ticks counted, not slept: the generator has run, and made nothing.
    const reads = clock.reads();
    await waitFor(() => clock.reads() >= reads + 5, "the generator to run");
    expect(agent!.snapshot()).toMatchObject({ collecting: false, bufferedEvents: 0 });
    server.holdCollection = false;
    server.setWindows([]);
    await waitFor(() => has(/status=collecting version=2 source=stream/), "released");
  });

  test("before any state is known it collects nothing", async () => {
    await server.goOffline();
    await run();
    await waitFor(() => has(/status=waiting/), "waiting");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(agent!.snapshot().bufferedEvents).toBe(0);
  });
});
