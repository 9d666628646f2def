/**
 * Reading each section of a worker's records for the export. Small sections
 * with relations (exemptions, acknowledgements, audit) go through Prisma; the
 * rest are read on the export's own connection (export-reader.server.ts),
 * and every raw row is parsed at this boundary.
 */
import type Database from "better-sqlite3";
import { z } from "zod";
import { accountSelect } from "#app/models/user.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import type { StoredDevice, StoredPause, StoredRollup } from "./section-rows.ts";
import { withParsedJson } from "./section-rows.ts";

/** The export's row and the worker whose records it holds. */
export function getExportSubject(exportId: string) {
  return prisma.recordExport.findUniqueOrThrow({
    where: { id: exportId },
    select: { id: true, worker: { select: accountSelect } },
  });
}

const Count = z.object({ n: z.number() });

/** How many rows the progress bar should expect of each section that has many. */
export function countSectionRows(db: Database.Database, workerId: string) {
  const count = (sql: string) => Count.parse(db.prepare(sql).get(workerId)).n;
  return {
    // The hourly rollups count the events exactly (ingestion writes both in one transaction),
    // and summing them is ~100× cheaper than counting millions of event rows.
    events: count(`SELECT COALESCE(SUM("count"), 0) AS n FROM "EventRollup" WHERE "workerId" = ?`),
    rollups: count(`SELECT COUNT(*) AS n FROM "EventRollup" WHERE "workerId" = ?`),
    pauses: count(`SELECT COUNT(*) AS n FROM "Pause" WHERE "workerId" = ?`),
  };
}

const DeviceRow: z.ZodType<StoredDevice> = z.object({
  id: z.string(),
  name: z.string(),
  platform: z.string(),
  agentVersion: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  storedEvents: z.number(),
  discardedPaused: z.number(),
  discardedExempt: z.number(),
  discardedUnacknowledged: z.number(),
  rejectedFuture: z.number(),
});

/** The worker's devices, oldest first. Never the token hash: it is not selected. */
export function readDevices(db: Database.Database, workerId: string): StoredDevice[] {
  const rows = db
    .prepare(
      `SELECT "id", "name", "platform", "agentVersion", "createdAt", "lastSeenAt", "revokedAt",
              "storedEvents", "discardedPaused", "discardedExempt", "discardedUnacknowledged", "rejectedFuture"
       FROM "Device" WHERE "workerId" = ? ORDER BY "createdAt"`,
    )
    .all(workerId);
  return z.array(DeviceRow).parse(rows);
}

const PauseRow: z.ZodType<StoredPause> = z.object({
  id: z.string(),
  kind: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  endedEarlyAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  createdAt: z.string(),
});

export function readPauses(db: Database.Database, workerId: string): StoredPause[] {
  const rows = db
    .prepare(
      `SELECT "id", "kind", "startsAt", "endsAt", "endedEarlyAt", "cancelledAt", "createdAt"
       FROM "Pause" WHERE "workerId" = ? ORDER BY "startsAt", "id"`,
    )
    .all(workerId);
  return z.array(PauseRow).parse(rows);
}

const RollupRow: z.ZodType<StoredRollup> = z.object({
  hour: z.string(),
  deviceId: z.string(),
  type: z.string(),
  app: z.string(),
  count: z.number(),
});

/**
 * The worker's hourly rollups, streamed from the database one row at a time (a
 * year is tens of thousands): no page of row objects is held while it is written.
 */
export function* readRollups(
  db: Database.Database,
  workerId: string,
): Generator<StoredRollup, void, undefined> {
  const rows = db
    .prepare(
      `SELECT "hour", "deviceId", "type", "app", "count" FROM "EventRollup" WHERE "workerId" = ?
       ORDER BY "hour", "deviceId", "type", "app"`,
    )
    .iterate(workerId);
  for (const row of rows) yield RollupRow.parse(row);
}

export function listExemptionsForExport(workerId: string) {
  return prisma.exemptionRequest.findMany({
    where: { workerId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      reason: true,
      justification: true,
      scopeTypes: true,
      startsAt: true,
      endsAt: true,
      recurrenceDays: true,
      recurrenceStart: true,
      recurrenceEnd: true,
      timeZone: true,
      status: true,
      decisionNote: true,
      decidedAt: true,
      endedEarlyAt: true,
      createdAt: true,
      reviewer: { select: { name: true } },
      history: {
        orderBy: { at: "asc" },
        select: {
          fromStatus: true,
          toStatus: true,
          note: true,
          at: true,
          actor: { select: { name: true } },
        },
      },
    },
  });
}

/** Every document the worker acknowledged, with its text and the signed receipt. */
export async function listAcknowledgementsForExport(workerId: string) {
  const rows = await prisma.acknowledgement.findMany({
    where: { workerId },
    orderBy: { signedAt: "asc" },
    select: {
      id: true,
      signedName: true,
      signedAt: true,
      contentSha256: true,
      receipt: true,
      document: {
        select: { slug: true, version: true, title: true, body: true, publishedAt: true },
      },
    },
  });
  return rows.map((row) => withParsedJson(row, "receipt"));
}

async function listAuditEvents(
  where: { actorId: string } | { subjectUserId: string; actorId: { not: string } },
) {
  const rows = await prisma.auditEvent.findMany({
    where,
    orderBy: [{ at: "asc" }, { id: "asc" }],
    select: {
      at: true,
      action: true,
      targetType: true,
      targetId: true,
      metadata: true,
      actor: { select: { name: true, role: true } },
    },
  });
  return rows.map((row) => withParsedJson(row, "metadata"));
}

/** access-log.json: what others did about the worker (viewed, exported, decided). */
export function listAccessLogForExport(workerId: string) {
  return listAuditEvents({ subjectUserId: workerId, actorId: { not: workerId } });
}

/** audit.json: what the worker did. */
export function listOwnAuditForExport(workerId: string) {
  return listAuditEvents({ actorId: workerId });
}
