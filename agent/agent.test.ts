import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { privateAppMatcher } from "../app/agent-protocol/private-apps.ts";
import type { AgentEvent, ForgetWindow, Window } from "../app/agent-protocol/v1.ts";
import { startAgent, type AgentOptions, type RunningAgent } from "./agent.ts";
import { enrollDevice } from "./enroll.ts";
import { writeSavedState } from "./config.ts";
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

const inside = (w: Window | ForgetWindow, at: string) =>
  Date.parse(w.startsAt) <= Date.parse(at) && Date.parse(at) < Date.parse(w.endsAt);

/** An event as the server would see it, to recognise it after an upload. */
const eventKey = (e: AgentEvent) => `${e.at}|${e.type}|${e.app}|${JSON.stringify(e.data)}`;

/** Half of the synthetic applications (generator.ts), so both kinds keep coming. */
const PRIVATE_APPS = ["Slack", "terminal", "*Code*"];

describe("reference agent against a fake Lull", () => {
  let server: FakeLullServer;
  let configDir: string;
  let agent: RunningAgent | undefined;
  let reports: StatusReport[];

  const lines = () => reports.map((report) => report.line);
  const has = (pattern: RegExp) => lines().some((line) => pattern.test(line));
  /** The outbox's size as last reported by a `queued` line. */
  const queuedBatches = () =>
    Math.max(
      0,
      ...lines().map((line) => Number(/^\S+ queued .*buffered=(\d+)/.exec(line)?.[1] ?? 0)),
    );

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

  describe("forget windows and private applications (ADR 0041)", () => {
    test("a buffered event inside a forget window is never uploaded; the rest are, once uploads work again", async () => {
      server.failUploads = 1_000_000; // the server is reachable for the state, not for uploads
      await run();
      await waitFor(() => has(/status=collecting version=1 source=stream/), "collecting");
      await waitFor(() => queuedBatches() >= 4, "four batches waiting in the outbox");
      const before = (await pendingEvents()).sort((a, b) => a.at.localeCompare(b.at));
      const forget: ForgetWindow = {
        startsAt: before[Math.floor(before.length / 4)]!.at,
        endsAt: before[Math.floor((3 * before.length) / 4)]!.at,
      };
      expect(before.some((e) => inside(forget, e.at))).toBe(true);
      server.setForgets([forget]);
      const announced = new RegExp(
        `forget_window from=${forget.startsAt} to=${forget.endsAt} version=2 source=stream dropped=(\\d+)`,
      );
      await waitFor(() => has(announced), "the forget window reported");
      const dropped = Number(
        lines()
          .map((l) => announced.exec(l)?.[1])
          .find(Boolean),
      );
      expect(dropped).toBeGreaterThan(0);
      expect((await pendingEvents()).filter((e) => inside(forget, e.at))).toEqual([]);

      // Two more attempts: the one possibly in flight when the state arrived has ended.
      const attempts = server.uploadAttempts.length;
      await waitFor(() => server.uploadAttempts.length >= attempts + 2, "two more attempts");
      server.failUploads = 0;
      const outside = before.filter((e) => !inside(forget, e.at)).map(eventKey);
      await waitFor(() => {
        const stored = new Set(server.events.map(eventKey));
        return outside.every((key) => stored.has(key));
      }, "every event outside the forget window uploaded");
      await agent!.stop();

      expect(server.events.filter((e) => inside(forget, e.at))).toEqual([]);
      expect([...server.batches.values()].every((r) => r.discardedForgotten === 0)).toBe(true);
      expect((await pendingEvents()).filter((e) => inside(forget, e.at))).toEqual([]);
    });

    test("events of the partial batch inside a forget window are dropped at once", async () => {
      await run({ batchSeconds: 60 });
      await waitFor(() => has(/status=collecting version=1/), "collecting");
      await waitFor(() => agent!.snapshot().bufferedEvents >= 20, "a partial batch");
      // "Forget the last hour": everything made so far (events share their tick's millisecond).
      const forget: ForgetWindow = {
        startsAt: new Date(Date.now() - HOUR).toISOString(),
        endsAt: new Date(Date.now() + 1).toISOString(),
      };
      server.setForgets([forget]);
      await waitFor(() => has(/forget_window .*version=2 source=stream dropped=/), "reported");
      const dropped = Number(/forget_window .* dropped=(\d+)/.exec(lines().join("\n"))![1]);
      expect(dropped).toBeGreaterThanOrEqual(20);
      await waitFor(() => agent!.snapshot().bufferedEvents >= 5, "new events after it");
      await agent!.stop();
      const kept = await pendingEvents();
      expect(kept.length).toBeGreaterThanOrEqual(5);
      expect(kept.filter((e) => inside(forget, e.at))).toEqual([]);
      expect(server.batches.size).toBe(0);
    });

    test("no event dated inside a forget window is buffered, even one still running by the agent's clock", async () => {
      const clock = controlledClock();
      await run({ now: clock.now });
      await waitFor(() => has(/status=collecting version=1/), "collecting");
      // The agent's clock is behind the server's: the forget ends an hour ahead of it.
      const forget: ForgetWindow = {
        startsAt: new Date(Date.now() - MINUTE).toISOString(),
        endsAt: new Date(Date.now() + HOUR).toISOString(),
      };
      server.setForgets([forget]);
      await waitFor(() => has(/forget_window .*version=2/), "reported");
      const reported = lines().length;
      await waitFor(
        () =>
          lines()
            .slice(reported)
            .some((l) => /dropped events=\d+ reason=forgotten/.test(l)),
        "new events inside it dropped",
      );
      clock.moveTo(Date.parse(forget.endsAt) + MINUTE);
      await waitFor(
        () => server.events.some((e) => Date.parse(e.at) >= Date.parse(forget.endsAt)),
        "events after it uploaded",
      );
      await agent!.stop();
      const all = [...server.events, ...(await pendingEvents())];
      expect(all.filter((e) => inside(forget, e.at))).toEqual([]);
      expect([...server.batches.values()].every((r) => r.discardedForgotten === 0)).toBe(true);
    });

    test("events of a private application never reach the outbox, nor the server", async () => {
      server.setPrivateApps(PRIVATE_APPS);
      server.failUploads = 1_000_000; // batches wait in the outbox: look at them there
      await run();
      await waitFor(() => has(/status=collecting version=2/), "collecting");
      await waitFor(() => has(/dropped events=\d+ reason=private_app/), "private events dropped");
      await waitFor(() => queuedBatches() >= 3, "batches in the outbox");
      await agent!.stop();
      const isPrivate = privateAppMatcher(PRIVATE_APPS);
      const waiting = await pendingEvents();
      expect(waiting.length).toBeGreaterThan(0);
      expect(waiting.filter((e) => isPrivate(e.app))).toEqual([]);
      // Nothing had to be taken out of a batch before an upload: none was ever written.
      expect(has(/when=before_upload/)).toBe(false);
      expect(server.events).toEqual([]);
    });

    test("restarted offline with a saved state holding forgets and private apps, it obeys them", async () => {
      // A first run leaves batches in the outbox (uploads fail), with no privacy rules yet.
      server.failUploads = 1_000_000;
      await run();
      await waitFor(() => queuedBatches() >= 3, "batches in the outbox");
      await agent!.stop();
      await server.goOffline();
      const left = (await pendingEvents()).sort((a, b) => a.at.localeCompare(b.at));
      const forget: ForgetWindow = {
        startsAt: left[0]!.at,
        endsAt: left[Math.floor(left.length / 2)]!.at,
      };
      expect(left.some((e) => inside(forget, e.at))).toBe(true);
      // The state the server would have pushed, saved as the agent saves it.
      await writeSavedState(
        configDir,
        { ...server.state(), stateVersion: "7", forgets: [forget], privateApps: PRIVATE_APPS },
        new Date(),
      );

      reports = [];
      const restartedAt = new Date().toISOString();
      await run();
      await waitFor(
        () => has(/forget_window from=\S+ to=\S+ version=7 source=saved-state dropped=[1-9]/),
        "the saved forget window applied",
      );
      await waitFor(() => has(/status=collecting version=7 source=saved-state/), "collecting");
      const isPrivate = privateAppMatcher(PRIVATE_APPS);
      const made = async () => (await pendingEvents()).filter((e) => e.at >= restartedAt);
      await waitFor(
        () => lines().filter((l) => /dropped events=\d+ reason=private_app/.test(l)).length >= 2,
        "private events dropped, from the outbox and as they are made",
      );
      await waitFor(() => agent!.snapshot().bufferedEvents > 0 || queuedBatches() > 0, "events");
      await agent!.stop();
      const after = await pendingEvents();
      expect((await made()).length).toBeGreaterThan(0);
      expect(after.filter((e) => inside(forget, e.at))).toEqual([]);
      expect(after.filter((e) => isPrivate(e.app))).toEqual([]);
      // Nothing else was lost: every event left outside the rules is still waiting.
      const waiting = new Set(after.map(eventKey));
      expect(
        left
          .filter((e) => !inside(forget, e.at) && !isPrivate(e.app))
          .every((e) => waiting.has(eventKey(e))),
      ).toBe(true);
    });
  });

  test("before any state is known it collects nothing", async () => {
    await server.goOffline();
    await run();
    await waitFor(() => has(/status=waiting/), "waiting");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(agent!.snapshot().bufferedEvents).toBe(0);
  });
});
