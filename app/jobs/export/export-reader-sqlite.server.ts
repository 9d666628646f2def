/**
 * The records export's reader on SQLite: its own connection to the SQLite
 * file, the one place it is opened (ADR 0011).
 *
 * Why not the app's Prisma client: an export reads up to millions of events in
 * keyset pages and has SQLite format each row as text, one page at a time, so
 * memory stays flat (the process peaks at ~150 MB on 2 million events); Prisma
 * would turn every row into objects first. Why a separate, read-only
 * connection rather than the app's better-sqlite3 handle: ingestion runs its
 * statements on that handle (ADR 0007), and the export's temp table
 * ("ExportZone") must stay private to the export. In WAL mode this reader
 * never blocks the app's writer.
 */
import Database from "better-sqlite3";
import { z } from "zod";
import { getEnv } from "#app/utils/env.server.ts";
import { sqlitePathFromUrl } from "#app/utils/sqlite-adapter.server.ts";
import { forEachEventPage } from "./event-pages-sqlite.server.ts";
import { DeviceRow, type ExportReader, PauseRow, RollupRow } from "./export-store.ts";
import type { StoredRollup } from "./section-rows.ts";

const Count = z.object({ n: z.number() });

/** Opens the reader; the caller closes it when the export ends, however it ends. */
export function openSqliteExportReader(): ExportReader {
  const db = new Database(sqlitePathFromUrl(getEnv().DATABASE_URL), {
    readonly: true,
    fileMustExist: true,
  });
  return {
    async countSectionRows(workerId) {
      const count = (sql: string) => Count.parse(db.prepare(sql).get(workerId)).n;
      return {
        // The hourly rollups count the events exactly (ingestion writes both in one transaction),
        // and summing them is ~100× cheaper than counting millions of event rows.
        events: count(
          `SELECT COALESCE(SUM("count"), 0) AS n FROM "EventRollup" WHERE "workerId" = ?`,
        ),
        rollups: count(`SELECT COUNT(*) AS n FROM "EventRollup" WHERE "workerId" = ?`),
        pauses: count(`SELECT COUNT(*) AS n FROM "Pause" WHERE "workerId" = ?`),
      };
    },

    async readDevices(workerId) {
      const rows = db
        .prepare(
          `SELECT "id", "name", "platform", "agentVersion", "createdAt", "lastSeenAt", "revokedAt",
                  "storedEvents", "discardedPaused", "discardedExempt", "discardedUnacknowledged", "rejectedFuture"
           FROM "Device" WHERE "workerId" = ? ORDER BY "createdAt"`,
        )
        .all(workerId);
      return z.array(DeviceRow).parse(rows);
    },

    async readPauses(workerId) {
      const rows = db
        .prepare(
          `SELECT "id", "kind", "startsAt", "endsAt", "endedEarlyAt", "cancelledAt", "createdAt"
           FROM "Pause" WHERE "workerId" = ? ORDER BY "startsAt", "id"`,
        )
        .all(workerId);
      return z.array(PauseRow).parse(rows);
    },

    /** Streamed from the database one row at a time. */
    *readRollups(workerId): Generator<StoredRollup, void, undefined> {
      const rows = db
        .prepare(
          `SELECT "hour", "deviceId", "type", "app", "count" FROM "EventRollup" WHERE "workerId" = ?
           ORDER BY "hour", "deviceId", "type", "app"`,
        )
        .iterate(workerId);
      for (const row of rows) yield RollupRow.parse(row);
    },

    forEachEventPage: (workerId, local, onPage) => forEachEventPage(db, workerId, local, onPage),

    close() {
      db.close();
    },
  };
}
