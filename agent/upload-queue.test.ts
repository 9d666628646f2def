import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { AgentEvent, ForgetWindow } from "../app/agent-protocol/v1.ts";
import { WakeableSleeps } from "./backoff.ts";
import { privacyCheck, type PrivacyRules } from "./collection.ts";
import { newBatch, Outbox } from "./outbox.ts";
import type { StatusFields } from "./status.ts";
import { UploadQueue } from "./upload-queue.ts";

const event = (at: string, app = "Terminal"): AgentEvent => ({
  type: "keystroke",
  at,
  app,
  data: { keyCount: 1 },
});
const forget: ForgetWindow = {
  startsAt: "2026-11-27T09:10:00.000Z",
  endsAt: "2026-11-27T09:20:00.000Z",
};

/** Aborted when the running test times out (set by beforeEach). */
let testSignal: AbortSignal;

async function waitFor(check: () => boolean, what: string): Promise<void> {
  while (!check()) {
    if (testSignal.aborted) throw new Error(`Still waiting for ${what} when the test timed out`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("upload queue and the privacy rules", () => {
  let dir: string;
  let outbox: Outbox;
  let rules: PrivacyRules;
  let reports: { word: string | undefined; fields: StatusFields }[];
  let sent: { batchId: string; events: AgentEvent[] }[];
  let answers: number[];
  /** Called as each attempt reaches the server (the first, the second…). */
  let onAttempt: (() => void)[];
  let stop: AbortController;

  const queue = () =>
    new UploadQueue({
      outbox,
      server: "http://lull.test",
      token: "t0k3n",
      signal: stop.signal,
      fetchImpl: (async (_url: string, init: RequestInit) => {
        const body = JSON.parse(Buffer.from(init.body as Uint8Array).toString("utf8")) as {
          batchId: string;
          events: AgentEvent[];
        };
        sent.push(body);
        onAttempt.shift()?.();
        const status = answers.shift() ?? 200;
        if (status !== 200) {
          return Response.json(
            { error: { code: "rate_limited", message: "Busy." } },
            { status, headers: { "retry-after": "0" } },
          );
        }
        return Response.json({
          batchId: body.batchId,
          stored: body.events.length,
          discardedPaused: 0,
          discardedExempt: 0,
          rejectedFuture: 0,
          duplicate: false,
        });
      }) as typeof fetch,
      backoff: { baseMs: 1, capMs: 5 },
      random: () => 0,
      retrySleeps: new WakeableSleeps(),
      report: (word, fields) => reports.push({ word, fields }),
      onNetworkFailure: () => {},
      onRevoked: () => {},
      dropReason: () => privacyCheck(rules),
    });

  beforeEach(async ({ signal }) => {
    testSignal = signal;
    dir = await mkdtemp(path.join(tmpdir(), "lull-agent-queue-"));
    outbox = new Outbox(dir);
    rules = { forgets: [], privateApps: [] };
    reports = [];
    sent = [];
    answers = [];
    onAttempt = [];
    stop = new AbortController();
  });
  afterEach(async () => {
    stop.abort();
    await rm(dir, { recursive: true, force: true });
  });

  test("purge rewrites a batch with its batchId, deletes one left empty, and says what it took", async () => {
    const mixed = newBatch(
      [
        event("2026-11-27T09:05:00.000Z"),
        event("2026-11-27T09:12:00.000Z"),
        event("2026-11-27T09:25:00.000Z", "Slack"),
        event("2026-11-27T09:30:00.000Z"),
      ],
      new Date("2026-11-27T09:31:00Z"),
    );
    const inside = newBatch([event("2026-11-27T09:15:00.000Z")], new Date("2026-11-27T09:32:00Z"));
    const untouched = newBatch(
      [event("2026-11-27T09:40:00.000Z")],
      new Date("2026-11-27T09:41:00Z"),
    );
    for (const batch of [mixed, inside, untouched]) await outbox.save(batch);
    rules = { forgets: [forget], privateApps: ["slack"] };

    const purged = await queue().purge();

    expect(purged.forgotten.map((e) => e.at)).toEqual([
      "2026-11-27T09:12:00.000Z",
      "2026-11-27T09:15:00.000Z",
    ]);
    expect(purged.privateApp.map((e) => e.app)).toEqual(["Slack"]);
    expect(await outbox.list()).toEqual([
      { ...mixed, events: [mixed.events[0], mixed.events[3]] },
      untouched,
    ]);
  });

  test("each attempt filters its batch again under the state of the moment (the last defence)", async () => {
    const batch = newBatch(
      [event("2026-11-27T09:05:00.000Z"), event("2026-11-27T09:15:00.000Z")],
      new Date("2026-11-27T09:21:00Z"),
    );
    await outbox.save(batch);
    answers = [503];
    // A forget arrives while the first attempt is on its way, before any purge.
    onAttempt = [() => void (rules = { forgets: [forget], privateApps: [] })];
    const running = queue().run();
    await waitFor(() => reports.some((r) => r.word === "uploaded"), "the upload");
    stop.abort();
    await running;

    expect(sent.map((b) => b.batchId)).toEqual([batch.batchId, batch.batchId]);
    expect(sent[0]!.events).toHaveLength(2);
    expect(sent[1]!.events).toEqual([batch.events[0]]);
    expect(reports).toContainEqual({
      word: "dropped",
      fields: { events: 1, reason: "forgotten", batch: batch.batchId, when: "before_upload" },
    });
    expect(await outbox.list()).toEqual([]);
  });

  test("a batch left with nothing to send is deleted, not sent", async () => {
    const batch = newBatch([event("2026-11-27T09:15:00.000Z")], new Date());
    await outbox.save(batch);
    rules = { forgets: [forget], privateApps: [] };
    const running = queue().run();
    await waitFor(() => reports.some((r) => r.word === "dropped"), "the drop");
    stop.abort();
    await running;
    expect(sent).toEqual([]);
    expect(await outbox.list()).toEqual([]);
  });
});
