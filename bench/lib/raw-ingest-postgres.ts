/**
 * The same-run baseline for ingestion on PostgreSQL: plain `pg` writing the
 * rows the server writes for each batch (app/models/ingest-postgres.server.ts)
 * straight into a copy of the bench database (CREATE DATABASE … TEMPLATE:
 * same schema, indexes, triggers, users), one transaction per batch,
 * `concurrency` connections at once (as many batches as the HTTP run has in
 * flight). The rows go in as multi-row `INSERT … VALUES` ("values") or as
 * one `INSERT … SELECT FROM unnest(arrays)` per table ("unnest", the form
 * the app uses): the bench takes the faster as its baseline.
 *
 * - "full": the Event rows, the EventRollup and EventRollupDay upserts (in
 *   key order, as the app does), the Device counters, the DeviceUsageHour
 *   and IngestDay upserts and the EventBatch row;
 * - "events": the Event rows alone.
 *
 * What it leaves out is the app's own work: the claim-and-facts read
 * (pauses, exemptions, the acknowledgement gate), authentication, parsing.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { storedBatchResult, type RawBatch } from "./raw-ingest.ts";

/** Copies every row of `table` from one database to another (same schema), server-side JSON. */
export async function copyRows(fromUrl: string, toUrl: string, table: string): Promise<number> {
  const from = new pg.Client({ connectionString: fromUrl });
  const to = new pg.Client({ connectionString: toUrl });
  await Promise.all([from.connect(), to.connect()]);
  try {
    const { rows } = await from.query<{ rows: string | null }>(
      `SELECT json_agg(t)::text AS rows FROM "${table}" t`,
    );
    const json = rows[0]?.rows ?? "[]";
    const inserted = await to.query(
      `INSERT INTO "${table}" SELECT * FROM json_populate_recordset(null::"${table}", $1::json)
       ON CONFLICT DO NOTHING`,
      [json],
    );
    return inserted.rowCount ?? 0;
  } finally {
    await Promise.all([from.end(), to.end()]);
  }
}

const iso = (d: Date) => d.toISOString();

function hourBucket(at: Date): Date {
  const d = new Date(at.getTime());
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/** `INSERT … VALUES (…), (…)` in statements of at most `maxRows` rows. */
async function insertRows(
  client: pg.Client,
  head: string,
  casts: readonly string[],
  rows: readonly unknown[][],
  tail = "",
  maxRows = 5000,
): Promise<void> {
  for (let start = 0; start < rows.length; start += maxRows) {
    const chunk = rows.slice(start, start + maxRows);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const cells = row.map((v, i) => {
        values.push(v);
        return `$${values.length}${casts[i] ?? ""}`;
      });
      return `(${cells.join(", ")})`;
    });
    await client.query(`${head} VALUES ${tuples.join(", ")} ${tail}`, values);
  }
}

export type RowForm = "values" | "unnest";

/** The same rows as one `INSERT … SELECT * FROM unnest($1::type[], …)`: one array per column. */
async function insertUnnest(
  client: pg.Client,
  head: string,
  types: readonly string[],
  rows: readonly unknown[][],
  tail = "",
): Promise<void> {
  if (rows.length === 0) return;
  const columns = types.map((_, i) => rows.map((row) => row[i]));
  const arrays = types.map((t, i) => `$${i + 1}::${t}[]`).join(", ");
  await client.query(`${head} SELECT * FROM unnest(${arrays}) ${tail}`, columns);
}

const EVENT_TYPES = ["text", "text", "text", "timestamp(3)", "text", "text", "timestamp(3)"];
const ROLLUP_TYPES = ["text", "text", "text", "text", "timestamp(3)", "int"];
const castsOf = (types: readonly string[]) => types.map((t) => (t === "text" ? "" : `::${t}`));

type Rollup = { type: string; app: string; at: string; count: number };

/** Counts per (type, app, bucket), in key order (so concurrent batches lock rows alike). */
function rollup(events: readonly { type: string; app: string; at: string }[]): Rollup[] {
  const map = new Map<string, Rollup>();
  for (const e of events) {
    const key = `${e.type}\u0000${e.app}\u0000${e.at}`;
    const entry = map.get(key);
    if (entry) entry.count++;
    else map.set(key, { type: e.type, app: e.app, at: e.at, count: 1 });
  }
  return [...map.values()].sort((a, b) =>
    a.type !== b.type
      ? a.type < b.type
        ? -1
        : 1
      : a.app !== b.app
        ? a.app < b.app
          ? -1
          : 1
        : a.at < b.at
          ? -1
          : a.at > b.at
            ? 1
            : 0,
  );
}

async function ingestOne(
  client: pg.Client,
  batch: RawBatch,
  mode: "full" | "events",
  form: RowForm,
) {
  const insert = (head: string, types: string[], rows: unknown[][], tail = "") =>
    form === "unnest"
      ? insertUnnest(client, head, types, rows, tail)
      : insertRows(client, head, castsOf(types), rows, tail);
  const now = new Date();
  const receivedAt = iso(now);
  await client.query("BEGIN");
  try {
    await insert(
      `INSERT INTO "Event" ("workerId", "deviceId", "type", "at", "app", "data", "receivedAt")`,
      EVENT_TYPES,
      batch.events.map((e) => [
        batch.workerId,
        batch.deviceId,
        e.type,
        e.at,
        e.app,
        JSON.stringify(e.data),
        receivedAt,
      ]),
    );
    if (mode === "full") {
      const hours = batch.events.map((e) => ({
        type: e.type,
        app: e.app,
        at: iso(hourBucket(new Date(e.at))),
      }));
      const hourly = rollup(hours);
      const daily = rollup(hours.map((h) => ({ ...h, at: `${h.at.slice(0, 10)}T00:00:00.000Z` })));
      const rollupRows = (rows: Rollup[]) =>
        rows.map((r) => [batch.workerId, batch.deviceId, r.type, r.app, r.at, r.count]);
      await insert(
        `INSERT INTO "EventRollup" ("workerId", "deviceId", "type", "app", "hour", "count")`,
        ROLLUP_TYPES,
        rollupRows(hourly),
        `ON CONFLICT ("workerId", "deviceId", "type", "app", "hour")
         DO UPDATE SET "count" = "EventRollup"."count" + excluded."count"`,
      );
      await insert(
        `INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")`,
        ROLLUP_TYPES,
        rollupRows(daily),
        `ON CONFLICT ("workerId", "deviceId", "type", "app", "day")
         DO UPDATE SET "count" = "EventRollupDay"."count" + excluded."count"`,
      );
      await client.query(
        `UPDATE "Device" SET "lastSeenAt" = GREATEST("lastSeenAt", $1::timestamp(3)),
           "storedEvents" = "storedEvents" + $2 WHERE "id" = $3`,
        [receivedAt, batch.events.length, batch.deviceId],
      );
      await client.query(
        `INSERT INTO "DeviceUsageHour" ("deviceId", "hour", "bytes", "batches", "events", "lastAt")
         VALUES ($1, $2::timestamp(3), $3, 1, $4, $5::timestamp(3))
         ON CONFLICT ("deviceId", "hour") DO UPDATE SET "bytes" = "DeviceUsageHour"."bytes" + excluded."bytes",
           "batches" = "DeviceUsageHour"."batches" + 1, "events" = "DeviceUsageHour"."events" + excluded."events",
           "lastAt" = GREATEST("DeviceUsageHour"."lastAt", excluded."lastAt")`,
        [
          batch.deviceId,
          iso(hourBucket(now)),
          JSON.stringify({ batchId: batch.batchId, events: batch.events }).length,
          batch.events.length,
          receivedAt,
        ],
      );
      await client.query(
        `INSERT INTO "EventBatch" ("deviceId", "batchId", "receivedAt", "result")
         VALUES ($1, $2, $3::timestamp(3), $4)`,
        [batch.deviceId, batch.batchId, receivedAt, storedBatchResult(batch)],
      );
      await client.query(
        `INSERT INTO "IngestDay" ("day", "stored") VALUES ($1, $2)
         ON CONFLICT ("day") DO UPDATE SET "stored" = "IngestDay"."stored" + excluded."stored"`,
        [receivedAt.slice(0, 10), batch.events.length],
      );
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

export async function rawIngestPostgres(
  url: string,
  batches: readonly RawBatch[],
  mode: "full" | "events",
  concurrency: number,
  form: RowForm = "values",
): Promise<{ events: number; seconds: number }> {
  const clients = Array.from(
    { length: concurrency },
    () => new pg.Client({ connectionString: url }),
  );
  await Promise.all(clients.map((c) => c.connect()));
  try {
    let next = 0;
    let events = 0;
    const started = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        for (let i = next++; i < batches.length; i = next++) {
          await ingestOne(client, batches[i]!, mode, form);
          events += batches[i]!.events.length;
        }
      }),
    );
    return { events, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
