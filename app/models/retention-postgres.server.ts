import { z } from "zod";
import { prisma } from "#app/utils/db.server.ts";
import type { RetentionStore } from "./retention-store.ts";

/**
 * Retention's SQL for PostgreSQL: DELETE has no LIMIT, so a chunk is the
 * primary keys a LIMITed select names (each table's key index finds them).
 * Times are TIMESTAMP(3) holding UTC, passed as Dates.
 */
const DeviceOfWorker = z.object({ id: z.string(), workerId: z.string() });

export const postgresRetentionStore: RetentionStore = {
  async devicesWithEventsBefore(cutoff) {
    const rows = await prisma.$queryRaw<unknown[]>`
      SELECT d."id", d."workerId" FROM "Device" d
      WHERE EXISTS (SELECT 1 FROM "Event" e WHERE e."deviceId" = d."id" AND e."at" < ${cutoff})`;
    return z.array(DeviceOfWorker).parse(rows);
  },

  deleteEventsOfDevice(deviceId, before, limit) {
    return prisma.$executeRaw`
      DELETE FROM "Event" WHERE "id" IN (
        SELECT "id" FROM "Event" WHERE "deviceId" = ${deviceId} AND "at" < ${before} LIMIT ${limit})`;
  },

  async workersWithRollupsBefore(lastWholeHour, day) {
    const rows = await prisma.$queryRaw<{ id: string }[]>`
      SELECT u."id" FROM "User" u
      WHERE EXISTS (SELECT 1 FROM "EventRollup" r
                    WHERE r."workerId" = u."id" AND r."hour" <= ${lastWholeHour})
         OR EXISTS (SELECT 1 FROM "EventRollupDay" r
                    WHERE r."workerId" = u."id" AND r."day" < ${day})`;
    return rows.map((r) => r.id);
  },

  deleteHourlyRollups(workerId, before, limit) {
    return prisma.$executeRaw`
      DELETE FROM "EventRollup" WHERE ("workerId", "deviceId", "type", "app", "hour") IN (
        SELECT "workerId", "deviceId", "type", "app", "hour" FROM "EventRollup"
        WHERE "workerId" = ${workerId} AND "hour" < ${before} LIMIT ${limit})`;
  },

  deleteDailyRollups(workerId, before, limit) {
    return prisma.$executeRaw`
      DELETE FROM "EventRollupDay" WHERE ("workerId", "deviceId", "type", "app", "day") IN (
        SELECT "workerId", "deviceId", "type", "app", "day" FROM "EventRollupDay"
        WHERE "workerId" = ${workerId} AND "day" < ${before} LIMIT ${limit})`;
  },

  async trimDay(workerId, { day, lastWholeHour, nextDay }) {
    const [hoursDeleted] = await prisma.$transaction([
      prisma.$executeRaw`
        DELETE FROM "EventRollup"
        WHERE "workerId" = ${workerId} AND "hour" >= ${day} AND "hour" <= ${lastWholeHour}`,
      prisma.$executeRaw`
        DELETE FROM "EventRollupDay" WHERE "workerId" = ${workerId} AND "day" = ${day}`,
      prisma.$executeRaw`
        INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")
        SELECT "workerId", "deviceId", "type", "app", ${day}::timestamp(3), SUM("count") FROM "EventRollup"
        WHERE "workerId" = ${workerId} AND "hour" >= ${day} AND "hour" < ${nextDay}
        GROUP BY "workerId", "deviceId", "type", "app"`,
    ]);
    return hoursDeleted;
  },

  deleteBatches(receivedBefore, limit) {
    return prisma.$executeRaw`
      DELETE FROM "EventBatch" WHERE ("deviceId", "batchId") IN (
        SELECT "deviceId", "batchId" FROM "EventBatch" WHERE "receivedAt" < ${receivedBefore}
        LIMIT ${limit})`;
  },

  deleteUploadHours(through, limit) {
    return prisma.$executeRaw`
      DELETE FROM "DeviceUsageHour" WHERE ("deviceId", "hour") IN (
        SELECT "deviceId", "hour" FROM "DeviceUsageHour" WHERE "hour" <= ${through} LIMIT ${limit})`;
  },

  deleteResourceHours(through, limit) {
    return prisma.$executeRaw`
      DELETE FROM "DeviceResourceHour" WHERE ("deviceId", "hour") IN (
        SELECT "deviceId", "hour" FROM "DeviceResourceHour" WHERE "hour" <= ${through} LIMIT ${limit})`;
  },
};
