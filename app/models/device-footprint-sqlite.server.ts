import type BetterSqlite3 from "better-sqlite3";
import { runSqliteTransaction } from "#app/utils/db.server.ts";
import { statementCache, toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type { DeviceFootprintStore } from "./device-footprint-store.ts";

/**
 * Usage reports on SQLite: one synchronous transaction on Prisma's own
 * connection (nothing else runs in between), with prepared statements.
 */

const statements = statementCache(prepare);

function prepare(db: BetterSqlite3.Database) {
  return {
    latestReport: db.prepare(
      `SELECT "lastPeriodStart", "lastPeriodEnd" FROM "DeviceResourceHour"
       WHERE "deviceId" = ? ORDER BY "hour" DESC LIMIT 1`,
    ),
    addReport: db.prepare(
      `INSERT INTO "DeviceResourceHour" ("deviceId", "hour", "reports", "cpuMs", "coveredMs", "peakRssBytes",
         "lastPeriodStart", "lastPeriodEnd", "lastCpuMs", "lastRssBytes", "lastReceivedAt")
       VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("deviceId", "hour") DO UPDATE SET "reports" = "reports" + 1,
         "cpuMs" = "cpuMs" + excluded."cpuMs", "coveredMs" = "coveredMs" + excluded."coveredMs",
         "peakRssBytes" = max("peakRssBytes", excluded."peakRssBytes"),
         "lastPeriodStart" = excluded."lastPeriodStart", "lastPeriodEnd" = excluded."lastPeriodEnd",
         "lastCpuMs" = excluded."lastCpuMs", "lastRssBytes" = excluded."lastRssBytes",
         "lastReceivedAt" = excluded."lastReceivedAt"`,
    ),
  };
}

export const sqliteDeviceFootprintStore: DeviceFootprintStore = {
  addUsageReport(deviceId, decide) {
    return runSqliteTransaction((db) => {
      const sql = statements(db);
      const latestRow = sql.latestReport.get(deviceId) as
        { lastPeriodStart: string; lastPeriodEnd: string } | undefined;
      const { add, result } = decide(
        latestRow
          ? {
              periodStart: new Date(latestRow.lastPeriodStart),
              periodEnd: new Date(latestRow.lastPeriodEnd),
            }
          : null,
      );
      if (add) {
        sql.addReport.run(
          deviceId,
          toStoredDateTime(add.hour),
          add.cpuMs,
          add.coveredMs,
          add.rssBytes,
          toStoredDateTime(add.periodStart),
          toStoredDateTime(add.periodEnd),
          add.cpuMs,
          add.rssBytes,
          toStoredDateTime(add.receivedAt),
        );
      }
      return result;
    });
  },
};
