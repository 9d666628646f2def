import { z } from "zod";
import { prisma } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type { RetentionStore } from "./retention-store.ts";

/**
 * Retention's SQL for SQLite: a chunk is the rows whose rowid a LIMITed
 * select names; times compared as the stored ISO text.
 */
const at = toStoredDateTime;

const DeviceOfWorker = z.object({ id: z.string(), workerId: z.string() });

export const sqliteRetentionStore: RetentionStore = {
  async devicesWithEventsBefore(cutoff) {
    const rows = await prisma.$queryRawUnsafe<unknown[]>(
      `SELECT d."id", d."workerId" FROM "Device" d
       WHERE EXISTS (SELECT 1 FROM "Event" e WHERE e."deviceId" = d."id" AND e."at" < ?)`,
      at(cutoff),
    );
    return z.array(DeviceOfWorker).parse(rows);
  },

  deleteEventsOfDevice(deviceId, before, limit) {
    return prisma.$executeRawUnsafe(
      `DELETE FROM "Event" WHERE "id" IN (SELECT "id" FROM "Event" WHERE "deviceId" = ? AND "at" < ? LIMIT ?)`,
      deviceId,
      at(before),
      limit,
    );
  },

  async workersWithRollupsBefore(lastWholeHour, day) {
    const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT u."id" FROM "User" u
       WHERE EXISTS (SELECT 1 FROM "EventRollup" r WHERE r."workerId" = u."id" AND r."hour" <= ?)
          OR EXISTS (SELECT 1 FROM "EventRollupDay" r WHERE r."workerId" = u."id" AND r."day" < ?)`,
      at(lastWholeHour),
      at(day),
    );
    return rows.map((r) => r.id);
  },

  deleteHourlyRollups(workerId, before, limit) {
    return prisma.$executeRawUnsafe(
      `DELETE FROM "EventRollup" WHERE rowid IN (SELECT rowid FROM "EventRollup" WHERE "workerId" = ? AND "hour" < ? LIMIT ?)`,
      workerId,
      at(before),
      limit,
    );
  },

  deleteDailyRollups(workerId, before, limit) {
    return prisma.$executeRawUnsafe(
      `DELETE FROM "EventRollupDay" WHERE rowid IN (SELECT rowid FROM "EventRollupDay" WHERE "workerId" = ? AND "day" < ? LIMIT ?)`,
      workerId,
      at(before),
      limit,
    );
  },

  async trimDay(workerId, { day, lastWholeHour, nextDay }) {
    const [hoursDeleted] = await prisma.$transaction([
      prisma.$executeRawUnsafe(
        `DELETE FROM "EventRollup" WHERE "workerId" = ? AND "hour" >= ? AND "hour" <= ?`,
        workerId,
        at(day),
        at(lastWholeHour),
      ),
      prisma.$executeRawUnsafe(
        `DELETE FROM "EventRollupDay" WHERE "workerId" = ? AND "day" = ?`,
        workerId,
        at(day),
      ),
      prisma.$executeRawUnsafe(
        `INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")
         SELECT "workerId", "deviceId", "type", "app", ?, SUM("count") FROM "EventRollup"
         WHERE "workerId" = ? AND "hour" >= ? AND "hour" < ?
         GROUP BY "workerId", "deviceId", "type", "app"`,
        at(day),
        workerId,
        at(day),
        at(nextDay),
      ),
    ]);
    return hoursDeleted;
  },

  deleteBatches(receivedBefore, limit) {
    return prisma.$executeRawUnsafe(
      `DELETE FROM "EventBatch" WHERE rowid IN (SELECT rowid FROM "EventBatch" WHERE "receivedAt" < ? LIMIT ?)`,
      at(receivedBefore),
      limit,
    );
  },

  deleteUploadHours(through, limit) {
    return prisma.$executeRawUnsafe(
      `DELETE FROM "DeviceUsageHour" WHERE rowid IN (SELECT rowid FROM "DeviceUsageHour" WHERE "hour" <= ? LIMIT ?)`,
      at(through),
      limit,
    );
  },

  deleteResourceHours(through, limit) {
    return prisma.$executeRawUnsafe(
      `DELETE FROM "DeviceResourceHour" WHERE rowid IN (SELECT rowid FROM "DeviceResourceHour" WHERE "hour" <= ? LIMIT ?)`,
      at(through),
      limit,
    );
  },
};
