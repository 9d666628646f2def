import { runOnOneNode } from "#app/utils/one-node.server.ts";
import { dayBucket } from "#app/domain/ingest-rules.ts";
import { retentionCutoff } from "#app/domain/retention.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { yieldToRequests } from "#app/utils/pace.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { deleteAbandonedPartialFiles, deleteExpiredExportFiles } from "./record-export.server.ts";

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
};

/**
 * Deletes events, hourly and daily rollups, batch receipts and the devices' hourly
 * footprints (uploads, the agents' own resource reports) older than the policy's
 * retention, `chunkSize` rows per statement. Each statement is its own short
 * transaction, so the database is never locked for long, and the run is
 * recorded in the audit log with what it deleted.
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
  const at = toStoredDateTime(cutoff);
  // A rollup hour is deleted once all of it is past the cutoff.
  const lastWholeHour = toStoredDateTime(new Date(cutoff.getTime() - 3600_000));

  const deleteInChunks = async (sql: string, ...bound: string[]) => {
    let total = 0;
    for (;;) {
      const deleted = await prisma.$executeRawUnsafe(sql, ...bound, chunkSize);
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
  const devices = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT d."id" FROM "Device" d
     WHERE EXISTS (SELECT 1 FROM "Event" e WHERE e."deviceId" = d."id" AND e."at" < ?)`,
    at,
  );
  let events = 0;
  for (const device of devices) {
    events += await deleteInChunks(
      `DELETE FROM "Event" WHERE "id" IN (SELECT "id" FROM "Event" WHERE "deviceId" = ? AND "at" < ? LIMIT ?)`,
      device.id,
      at,
    );
    await yieldToRequests();
  }
  // The daily rollups (ADR 0030) follow the hourly ones: the UTC days wholly before the cutoff's
  // day go in chunks, hourly rows first (until the daily rows follow, a reader sees those days as
  // if retention had not reached them yet); the cutoff's own day loses its expired hours and has
  // its daily rows recomputed from the hours left, in one transaction, so they stay equal.
  const cutoffDay = toStoredDateTime(dayBucket(cutoff));
  const nextDay = toStoredDateTime(dayBucket(cutoff).getTime() + DAY_MS);
  const workers = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT u."id" FROM "User" u
     WHERE EXISTS (SELECT 1 FROM "EventRollup" r WHERE r."workerId" = u."id" AND r."hour" <= ?)
        OR EXISTS (SELECT 1 FROM "EventRollupDay" r WHERE r."workerId" = u."id" AND r."day" < ?)`,
    lastWholeHour,
    cutoffDay,
  );
  let rollups = 0;
  let dailyRollups = 0;
  for (const worker of workers) {
    rollups += await deleteInChunks(
      `DELETE FROM "EventRollup" WHERE rowid IN (SELECT rowid FROM "EventRollup" WHERE "workerId" = ? AND "hour" < ? LIMIT ?)`,
      worker.id,
      cutoffDay,
    );
    dailyRollups += await deleteInChunks(
      `DELETE FROM "EventRollupDay" WHERE rowid IN (SELECT rowid FROM "EventRollupDay" WHERE "workerId" = ? AND "day" < ? LIMIT ?)`,
      worker.id,
      cutoffDay,
    );
    if (lastWholeHour >= cutoffDay) {
      // At most 24 hours of one worker: one short transaction.
      const [hoursOfCutoffDay] = await prisma.$transaction([
        prisma.$executeRawUnsafe(
          `DELETE FROM "EventRollup" WHERE "workerId" = ? AND "hour" >= ? AND "hour" <= ?`,
          worker.id,
          cutoffDay,
          lastWholeHour,
        ),
        prisma.$executeRawUnsafe(
          `DELETE FROM "EventRollupDay" WHERE "workerId" = ? AND "day" = ?`,
          worker.id,
          cutoffDay,
        ),
        prisma.$executeRawUnsafe(
          `INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")
           SELECT "workerId", "deviceId", "type", "app", ?, SUM("count") FROM "EventRollup"
           WHERE "workerId" = ? AND "hour" >= ? AND "hour" < ?
           GROUP BY "workerId", "deviceId", "type", "app"`,
          cutoffDay,
          worker.id,
          cutoffDay,
          nextDay,
        ),
      ]);
      rollups += hoursOfCutoffDay;
    }
    await yieldToRequests();
  }
  const batches = await deleteInChunks(
    `DELETE FROM "EventBatch" WHERE rowid IN (SELECT rowid FROM "EventBatch" WHERE "receivedAt" < ? LIMIT ?)`,
    at,
  );

  // The footprint tables are indexed by hour: one range each, whatever the number of devices.
  const uploadHours = await deleteInChunks(
    `DELETE FROM "DeviceUsageHour" WHERE rowid IN (SELECT rowid FROM "DeviceUsageHour" WHERE "hour" <= ? LIMIT ?)`,
    lastWholeHour,
  );
  const resourceHours = await deleteInChunks(
    `DELETE FROM "DeviceResourceHour" WHERE rowid IN (SELECT rowid FROM "DeviceResourceHour" WHERE "hour" <= ? LIMIT ?)`,
    lastWholeHour,
  );

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
      },
      at: now,
    }),
  );
  return { cutoff, events, rollups, dailyRollups, batches, uploadHours, resourceHours };
}

const HOUR_MS = 60 * 60 * 1000;

declare global {
  var __lullRetentionTimer: NodeJS.Timeout | undefined;
}

/**
 * The hourly job: retention, records exports past their 7 days, and files
 * that failed or interrupted exports left behind. Each step runs even if
 * another failed; failures are logged.
 */
export async function runHourlyJobs(now = new Date()): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ["retention", () => runRetention({ now })],
    ["expired exports", () => deleteExpiredExportFiles(now)],
    ["abandoned export files", () => deleteAbandonedPartialFiles(now)],
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
