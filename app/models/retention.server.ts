import { retentionCutoff } from "#app/domain/retention.ts";
import { recordAuditEvent } from "#app/utils/audit.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { deleteExpiredExportFiles } from "./record-export.server.ts";

export type RetentionResult = {
  cutoff: Date;
  events: number;
  rollups: number;
  batches: number;
};

/**
 * Deletes events, hourly rollups and batch receipts older than the policy's
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
      // Let other requests run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  // Device by device and worker by worker, so each chunk is a range in the (deviceId, at) and
  // (workerId, hour) indexes: a lookup by time alone would scan every event every hour.
  const devices = await prisma.device.findMany({ select: { id: true, workerId: true } });
  let events = 0;
  for (const device of devices) {
    events += await deleteInChunks(
      `DELETE FROM "Event" WHERE "id" IN (SELECT "id" FROM "Event" WHERE "deviceId" = ? AND "at" < ? LIMIT ?)`,
      device.id,
      at,
    );
  }
  let rollups = 0;
  for (const workerId of new Set(devices.map((d) => d.workerId))) {
    rollups += await deleteInChunks(
      `DELETE FROM "EventRollup" WHERE rowid IN (SELECT rowid FROM "EventRollup" WHERE "workerId" = ? AND "hour" <= ? LIMIT ?)`,
      workerId,
      lastWholeHour,
    );
  }
  const batches = await deleteInChunks(
    `DELETE FROM "EventBatch" WHERE rowid IN (SELECT rowid FROM "EventBatch" WHERE "receivedAt" < ? LIMIT ?)`,
    at,
  );

  await prisma.$transaction((tx) =>
    recordAuditEvent(tx, {
      actorId: null,
      subjectUserId: null,
      action: "retention.run",
      metadata: { cutoff: cutoff.toISOString(), retentionDays, events, rollups, batches },
      at: now,
    }),
  );
  return { cutoff, events, rollups, batches };
}

const HOUR_MS = 60 * 60 * 1000;

declare global {
  var __lullRetentionTimer: NodeJS.Timeout | undefined;
}

/**
 * Runs retention (and deletes records exports past their 7 days) shortly
 * after start-up and then every hour, once per process.
 */
export function scheduleRetention(): void {
  if (globalThis.__lullRetentionTimer) return;
  const run = () =>
    runRetention()
      .then(() => deleteExpiredExportFiles(new Date()))
      .catch((error: unknown) =>
        console.error("retention:", error instanceof Error ? error.message : error),
      );
  setTimeout(run, 60_000).unref();
  globalThis.__lullRetentionTimer = setInterval(run, HOUR_MS).unref();
}
