import { runPostgresTransaction } from "#app/utils/db.server.ts";
import type { DeviceFootprintStore } from "./device-footprint-store.ts";

/**
 * Usage reports on PostgreSQL: one transaction on a connection of the app's
 * pool that first locks the device's row, so two reports of one device (on
 * any node) take turns; the latest report is read after the lock.
 */
export const postgresDeviceFootprintStore: DeviceFootprintStore = {
  addUsageReport(deviceId, decide) {
    return runPostgresTransaction(async (client) => {
      await client.query(`SELECT 1 FROM "Device" WHERE "id" = $1 FOR UPDATE`, [deviceId]);
      const { rows } = await client.query<{ lastPeriodStart: Date; lastPeriodEnd: Date }>(
        `SELECT "lastPeriodStart", "lastPeriodEnd" FROM "DeviceResourceHour"
         WHERE "deviceId" = $1 ORDER BY "hour" DESC LIMIT 1`,
        [deviceId],
      );
      const latest = rows[0];
      const { add, result } = decide(
        latest ? { periodStart: latest.lastPeriodStart, periodEnd: latest.lastPeriodEnd } : null,
      );
      if (add) {
        await client.query(
          `INSERT INTO "DeviceResourceHour" ("deviceId", "hour", "reports", "cpuMs", "coveredMs",
             "peakRssBytes", "lastPeriodStart", "lastPeriodEnd", "lastCpuMs", "lastRssBytes",
             "lastReceivedAt")
           VALUES ($1, $2::timestamp(3), 1, $3, $4, $5, $6::timestamp(3), $7::timestamp(3), $3, $5,
             $8::timestamp(3))
           ON CONFLICT ("deviceId", "hour") DO UPDATE SET
             "reports" = "DeviceResourceHour"."reports" + 1,
             "cpuMs" = "DeviceResourceHour"."cpuMs" + excluded."cpuMs",
             "coveredMs" = "DeviceResourceHour"."coveredMs" + excluded."coveredMs",
             "peakRssBytes" = GREATEST("DeviceResourceHour"."peakRssBytes", excluded."peakRssBytes"),
             "lastPeriodStart" = excluded."lastPeriodStart",
             "lastPeriodEnd" = excluded."lastPeriodEnd",
             "lastCpuMs" = excluded."lastCpuMs", "lastRssBytes" = excluded."lastRssBytes",
             "lastReceivedAt" = excluded."lastReceivedAt"`,
          [
            deviceId,
            add.hour.toISOString(),
            add.cpuMs,
            add.coveredMs,
            add.rssBytes,
            add.periodStart.toISOString(),
            add.periodEnd.toISOString(),
            add.receivedAt.toISOString(),
          ],
        );
      }
      return result;
    });
  },
};
