/**
 * A worker's events for the export on SQLite, read once in keyset pages on
 * (at, id), each row already formatted by SQLite as its CSV line and its
 * NDJSON line (ADR 0011): two strings per row instead of a dozen values, so
 * millions of rows leave little garbage on the JS heap. The lines are the
 * bytes `eventCsvLine` and `eventNdjsonLine` write (event-lines.ts), which
 * the PostgreSQL reader uses; test/integration/export-reader.test.ts holds
 * them together.
 */
import type Database from "better-sqlite3";
import { z } from "zod";
import { pacer } from "#app/utils/pace.ts";
import type { EventPage } from "./event-lines.ts";
import { EXPORT_PAGE_ROWS } from "./export-store.ts";
import { type LocalTimeFormatter, storedToUtc } from "./local-time-column.ts";
import { sqliteCsvField, sqliteCsvQuoted, sqliteCsvRow } from "./sqlite-csv.ts";

/** A stored time ("…T09:30:00.000+00:00") as UTC ISO 8601 in SQL, as `storedToUtc` does. */
const utcSql = (column: string) => `substr(${column}, 1, 23) || 'Z'`;

// The local column: whole-hour offsets swap the date-and-hour prefix; others shift the time.
// Both come from the "ExportZone" temp table: per UTC hour that holds events, one row, or two
// when the offset changes within the hour; an event takes the row whose [from, until) holds it.
const LOCAL_SQL = `COALESCE(z."prefix" || substr(e."at", 14, 10), strftime('%Y-%m-%dT%H:%M:%f', substr(e."at", 1, 23), z."modifier")) || z."suffix"`;

const EVENT_CSV_LINE = sqliteCsvRow([
  `e."id"`,
  utcSql(`e."at"`),
  LOCAL_SQL,
  `e."deviceId"`,
  `e."type"`,
  sqliteCsvField(`e."app"`),
  // Always quoted (ADR 0011): the data is a JSON object, whose quotes would mostly force it anyway.
  sqliteCsvQuoted(`e."data"`),
  utcSql(`e."receivedAt"`),
]);

const EVENT_NDJSON_LINE = `json_object('id', e."id", 'at', ${utcSql(`e."at"`)}, 'deviceId', e."deviceId", 'type', e."type",
  'app', e."app", 'data', json(e."data"), 'receivedAt', ${utcSql(`e."receivedAt"`)}) || char(10)`;

const PAGE_SELECT = `SELECT ${EVENT_CSV_LINE}, ${EVENT_NDJSON_LINE}, e."at", e."id"
  FROM "Event" e JOIN "ExportZone" z ON z."hour" = substr(e."at", 1, 13)
    AND substr(e."at", 1, 23) >= z."from" AND substr(e."at", 1, 23) < z."until"`;

/** One page as SQLite returns it (raw rows): the two lines, and the keyset cursor. */
type EventLines = [csv: string, ndjson: string, at: string, id: number];

/**
 * Fills the connection's "ExportZone" temp table with the worker's zone offset
 * for every UTC hour that holds one of their events: one index seek per such
 * hour, so the work follows the data, not the span between the first and the
 * last event (one event dated decades back must not mean a loop over every
 * hour in between), paced so requests keep their turn.
 */
async function fillZoneTable(
  db: Database.Database,
  workerId: string,
  local: LocalTimeFormatter,
): Promise<void> {
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS "ExportZone" ("hour" TEXT, "from" TEXT, "until" TEXT, "prefix" TEXT, "modifier" TEXT, "suffix" TEXT, PRIMARY KEY ("hour", "from")) WITHOUT ROWID;
     DELETE FROM "ExportZone";`,
  );
  const firstFrom = db
    .prepare(`SELECT "at" FROM "Event" WHERE "workerId" = ? AND "at" >= ? ORDER BY "at" LIMIT 1`)
    .pluck();
  const insertZone = db.prepare(`INSERT INTO "ExportZone" VALUES (?, ?, ?, ?, ?, ?)`);
  const takeTurn = pacer();
  let from = "";
  for (;;) {
    const at = z.string().optional().parse(firstFrom.get(workerId, from));
    if (at === undefined) return;
    const hour = storedToUtc(at).slice(0, 13);
    const parts = local.zoneOfHour(hour);
    for (const [i, part] of parts.entries()) {
      // Stored times compare as text: the hour's end is after any time within it.
      const until = parts[i + 1]?.from ?? `${hour}\uffff`;
      insertZone.run(
        hour,
        part.from,
        until,
        part.prefix,
        `${part.offset / 60_000} minutes`,
        part.suffix,
      );
    }
    // The next seek starts at the next hour (stored times compare as text).
    from = `${at.slice(0, 13)}\uffff`;
    await takeTurn();
  }
}

/**
 * The worker's events, oldest first, handed to `onPage` one page of formatted
 * lines at a time; the next page is read only once `onPage` has settled, so
 * the archive's backpressure reaches the database reads. (A callback rather
 * than a generator suspended across the writes: on a 400,000-event export the
 * generator's version grew the JS heap to ~60 MB instead of ~30 MB.)
 */
export async function forEachEventPage(
  db: Database.Database,
  workerId: string,
  local: LocalTimeFormatter,
  onPage: (page: EventPage) => Promise<void>,
): Promise<void> {
  await fillZoneTable(db, workerId, local);
  const firstPage = db
    .prepare(
      `${PAGE_SELECT} WHERE e."workerId" = ? ORDER BY e."at", e."id" LIMIT ${EXPORT_PAGE_ROWS}`,
    )
    .raw(true);
  const nextPage = db
    .prepare(
      // A row-value comparison, so SQLite starts the index range at the cursor (the OR form
      // re-walked the worker's index from the start on every page: quadratic).
      `${PAGE_SELECT} WHERE e."workerId" = ? AND (e."at", e."id") > (?, ?)
       ORDER BY e."at", e."id" LIMIT ${EXPORT_PAGE_ROWS}`,
    )
    .raw(true);
  let rows = firstPage.all(workerId) as EventLines[];
  while (rows.length > 0) {
    let csv = "";
    let ndjson = "";
    for (const row of rows) {
      csv += row[0];
      ndjson += row[1];
    }
    await onPage({ csv, ndjson, rows: rows.length });
    const last = rows[rows.length - 1]!;
    rows = nextPage.all(workerId, last[2], last[3]) as EventLines[];
  }
}
