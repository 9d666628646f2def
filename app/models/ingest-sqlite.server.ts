/**
 * Event ingestion on SQLite (ADR 0007): one synchronous better-sqlite3
 * transaction on Prisma's own connection (`runSqliteTransaction`) with
 * prepared statements, because Prisma's per-query cost made ingestion 5–7 %
 * of raw SQLite speed. Synchronous means concurrent batches cannot interleave
 * or hit SQLITE_BUSY.
 */
import type BetterSqlite3 from "better-sqlite3";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import { COVERING_EXEMPTION_STATUSES, type ExemptionStatus } from "#app/domain/exemption.ts";
import { hourBucket } from "#app/domain/ingest-rules.ts";
import type { PauseKind } from "#app/domain/pause-policy.ts";
import type { EventBatchResult } from "#app/agent-protocol/v1.ts";
import { runSqliteTransaction } from "#app/utils/db.server.ts";
import { toStoredDateTime, statementCache } from "#app/utils/sqlite-adapter.server.ts";
import type { IngestStore } from "./ingest-store.ts";

export const sqliteIngestStore: IngestStore = {
  ingest: (request, plan) =>
    runSqliteTransaction((db) => {
      const { device, batchId, now, bodyBytes } = request;
      const sql = statements(db);
      const received = toStoredDateTime(now.getTime());
      const hour = toStoredDateTime(hourBucket(now).getTime());
      const previous = sql.findBatch.get(device.id, batchId) as { result: string } | undefined;
      if (previous) {
        sql.addToUsageHour.run(device.id, hour, bodyBytes, 0, received);
        return { ...(JSON.parse(previous.result) as EventBatchResult), duplicate: true };
      }

      const from = toStoredDateTime(request.from);
      const to = toStoredDateTime(request.to);
      const pauses = (sql.overlappingPauses.all(device.workerId, from, to) as PauseRow[]).map(
        (p) => ({
          id: p.id,
          kind: p.kind,
          startsAt: new Date(p.startsAt),
          endsAt: new Date(p.endsAt),
          endedEarlyAt: p.endedEarlyAt ? new Date(p.endedEarlyAt) : null,
        }),
      );
      const exemptions = (
        sql.coveringExemptions.all(device.workerId, to, from) as ExemptionRow[]
      ).map((row) => ({
        ...row,
        startsAt: new Date(row.startsAt),
        endsAt: new Date(row.endsAt),
        endedEarlyAt: row.endedEarlyAt ? new Date(row.endedEarlyAt) : null,
      }));
      const forgets = (
        sql.overlappingForgets.all(device.workerId, from, to) as {
          startsAt: string;
          endsAt: string;
        }[]
      ).map((f) => ({ startsAt: new Date(f.startsAt), endsAt: new Date(f.endsAt) }));
      const privateApps = (sql.privateApps.all(device.workerId) as { pattern: string }[]).map(
        (r) => r.pattern,
      );
      // (The connection reads integers as BigInt.)
      const gate = sql.acknowledgementGateFacts.get(device.workerId) as GateRow;
      const writes = plan({
        pauses,
        exemptions,
        forgets,
        privateApps,
        gate: {
          policyRequires: Number(gate.policyRequires) === 1,
          noticeRequires: gate.noticeId ? Number(gate.noticeRequires) === 1 : null,
          signed: Number(gate.signed) === 1,
        },
      });

      for (const event of writes.events) {
        sql.insertEvent.run(
          device.workerId,
          device.id,
          event.type,
          toStoredDateTime(event.at.getTime()),
          event.app,
          event.data,
          received,
        );
      }
      for (const r of writes.hourly) {
        sql.addToRollup.run(
          device.workerId,
          device.id,
          r.type,
          r.app,
          toStoredDateTime(r.hour.getTime()),
          r.count,
        );
      }
      for (const r of writes.daily) {
        sql.addToDailyRollup.run(
          device.workerId,
          device.id,
          r.type,
          r.app,
          toStoredDateTime(r.day.getTime()),
          r.count,
        );
      }
      const { counts } = writes;
      sql.updateDevice.run(
        received,
        counts.stored,
        counts.discardedPaused,
        counts.discardedExempt,
        counts.discardedUnacknowledged,
        counts.rejectedFuture,
        counts.discardedForgotten,
        counts.discardedPrivateApp,
        device.id,
      );
      if (counts.discardedForgotten + counts.discardedPrivateApp > 0) {
        sql.addToPrivacyDiscardDay.run(
          received.slice(0, 10),
          device.workerId,
          counts.discardedForgotten,
          counts.discardedPrivateApp,
        );
      }
      sql.addToIngestDay.run(
        received.slice(0, 10), // the UTC day the batch arrived, "YYYY-MM-DD"
        counts.stored,
        counts.discardedPaused,
        counts.discardedExempt,
        counts.discardedUnacknowledged,
        counts.rejectedFuture,
      );
      sql.addToUsageHour.run(device.id, hour, bodyBytes, request.eventCount, received);
      sql.insertBatch.run(device.id, batchId, received, JSON.stringify(writes.result));
      return writes.result;
    }),
};

type PauseRow = {
  id: string;
  kind: PauseKind;
  startsAt: string;
  endsAt: string;
  endedEarlyAt: string | null;
};

type GateRow = {
  policyRequires: bigint | number;
  noticeId: string | null;
  noticeRequires: bigint | number | null;
  signed: bigint | number;
};

type ExemptionRow = {
  id: string;
  status: ExemptionStatus;
  startsAt: string;
  endsAt: string;
  endedEarlyAt: string | null;
  scopeTypes: string | null;
  recurrenceDays: string | null;
  recurrenceStart: string | null;
  recurrenceEnd: string | null;
  timeZone: string;
};

const statements = statementCache(prepare);

function prepare(db: BetterSqlite3.Database) {
  // The adapter turns on safe integers for the connection; these statements read none that matter.
  return {
    findBatch: db.prepare(
      `SELECT "result" FROM "EventBatch" WHERE "deviceId" = ? AND "batchId" = ?`,
    ),
    overlappingPauses: db.prepare(
      `SELECT "id", "kind", "startsAt", "endsAt", "endedEarlyAt" FROM "Pause"
       WHERE "workerId" = ? AND "cancelledAt" IS NULL AND "endsAt" > ? AND "startsAt" < ?`,
    ),
    // Exemptions that cover time: the domain's list of statuses, never a copy of it.
    coveringExemptions: db.prepare(
      `SELECT "id", "status", "startsAt", "endsAt", "endedEarlyAt", "scopeTypes", "recurrenceDays",
              "recurrenceStart", "recurrenceEnd", "timeZone" FROM "ExemptionRequest"
       WHERE "workerId" = ? AND "status" IN (${COVERING_EXEMPTION_STATUSES.map((s) => `'${s}'`).join(", ")})
         AND "startsAt" < ? AND "endsAt" > ?`,
    ),
    // The acknowledgement gate's facts (the rule is `acknowledgementGateHolds`): whether the
    // policy requires it, the newest published monitoring notice, and whether the worker signed it.
    acknowledgementGateFacts: db.prepare(
      `SELECT p."requireAcknowledgementBeforeCollection" AS "policyRequires",
              d."id" AS "noticeId", d."requiresAcknowledgement" AS "noticeRequires",
              EXISTS (SELECT 1 FROM "Acknowledgement" a
                      WHERE a."workerId" = ? AND a."documentId" = d."id") AS "signed"
       FROM "Policy" p
       LEFT JOIN (SELECT "id", "requiresAcknowledgement" FROM "PolicyDocument"
                  WHERE "slug" = '${MONITORING_NOTICE_SLUG}' AND "publishedAt" IS NOT NULL
                  ORDER BY "version" DESC LIMIT 1) d ON 1 = 1
       WHERE p."id" = 1`,
    ),
    insertEvent: db.prepare(
      `INSERT INTO "Event" ("workerId", "deviceId", "type", "at", "app", "data", "receivedAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    addToRollup: db.prepare(
      `INSERT INTO "EventRollup" ("workerId", "deviceId", "type", "app", "hour", "count") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("workerId", "deviceId", "type", "app", "hour") DO UPDATE SET "count" = "count" + excluded."count"`,
    ),
    addToDailyRollup: db.prepare(
      `INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("workerId", "deviceId", "type", "app", "day") DO UPDATE SET "count" = "count" + excluded."count"`,
    ),
    updateDevice: db.prepare(
      `UPDATE "Device" SET "lastSeenAt" = ?, "storedEvents" = "storedEvents" + ?, "discardedPaused" = "discardedPaused" + ?,
       "discardedExempt" = "discardedExempt" + ?, "discardedUnacknowledged" = "discardedUnacknowledged" + ?,
       "rejectedFuture" = "rejectedFuture" + ?, "discardedForgotten" = "discardedForgotten" + ?,
       "discardedPrivateApp" = "discardedPrivateApp" + ? WHERE "id" = ?`,
    ),
    overlappingForgets: db.prepare(
      `SELECT "startsAt", "endsAt" FROM "Forget" WHERE "workerId" = ? AND "endsAt" > ? AND "startsAt" < ?`,
    ),
    // The worker's own private applications and the organisation's (workerId null).
    privateApps: db.prepare(
      `SELECT "pattern" FROM "PrivateApp" WHERE "workerId" = ? OR "workerId" IS NULL`,
    ),
    // One worker's forgotten and private-app discards per UTC day (ADR 0041), for aggregates.
    addToPrivacyDiscardDay: db.prepare(
      `INSERT INTO "PrivacyDiscardDay" ("day", "workerId", "forgotten", "privateApp") VALUES (?, ?, ?, ?)
       ON CONFLICT ("day", "workerId") DO UPDATE SET "forgotten" = "forgotten" + excluded."forgotten",
       "privateApp" = "privateApp" + excluded."privateApp"`,
    ),
    // Organisation-wide counts per UTC day, for fleet health.
    addToIngestDay: db.prepare(
      `INSERT INTO "IngestDay" ("day", "stored", "discardedPaused", "discardedExempt", "discardedUnacknowledged", "rejectedFuture")
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("day") DO UPDATE SET "stored" = "stored" + excluded."stored",
       "discardedPaused" = "discardedPaused" + excluded."discardedPaused",
       "discardedExempt" = "discardedExempt" + excluded."discardedExempt",
       "discardedUnacknowledged" = "discardedUnacknowledged" + excluded."discardedUnacknowledged",
       "rejectedFuture" = "rejectedFuture" + excluded."rejectedFuture"`,
    ),
    // The device's upload footprint for the hour the batch arrived in (ADR 0026).
    addToUsageHour: db.prepare(
      `INSERT INTO "DeviceUsageHour" ("deviceId", "hour", "bytes", "batches", "events", "lastAt")
       VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT ("deviceId", "hour") DO UPDATE SET "bytes" = "bytes" + excluded."bytes",
       "batches" = "batches" + 1, "events" = "events" + excluded."events",
       "lastAt" = max("lastAt", excluded."lastAt")`,
    ),
    insertBatch: db.prepare(
      `INSERT INTO "EventBatch" ("deviceId", "batchId", "receivedAt", "result") VALUES (?, ?, ?, ?)`,
    ),
  };
}
