/**
 * Event ingestion on PostgreSQL (ADR 0032): one transaction on a connection
 * of the app's pool, in three statements whatever the batch's size:
 *
 * 1. claim the batch (`INSERT … ON CONFLICT DO NOTHING` on its primary key)
 *    and read the collection facts in the same statement. Two nodes given
 *    the same batch at the same moment: the second insert waits for the
 *    first transaction and then finds the row, so the batch is stored once;
 * 2. every write (events, hourly and daily rollups, device counters, the
 *    organisation's day, the upload footprint, the stored answer) as one
 *    statement of data-modifying CTEs over arrays (`unnest`);
 * 3. COMMIT.
 *
 * Rollup rows are upserted in key order, so concurrent batches lock them in
 * the same order and cannot deadlock.
 */
import type pg from "pg";
import type { EventBatchResult } from "#app/agent-protocol/v1.ts";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import { COVERING_EXEMPTION_STATUSES } from "#app/domain/exemption.ts";
import type { ExemptionColumns } from "#app/domain/exemption-columns.ts";
import { hourBucket } from "#app/domain/ingest-rules.ts";
import { runPostgresTransaction } from "#app/utils/db.server.ts";
import type { IngestFacts, IngestStore, IngestWrites } from "./ingest-store.ts";

const iso = (d: Date) => d.toISOString();
/** json_agg writes a TIMESTAMP as ISO text without a zone: the column holds UTC. */
const utc = (text: string) => new Date(`${text}Z`);
const utcOrNull = (text: string | null) => (text ? utc(text) : null);

const CLAIM_AND_FACTS = `
WITH claimed AS (
  INSERT INTO "EventBatch" ("deviceId", "batchId", "receivedAt", "result")
  VALUES ($1, $2, $3::timestamp(3), '')
  ON CONFLICT ("deviceId", "batchId") DO NOTHING
  RETURNING 1
)
SELECT
  EXISTS (SELECT 1 FROM claimed) AS "fresh",
  (SELECT COALESCE(json_agg(json_build_object(
      'id', p."id", 'kind', p."kind", 'startsAt', p."startsAt", 'endsAt', p."endsAt",
      'endedEarlyAt', p."endedEarlyAt")), '[]')
   FROM "Pause" p
   WHERE p."workerId" = $4 AND p."cancelledAt" IS NULL
     AND p."endsAt" > $5::timestamp(3) AND p."startsAt" < $6::timestamp(3)) AS "pauses",
  (SELECT COALESCE(json_agg(json_build_object(
      'id', e."id", 'status', e."status", 'startsAt', e."startsAt", 'endsAt', e."endsAt",
      'endedEarlyAt', e."endedEarlyAt", 'scopeTypes', e."scopeTypes",
      'recurrenceDays', e."recurrenceDays", 'recurrenceStart', e."recurrenceStart",
      'recurrenceEnd', e."recurrenceEnd", 'timeZone', e."timeZone")), '[]')
   FROM "ExemptionRequest" e
   WHERE e."workerId" = $4
     AND e."status" IN (${COVERING_EXEMPTION_STATUSES.map((s) => `'${s}'`).join(", ")})
     AND e."startsAt" < $6::timestamp(3) AND e."endsAt" > $5::timestamp(3)) AS "exemptions",
  (SELECT COALESCE(json_agg(json_build_object('startsAt', f."startsAt", 'endsAt', f."endsAt")), '[]')
   FROM "Forget" f
   WHERE f."workerId" = $4 AND f."endsAt" > $5::timestamp(3) AND f."startsAt" < $6::timestamp(3)) AS "forgets",
  (SELECT COALESCE(array_agg(pa."pattern"), '{}') FROM "PrivateApp" pa
   WHERE pa."workerId" = $4 OR pa."workerId" IS NULL) AS "privateApps",
  pol."requireAcknowledgementBeforeCollection" AS "policyRequires",
  d."requiresAcknowledgement" AS "noticeRequires",
  (d."id" IS NOT NULL AND EXISTS (SELECT 1 FROM "Acknowledgement" a
                                  WHERE a."workerId" = $4 AND a."documentId" = d."id")) AS "signed"
FROM "Policy" pol
LEFT JOIN LATERAL (SELECT "id", "requiresAcknowledgement" FROM "PolicyDocument"
                   WHERE "slug" = '${MONITORING_NOTICE_SLUG}' AND "publishedAt" IS NOT NULL
                   ORDER BY "version" DESC LIMIT 1) d ON true
WHERE pol."id" = 1`;

// The device's upload footprint for the hour the batch arrived in (ADR 0026).
const ADD_TO_USAGE_HOUR = `
INSERT INTO "DeviceUsageHour" ("deviceId", "hour", "bytes", "batches", "events", "lastAt")
VALUES ($1, $2::timestamp(3), $3, 1, $4, $5::timestamp(3))
ON CONFLICT ("deviceId", "hour") DO UPDATE SET "bytes" = "DeviceUsageHour"."bytes" + excluded."bytes",
  "batches" = "DeviceUsageHour"."batches" + 1, "events" = "DeviceUsageHour"."events" + excluded."events",
  "lastAt" = GREATEST("DeviceUsageHour"."lastAt", excluded."lastAt")`;

const WRITE_BATCH = `
WITH
  events AS (
    INSERT INTO "Event" ("workerId", "deviceId", "type", "at", "app", "data", "receivedAt")
    SELECT $1, $2, t, a, p, d, $3::timestamp(3)
    FROM unnest($4::text[], $5::timestamp(3)[], $6::text[], $7::text[]) AS x(t, a, p, d)
  ),
  hourly AS (
    INSERT INTO "EventRollup" ("workerId", "deviceId", "type", "app", "hour", "count")
    SELECT $1, $2, t, p, h, n FROM unnest($8::text[], $9::text[], $10::timestamp(3)[], $11::int[]) AS x(t, p, h, n)
    ON CONFLICT ("workerId", "deviceId", "type", "app", "hour")
    DO UPDATE SET "count" = "EventRollup"."count" + excluded."count"
  ),
  daily AS (
    INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")
    SELECT $1, $2, t, p, h, n FROM unnest($12::text[], $13::text[], $14::timestamp(3)[], $15::int[]) AS x(t, p, h, n)
    ON CONFLICT ("workerId", "deviceId", "type", "app", "day")
    DO UPDATE SET "count" = "EventRollupDay"."count" + excluded."count"
  ),
  device AS (
    UPDATE "Device" SET "lastSeenAt" = GREATEST("lastSeenAt", $3::timestamp(3)),
      "storedEvents" = "storedEvents" + $16, "discardedPaused" = "discardedPaused" + $17,
      "discardedExempt" = "discardedExempt" + $18,
      "discardedUnacknowledged" = "discardedUnacknowledged" + $19,
      "rejectedFuture" = "rejectedFuture" + $20,
      "discardedForgotten" = "discardedForgotten" + $27,
      "discardedPrivateApp" = "discardedPrivateApp" + $28
    WHERE "id" = $2
  ),
  -- The worker's forgotten and private-app discards for the day (ADR 0041), only when there are some.
  privacy AS (
    INSERT INTO "PrivacyDiscardDay" ("day", "workerId", "forgotten", "privateApp")
    SELECT $26, $1, $27, $28 WHERE $27::int + $28::int > 0
    ON CONFLICT ("day", "workerId") DO UPDATE SET
      "forgotten" = "PrivacyDiscardDay"."forgotten" + excluded."forgotten",
      "privateApp" = "PrivacyDiscardDay"."privateApp" + excluded."privateApp"
  ),
  usage AS (
    INSERT INTO "DeviceUsageHour" ("deviceId", "hour", "bytes", "batches", "events", "lastAt")
    VALUES ($2, $21::timestamp(3), $22, 1, $23, $3::timestamp(3))
    ON CONFLICT ("deviceId", "hour") DO UPDATE SET "bytes" = "DeviceUsageHour"."bytes" + excluded."bytes",
      "batches" = "DeviceUsageHour"."batches" + 1, "events" = "DeviceUsageHour"."events" + excluded."events",
      "lastAt" = GREATEST("DeviceUsageHour"."lastAt", excluded."lastAt")
  ),
  answer AS (
    UPDATE "EventBatch" SET "result" = $24 WHERE "deviceId" = $2 AND "batchId" = $25
  ),
  -- Organisation-wide counts per UTC day, for fleet health: one row everyone's batches add to,
  -- so it is the last lock taken, held only until the commit that follows.
  org AS (
    INSERT INTO "IngestDay" ("day", "stored", "discardedPaused", "discardedExempt", "discardedUnacknowledged", "rejectedFuture")
    VALUES ($26, $16, $17, $18, $19, $20)
    ON CONFLICT ("day") DO UPDATE SET "stored" = "IngestDay"."stored" + excluded."stored",
      "discardedPaused" = "IngestDay"."discardedPaused" + excluded."discardedPaused",
      "discardedExempt" = "IngestDay"."discardedExempt" + excluded."discardedExempt",
      "discardedUnacknowledged" = "IngestDay"."discardedUnacknowledged" + excluded."discardedUnacknowledged",
      "rejectedFuture" = "IngestDay"."rejectedFuture" + excluded."rejectedFuture"
  )
SELECT 1`;

type FactsRow = {
  fresh: boolean;
  pauses: {
    id: string;
    kind: "NOW" | "SCHEDULED";
    startsAt: string;
    endsAt: string;
    endedEarlyAt: string | null;
  }[];
  exemptions: (Omit<ExemptionColumns, "startsAt" | "endsAt" | "endedEarlyAt"> & {
    startsAt: string;
    endsAt: string;
    endedEarlyAt: string | null;
  })[];
  forgets: { startsAt: string; endsAt: string }[];
  privateApps: string[];
  policyRequires: boolean;
  noticeRequires: boolean | null;
  signed: boolean;
};

function factsOf(row: FactsRow): IngestFacts {
  return {
    pauses: row.pauses.map((p) => ({
      ...p,
      startsAt: utc(p.startsAt),
      endsAt: utc(p.endsAt),
      endedEarlyAt: utcOrNull(p.endedEarlyAt),
    })),
    exemptions: row.exemptions.map((e) => ({
      ...e,
      startsAt: utc(e.startsAt),
      endsAt: utc(e.endsAt),
      endedEarlyAt: utcOrNull(e.endedEarlyAt),
    })),
    forgets: row.forgets.map((f) => ({ startsAt: utc(f.startsAt), endsAt: utc(f.endsAt) })),
    privateApps: row.privateApps,
    gate: {
      policyRequires: row.policyRequires,
      noticeRequires: row.noticeRequires,
      signed: row.signed,
    },
  };
}

const byKey =
  <T extends { type: string; app: string }>(at: (r: T) => Date) =>
  (a: T, b: T) =>
    a.type < b.type
      ? -1
      : a.type > b.type
        ? 1
        : a.app < b.app
          ? -1
          : a.app > b.app
            ? 1
            : at(a).getTime() - at(b).getTime();

async function write(
  client: pg.PoolClient,
  request: Parameters<IngestStore["ingest"]>[0],
  writes: IngestWrites,
): Promise<void> {
  const { device, now } = request;
  const { events, counts } = writes;
  const hourly = [...writes.hourly].sort(byKey((r) => r.hour));
  const daily = [...writes.daily].sort(byKey((r) => r.day));
  await client.query(WRITE_BATCH, [
    device.workerId,
    device.id,
    iso(now),
    events.map((e) => e.type),
    events.map((e) => iso(e.at)),
    events.map((e) => e.app),
    events.map((e) => e.data),
    hourly.map((r) => r.type),
    hourly.map((r) => r.app),
    hourly.map((r) => iso(r.hour)),
    hourly.map((r) => r.count),
    daily.map((r) => r.type),
    daily.map((r) => r.app),
    daily.map((r) => iso(r.day)),
    daily.map((r) => r.count),
    counts.stored,
    counts.discardedPaused,
    counts.discardedExempt,
    counts.discardedUnacknowledged,
    counts.rejectedFuture,
    iso(hourBucket(now)),
    request.bodyBytes,
    request.eventCount,
    JSON.stringify(writes.result),
    request.batchId,
    iso(now).slice(0, 10), // the UTC day the batch arrived, "YYYY-MM-DD"
    counts.discardedForgotten,
    counts.discardedPrivateApp,
  ]);
}

export const postgresIngestStore: IngestStore = {
  ingest: (request, plan) =>
    runPostgresTransaction(async (client): Promise<EventBatchResult> => {
      const { device, now } = request;
      const { rows } = await client.query<FactsRow>(CLAIM_AND_FACTS, [
        device.id,
        request.batchId,
        iso(now),
        device.workerId,
        iso(request.from),
        iso(request.to),
      ]);
      const row = rows[0];
      if (!row) throw new Error("The organisation's policy row is missing.");
      if (!row.fresh) {
        const stored = await client.query<{ result: string }>(
          `SELECT "result" FROM "EventBatch" WHERE "deviceId" = $1 AND "batchId" = $2`,
          [device.id, request.batchId],
        );
        await client.query(ADD_TO_USAGE_HOUR, [
          device.id,
          iso(hourBucket(now)),
          request.bodyBytes,
          0,
          iso(now),
        ]);
        const previous = JSON.parse(stored.rows[0]!.result) as EventBatchResult;
        return { ...previous, duplicate: true };
      }
      const writes = plan(factsOf(row));
      await write(client, request, writes);
      return writes.result;
    }),
};
