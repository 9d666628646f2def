/**
 * The records export's reader on PostgreSQL: the rows the SQLite reader reads,
 * in the same order, through the app's pool. The events and the rollups come
 * in keyset pages (one short statement each, no transaction held open across
 * the archive's writes), and each event is formatted by the shared
 * `eventCsvLine`/`eventNdjsonLine`, so events.csv and events.ndjson are the
 * bytes SQLite builds.
 *
 * Times are read as UTC ISO 8601 text (`to_char`, the columns are TIMESTAMP(3)
 * holding UTC) under the column's own name, so ORDER BY names the table's
 * column (`e."at"`): a bare "at" would sort by the text and miss the index.
 * Text sort keys are compared `COLLATE "C"` (byte order, as SQLite's BINARY),
 * whatever collation the database was created with.
 */
import { z } from "zod";
import { prisma } from "#app/utils/db.server.ts";
import { eventCsvLine, eventNdjsonLine, type StoredEvent } from "./event-lines.ts";
import {
  DeviceRow,
  EXPORT_PAGE_ROWS,
  type ExportReader,
  PauseRow,
  RollupRow,
} from "./export-store.ts";
import type { ZonePart } from "./local-time-column.ts";
import type { StoredRollup } from "./section-rows.ts";

const Count = z.object({ n: z.union([z.bigint(), z.number(), z.string()]).transform(Number) });

const EventRow: z.ZodType<StoredEvent> = z.object({
  id: z.number(),
  at: z.string(),
  deviceId: z.string(),
  type: z.string(),
  app: z.string(),
  data: z.string(),
  receivedAt: z.string(),
});

function readEventPage(workerId: string, after: { at: string; id: number } | null) {
  return after
    ? prisma.$queryRaw<unknown[]>`
        SELECT "id", to_char("at", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "at", "deviceId", "type",
               "app", "data", to_char("receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt"
        FROM "Event" e
        WHERE e."workerId" = ${workerId} AND (e."at", e."id") > (${after.at}::timestamp(3), ${after.id}::integer)
        ORDER BY e."at", e."id" LIMIT ${EXPORT_PAGE_ROWS}`
    : prisma.$queryRaw<unknown[]>`
        SELECT "id", to_char("at", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "at", "deviceId", "type",
               "app", "data", to_char("receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt"
        FROM "Event" e
        WHERE e."workerId" = ${workerId}
        ORDER BY e."at", e."id" LIMIT ${EXPORT_PAGE_ROWS}`;
}

function readRollupPage(workerId: string, after: StoredRollup | null) {
  return after
    ? prisma.$queryRaw<unknown[]>`
        SELECT to_char("hour", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "hour", "deviceId", "type", "app", "count"
        FROM "EventRollup" r
        WHERE r."workerId" = ${workerId}
          AND (r."hour", r."deviceId" COLLATE "C", r."type" COLLATE "C", r."app" COLLATE "C")
            > (${after.hour}::timestamp(3), ${after.deviceId}, ${after.type}, ${after.app})
        ORDER BY r."hour", r."deviceId" COLLATE "C", r."type" COLLATE "C", r."app" COLLATE "C"
        LIMIT ${EXPORT_PAGE_ROWS}`
    : prisma.$queryRaw<unknown[]>`
        SELECT to_char("hour", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "hour", "deviceId", "type", "app", "count"
        FROM "EventRollup" r
        WHERE r."workerId" = ${workerId}
        ORDER BY r."hour", r."deviceId" COLLATE "C", r."type" COLLATE "C", r."app" COLLATE "C"
        LIMIT ${EXPORT_PAGE_ROWS}`;
}

/** Opens the reader (the app's pool: nothing of its own to close). */
export function openPostgresExportReader(): ExportReader {
  return {
    async countSectionRows(workerId) {
      const [events, rollups, pauses] = await Promise.all([
        // As on SQLite: the hourly rollups count the events exactly, far cheaper than the events.
        prisma.$queryRaw<unknown[]>`
          SELECT COALESCE(SUM("count"), 0) AS "n" FROM "EventRollup" WHERE "workerId" = ${workerId}`,
        prisma.$queryRaw<unknown[]>`
          SELECT COUNT(*) AS "n" FROM "EventRollup" WHERE "workerId" = ${workerId}`,
        prisma.$queryRaw<unknown[]>`
          SELECT COUNT(*) AS "n" FROM "Pause" WHERE "workerId" = ${workerId}`,
      ]);
      const n = (rows: unknown[]) => Count.parse(rows[0]).n;
      return { events: n(events), rollups: n(rollups), pauses: n(pauses) };
    },

    async readDevices(workerId) {
      const rows = await prisma.$queryRaw<unknown[]>`
        SELECT "id", "name", "platform", "agentVersion",
               to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
               to_char("lastSeenAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastSeenAt",
               to_char("revokedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "revokedAt",
               "storedEvents", "discardedPaused", "discardedExempt", "discardedUnacknowledged", "rejectedFuture"
        FROM "Device" d WHERE d."workerId" = ${workerId} ORDER BY d."createdAt", d."id" COLLATE "C"`;
      return z.array(DeviceRow).parse(rows);
    },

    async readPauses(workerId) {
      const rows = await prisma.$queryRaw<unknown[]>`
        SELECT "id", "kind"::text AS "kind",
               to_char("startsAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startsAt",
               to_char("endsAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endsAt",
               to_char("endedEarlyAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endedEarlyAt",
               to_char("cancelledAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "cancelledAt",
               to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
        FROM "Pause" p WHERE p."workerId" = ${workerId} ORDER BY p."startsAt", p."id" COLLATE "C"`;
      return z.array(PauseRow).parse(rows);
    },

    async *readRollups(workerId) {
      let after: StoredRollup | null = null;
      for (;;) {
        const rows = z.array(RollupRow).parse(await readRollupPage(workerId, after));
        yield* rows;
        if (rows.length < EXPORT_PAGE_ROWS) return;
        after = rows[rows.length - 1]!;
      }
    },

    async forEachEventPage(workerId, local, onPage) {
      let hour = "";
      let parts: readonly ZonePart[] = [];
      let after: { at: string; id: number } | null = null;
      for (;;) {
        const rows = z.array(EventRow).parse(await readEventPage(workerId, after));
        if (rows.length === 0) return;
        let csv = "";
        let ndjson = "";
        for (const row of rows) {
          // Rows come by time: the zone is asked once per UTC hour that holds events.
          if (row.at.slice(0, 13) !== hour) {
            hour = row.at.slice(0, 13);
            parts = local.zoneOfHour(hour);
          }
          csv += eventCsvLine(row, parts);
          ndjson += eventNdjsonLine(row);
        }
        await onPage({ csv, ndjson, rows: rows.length });
        const last = rows[rows.length - 1]!;
        after = { at: last.at, id: last.id };
      }
    },

    close() {},
  };
}
