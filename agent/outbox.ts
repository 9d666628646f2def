/**
 * Batches waiting for the server, one JSON file each under <config-dir>/outbox.
 * A batch is written here before its first upload attempt and deleted only
 * after the server confirmed it, so a crash or an outage loses nothing; its
 * batchId never changes, so the server counts it once however often it is
 * sent. Batches the server refuses for good go to <config-dir>/rejected with
 * a note saying why.
 */
import { randomUUID } from "node:crypto";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { EventBatchSchema, type AgentEvent } from "../app/agent-protocol/v1.ts";
import { agentPaths, ensurePrivateDir, writePrivateFile } from "./config.ts";

export const PendingBatchSchema = EventBatchSchema.extend({
  createdAt: z.string().datetime(),
});
export type PendingBatch = z.infer<typeof PendingBatchSchema>;

const BATCH_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/i;

export function newBatch(events: AgentEvent[], createdAt: Date): PendingBatch {
  return { batchId: randomUUID(), createdAt: createdAt.toISOString(), events };
}

export class Outbox {
  readonly outboxDir: string;
  readonly rejectedDir: string;

  constructor(configDir: string) {
    this.outboxDir = agentPaths(configDir).outbox;
    this.rejectedDir = agentPaths(configDir).rejected;
  }

  private fileFor(dir: string, batchId: string): string {
    if (!BATCH_FILE.test(`${batchId}.json`)) throw new Error(`Not a batch id: ${batchId}`);
    return path.join(dir, `${batchId}.json`);
  }

  async save(batch: PendingBatch): Promise<void> {
    await ensurePrivateDir(this.outboxDir);
    await writePrivateFile(this.fileFor(this.outboxDir, batch.batchId), JSON.stringify(batch));
  }

  /** Every waiting batch, oldest first. Unreadable files are moved to rejected/. */
  async list(): Promise<PendingBatch[]> {
    let names: string[];
    try {
      names = await readdir(this.outboxDir);
    } catch {
      return [];
    }
    const batches: PendingBatch[] = [];
    for (const name of names) {
      const id = BATCH_FILE.exec(name)?.[1];
      if (!id) continue;
      let batch: PendingBatch | null = null;
      try {
        const parsed = PendingBatchSchema.safeParse(
          JSON.parse(await readFile(path.join(this.outboxDir, name), "utf8")),
        );
        if (parsed.success && parsed.data.batchId === id) batch = parsed.data;
      } catch {
        // Unreadable JSON is handled like an invalid batch below.
      }
      if (batch) batches.push(batch);
      else await this.reject(id, "The file in the outbox is not a valid batch.");
    }
    return batches.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.batchId.localeCompare(b.batchId),
    );
  }

  async count(): Promise<number> {
    try {
      return (await readdir(this.outboxDir)).filter((name) => BATCH_FILE.test(name)).length;
    } catch {
      return 0;
    }
  }

  /** The server stored it: forget it. */
  async remove(batchId: string): Promise<void> {
    await rm(this.fileFor(this.outboxDir, batchId), { force: true });
  }

  /** The server refused it for good: keep it aside, with the reason, for a person to look at. */
  async reject(batchId: string, reason: string): Promise<string> {
    await ensurePrivateDir(this.rejectedDir);
    const target = this.fileFor(this.rejectedDir, batchId);
    await rename(this.fileFor(this.outboxDir, batchId), target);
    await writeFile(
      path.join(this.rejectedDir, `${batchId}.reason.txt`),
      `${new Date().toISOString()} ${reason}\n`,
      { mode: 0o600 },
    );
    return target;
  }

  async listRejected(): Promise<string[]> {
    try {
      return (await readdir(this.rejectedDir))
        .map((name) => BATCH_FILE.exec(name)?.[1])
        .filter((id): id is string => id !== undefined);
    } catch {
      return [];
    }
  }
}
