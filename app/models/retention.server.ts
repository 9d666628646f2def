import { runOnOneNode } from "#app/utils/one-node.server.ts";
import { dayBucket } from "#app/domain/ingest-rules.ts";
import { retentionCutoff, retentionDue } from "#app/domain/retention.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { yieldToRequests } from "#app/utils/pace.ts";
import { issueDeletionReceipt } from "./deletion-receipt.server.ts";
import { deleteAbandonedPartialFiles, deleteExpiredExportFiles } from "./record-export.server.ts";
import { sweepDatasetFiles } from "./dataset.server.ts";
import { postgresRetentionStore } from "./retention-postgres.server.ts";
import { sqliteRetentionStore } from "./retention-sqlite.server.ts";

/** Retention's deletes, in this process's database's dialect (ADR 0032). */
const store = byProvider({
  sqlite: () => sqliteRetentionStore,
  postgresql: () => postgresRetentionStore,
});

const DAY_MS = 24 * 60 * 60 * 1000;

export type RetentionResult = {
  cutoff: Date;
  events: number;
  rollups: number;
  /** Daily rollup rows deleted (ADR 0030); the cutoff's day is recomputed, not counted. */
  dailyRollups: number;
  batches: number;
  /** Hourly upload footprints and agent resource reports (ADR 0026). */
  uploadHours: number;
  resourceHours: number;
  /** Deletion receipts issued: one per worker whose events or rollups went (ADR 0041). */
  receipts: number;
};

/** What one run removed of one worker's data: the counts their receipt states. */
type RemovedOfWorker = { events: number; hourlyRollupRows: number; dailyRollupRows: number };

/** Receipts signed and stored per transaction: short, however many workers a run reached. */
export const RECEIPTS_PER_TRANSACTION = 100;

/**
 * Deletes events, hourly and daily rollups, batch receipts and the devices' hourly
 * footprints (uploads, the agents' own resource reports) older than the policy's
 * retention, `chunkSize` rows per statement. Each statement is its own short
 * transaction, so the database is never locked for long, and the run is
 * recorded in the audit log with what it deleted. Every worker whose events
 * or rollup rows went gets a signed deletion receipt (ADR 0041), issued after
 * the deletes, `RECEIPTS_PER_TRANSACTION` to a transaction.
 */
export async function runRetention({
  now = new Date(),
  chunkSize = 5000,
} = {}): Promise<RetentionResult> {
  const { retentionDays } = await prisma.policy.findUniqueOrThrow({
    where: { id: 1 },
    select: { retentionDays: true },
  });
  const cutoff = retentionCutoff(now, retentionDays);
  // A rollup hour is deleted once all of it is past the cutoff.
  const lastWholeHour = new Date(cutoff.getTime() - 3600_000);

  const deleteInChunks = async (deleteChunk: (limit: number) => Promise<number>) => {
    let total = 0;
    for (;;) {
      const deleted = await deleteChunk(chunkSize);
      total += deleted;
      if (deleted < chunkSize) return total;
      await yieldToRequests();
    }
  };

  // Device by device and worker by worker, so each chunk is a range in the (deviceId, at) and
  // (workerId, hour) indexes: a lookup by time alone would scan every event every hour. Only
  // devices and workers that hold something past the cutoff are visited (one index seek each,
  // in one statement): at 15,000 devices, a DELETE for each took 3 s with nothing to delete,
  // and since the driver is synchronous those awaits never let a request in.
  // What each worker lost, for their receipt: a device's events count for the worker it
  // belongs to (the same query that finds the devices names it).
  const removed = new Map<string, RemovedOfWorker>();
  const removedOf = (workerId: string) => {
    let tally = removed.get(workerId);
    if (!tally) {
      tally = { events: 0, hourlyRollupRows: 0, dailyRollupRows: 0 };
      removed.set(workerId, tally);
    }
    return tally;
  };
  const devices = await store().devicesWithEventsBefore(cutoff);
  let events = 0;
  for (const device of devices) {
    const deleted = await deleteInChunks((limit) =>
      store().deleteEventsOfDevice(device.id, cutoff, limit),
    );
    events += deleted;
    if (deleted > 0) removedOf(device.workerId).events += deleted;
    await yieldToRequests();
  }
  // The daily rollups (ADR 0030) follow the hourly ones: the UTC days wholly before the cutoff's
  // day go in chunks, hourly rows first (until the daily rows follow, a reader sees those days as
  // if retention had not reached them yet); the cutoff's own day loses its expired hours and has
  // its daily rows recomputed from the hours left, in one transaction, so they stay equal.
  const cutoffDay = dayBucket(cutoff);
  const nextDay = new Date(cutoffDay.getTime() + DAY_MS);
  const workers = await store().workersWithRollupsBefore(lastWholeHour, cutoffDay);
  let rollups = 0;
  let dailyRollups = 0;
  for (const workerId of workers) {
    let hourly = await deleteInChunks((limit) =>
      store().deleteHourlyRollups(workerId, cutoffDay, limit),
    );
    const daily = await deleteInChunks((limit) =>
      store().deleteDailyRollups(workerId, cutoffDay, limit),
    );
    if (lastWholeHour.getTime() >= cutoffDay.getTime()) {
      // At most 24 hours of one worker: one short transaction.
      hourly += await store().trimDay(workerId, { day: cutoffDay, lastWholeHour, nextDay });
    }
    rollups += hourly;
    dailyRollups += daily;
    if (hourly > 0 || daily > 0) {
      const tally = removedOf(workerId);
      tally.hourlyRollupRows += hourly;
      tally.dailyRollupRows += daily;
    }
    await yieldToRequests();
  }
  const batches = await deleteInChunks((limit) => store().deleteBatches(cutoff, limit));

  // The footprint tables are indexed by hour: one range each, whatever the number of devices.
  const uploadHours = await deleteInChunks((limit) =>
    store().deleteUploadHours(lastWholeHour, limit),
  );
  const resourceHours = await deleteInChunks((limit) =>
    store().deleteResourceHours(lastWholeHour, limit),
  );

  const receipts = await issueRetentionReceipts(removed, cutoff, now);

  await runCommand(now, ({ audit }) =>
    audit({
      actorId: null,
      subjectUserId: null,
      action: "retention.run",
      metadata: {
        cutoff: cutoff.toISOString(),
        retentionDays,
        events,
        rollups,
        dailyRollups,
        batches,
        uploadHours,
        resourceHours,
        receipts,
      },
      at: now,
    }),
  );
  return { cutoff, events, rollups, dailyRollups, batches, uploadHours, resourceHours, receipts };
}

/**
 * One deletion receipt per worker in `removed` (kind `retention`: everything
 * before `cutoff`), signed and stored `RECEIPTS_PER_TRANSACTION` to a short
 * transaction, requests served between them. A worker whose account is gone
 * by now (their data went with it) gets none. Answers how many were issued.
 */
async function issueRetentionReceipts(
  removed: ReadonlyMap<string, RemovedOfWorker>,
  cutoff: Date,
  now: Date,
): Promise<number> {
  const workerIds = [...removed.keys()];
  let issued = 0;
  for (let i = 0; i < workerIds.length; i += RECEIPTS_PER_TRANSACTION) {
    const slice = workerIds.slice(i, i + RECEIPTS_PER_TRANSACTION);
    issued += await prisma.$transaction(async (tx) => {
      const present = await tx.user.findMany({
        where: { id: { in: slice } },
        select: { id: true },
      });
      for (const { id } of present) {
        await issueDeletionReceipt(
          tx,
          id,
          { kind: "retention", from: null, to: cutoff, app: null, ...removed.get(id)! },
          now,
        );
      }
      return present.length;
    });
    await yieldToRequests();
  }
  return issued;
}

const HOUR_MS = 60 * 60 * 1000;

declare global {
  var __lullRetentionTimer: NodeJS.Timeout | undefined;
}

/** When retention last ran (its audit event; `(action, at)` is indexed). */
async function lastRetentionRun(): Promise<Date | null> {
  const last = await prisma.auditEvent.findFirst({
    where: { action: "retention.run" },
    orderBy: { at: "desc" },
    select: { at: true },
  });
  return last?.at ?? null;
}

/**
 * The hourly job: retention once per UTC day (`retentionDue`, ADR 0041), records exports past their 7 days,
 * files that failed or interrupted exports left behind, and dataset files past their purpose's
 * retention (ADR 0043). Each step runs even if
 * another failed; failures are logged.
 */
export async function runHourlyJobs(now = new Date()): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    [
      "retention",
      async () => (retentionDue(await lastRetentionRun(), now) ? runRetention({ now }) : null),
    ],
    ["expired exports", () => deleteExpiredExportFiles(now)],
    ["abandoned export files", () => deleteAbandonedPartialFiles(now)],
    ["dataset files", () => sweepDatasetFiles(now)],
  ];
  for (const [name, step] of steps) {
    await step().catch((error: unknown) =>
      console.error(`${name}:`, error instanceof Error ? error.message : error),
    );
  }
}

/**
 * Runs the hourly job shortly after start-up and then every hour, once per process, and on
 * one node at a time when several share a PostgreSQL database.
 */
export function scheduleRetention(): void {
  if (globalThis.__lullRetentionTimer) return;
  const run = () =>
    runOnOneNode("hourly-jobs", () => runHourlyJobs(new Date())).catch((error: unknown) =>
      console.error("hourly jobs:", error instanceof Error ? error.message : error),
    );
  setTimeout(run, 60_000).unref();
  globalThis.__lullRetentionTimer = setInterval(run, HOUR_MS).unref();
}
