import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { AgentEvent } from "../app/agent-protocol/v1.ts";
import { newBatch, Outbox } from "./outbox.ts";

const event = (at: string): AgentEvent => ({
  type: "keystroke",
  at,
  app: "Terminal",
  data: { keyCount: 3 },
});

describe("outbox", () => {
  let dir: string;
  let outbox: Outbox;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "lull-agent-outbox-"));
    outbox = new Outbox(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a saved batch is listed with its batchId and events, in a file only its owner can read", async () => {
    const batch = newBatch([event("2026-11-27T09:00:00.000Z")], new Date("2026-11-27T09:00:10Z"));
    await outbox.save(batch);
    expect(await outbox.list()).toEqual([batch]);
    expect(await outbox.count()).toBe(1);
    const file = path.join(dir, "outbox", `${batch.batchId}.json`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, "outbox"))).mode & 0o777).toBe(0o700);
  });

  test("batches are listed oldest first", async () => {
    const later = newBatch([event("2026-11-27T09:01:00.000Z")], new Date("2026-11-27T09:01:10Z"));
    const earlier = newBatch([event("2026-11-27T09:00:00.000Z")], new Date("2026-11-27T09:00:10Z"));
    await outbox.save(later);
    await outbox.save(earlier);
    expect((await outbox.list()).map((b) => b.batchId)).toEqual([earlier.batchId, later.batchId]);
  });

  test("saving the same batch again keeps one file with the same batchId", async () => {
    const batch = newBatch([event("2026-11-27T09:00:00.000Z")], new Date());
    await outbox.save(batch);
    await outbox.save(batch);
    expect(await readdir(path.join(dir, "outbox"))).toEqual([`${batch.batchId}.json`]);
  });

  test("remove deletes the batch; removing twice is harmless", async () => {
    const batch = newBatch([event("2026-11-27T09:00:00.000Z")], new Date());
    await outbox.save(batch);
    await outbox.remove(batch.batchId);
    await outbox.remove(batch.batchId);
    expect(await outbox.list()).toEqual([]);
  });

  test("reject moves the batch to rejected/ with the reason beside it", async () => {
    const batch = newBatch([event("2026-11-27T09:00:00.000Z")], new Date());
    await outbox.save(batch);
    const target = await outbox.reject(batch.batchId, "HTTP 400: The batch is not valid");
    expect(target).toBe(path.join(dir, "rejected", `${batch.batchId}.json`));
    expect(await outbox.list()).toEqual([]);
    expect(await outbox.listRejected()).toEqual([batch.batchId]);
    expect(JSON.parse(await readFile(target, "utf8"))).toEqual(batch);
    expect(
      await readFile(path.join(dir, "rejected", `${batch.batchId}.reason.txt`), "utf8"),
    ).toContain("HTTP 400: The batch is not valid");
  });

  test("a corrupt file in the outbox is set aside, not retried forever", async () => {
    const good = newBatch([event("2026-11-27T09:00:00.000Z")], new Date());
    await outbox.save(good);
    const corruptId = "0b6f8a38-7d2e-4c53-9b1b-1f6a6f0e4c11";
    await writeFile(path.join(dir, "outbox", `${corruptId}.json`), "{not json");
    expect((await outbox.list()).map((b) => b.batchId)).toEqual([good.batchId]);
    expect(await outbox.listRejected()).toEqual([corruptId]);
  });

  test("files that are not batches are left alone, and a missing outbox lists nothing", async () => {
    expect(await outbox.list()).toEqual([]);
    expect(await outbox.count()).toBe(0);
    await outbox.save(newBatch([], new Date()));
    await writeFile(path.join(dir, "outbox", "notes.txt"), "hello");
    expect(await outbox.count()).toBe(1);
  });

  test("ids that are not UUIDs never become paths", async () => {
    await expect(outbox.remove("../agent")).rejects.toThrow(/Not a batch id/);
  });
});
