import { prisma } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import {
  Rows,
  SIGNATURES_OF_ACTIVE_PEOPLE_SQL,
  type KeyRange,
  type ReportingStore,
  type TimeSpan,
} from "./reporting-store.ts";

/**
 * The overview's SQL for SQLite (ADR 0031, 0032). Times are compared as the
 * stored ISO text; the rollups' keys are text; a list of ranges travels as
 * one JSON array read with json_each (0-based keys).
 */

/** Counts per position of a json_each list, in the list's order. */
function perIndex(length: number, rows: unknown): number[] {
  const counts = Array.from({ length }, () => 0);
  for (const row of Rows.perRange.parse(rows)) counts[row.i] = row.n;
  return counts;
}

const storedSpan = (span: TimeSpan) => [toStoredDateTime(span.from), toStoredDateTime(span.to)];

export const sqliteReportingStore: ReportingStore = {
  async signaturesOfActivePeople() {
    const rows = await prisma.$queryRawUnsafe(SIGNATURES_OF_ACTIVE_PEOPLE_SQL);
    return new Map(Rows.signatures.parse(rows).map((r) => [r.documentId, r.signed]));
  },

  async exemptionRequests() {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT r."reason", r."workerId", r."status", r."endsAt", r."endedEarlyAt", r."createdAt",
              COALESCE(
                (SELECT MIN(c."at") FROM "ExemptionStatusChange" c
                 WHERE c."requestId" = r."id" AND c."fromStatus" = 'PENDING'
                   AND c."toStatus" IN ('APPROVED', 'DENIED')),
                r."decidedAt") AS "decidedAt"
       FROM "ExemptionRequest" r`,
    );
    return Rows.exemptionRequests.parse(rows);
  },

  async pauseStartsPerQuarterRange(ranges: readonly KeyRange[]) {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT CAST(d."key" AS INTEGER) AS "i",
              (SELECT COALESCE(SUM(q."count"), 0) FROM "PauseStartQuarter" q
               WHERE q."quarter" >= json_extract(d."value", '$[0]')
                 AND q."quarter" < json_extract(d."value", '$[1]')) AS "n"
       FROM json_each(?) d`,
      JSON.stringify(ranges),
    );
    return perIndex(ranges.length, rows);
  },

  async pauseStartsPerSpan(spans: readonly TimeSpan[]) {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT CAST(d."key" AS INTEGER) AS "i",
              (SELECT COUNT(*) FROM "Pause" p
               WHERE p."startsAt" >= json_extract(d."value", '$[0]')
                 AND p."startsAt" < json_extract(d."value", '$[1]')
                 AND p."cancelledAt" IS NULL) AS "n"
       FROM json_each(?) d`,
      JSON.stringify(spans.map(storedSpan)),
    );
    return perIndex(spans.length, rows);
  },

  async pausersPerSpan(spans: readonly TimeSpan[], cap: number) {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT CAST(d."key" AS INTEGER) AS "i",
              (SELECT COUNT(*) FROM (
                 SELECT DISTINCT p."workerId" FROM "Pause" p
                 WHERE p."startsAt" >= json_extract(d."value", '$[0]')
                   AND p."startsAt" < json_extract(d."value", '$[1]')
                   AND p."cancelledAt" IS NULL
                 LIMIT ?)) AS "n"
       FROM json_each(?) d`,
      cap,
      JSON.stringify(spans.map(storedSpan)),
    );
    return perIndex(spans.length, rows);
  },

  async pauseLengths(days: KeyRange | null, spans: readonly TimeSpan[]) {
    const arms: string[] = [];
    const args: string[] = [];
    if (days) {
      arms.push(
        `SELECT "lengthSeconds" AS "seconds", SUM("count") AS "n" FROM "PauseLengthDay"
         WHERE "day" >= ? AND "day" < ? GROUP BY "lengthSeconds"`,
      );
      args.push(...days);
    }
    for (const span of spans) {
      arms.push(
        `SELECT "lengthSeconds" AS "seconds", COUNT(*) AS "n" FROM "Pause"
         WHERE "startsAt" >= ? AND "startsAt" < ? AND "cancelledAt" IS NULL
           AND "lengthSeconds" IS NOT NULL
         GROUP BY "lengthSeconds"`,
      );
      args.push(...storedSpan(span));
    }
    if (arms.length === 0) return [];
    return Rows.lengths.parse(await prisma.$queryRawUnsafe(arms.join(" UNION ALL "), ...args));
  },

  async teamPauses(days: KeyRange, spans: readonly TimeSpan[]) {
    const edge = `SELECT COALESCE(u."managerId", '') AS "managerKey", COUNT(*) AS "n"
       FROM "Pause" p JOIN "User" u ON u."id" = p."workerId"
       WHERE p."startsAt" >= ? AND p."startsAt" < ? AND p."cancelledAt" IS NULL
         AND u."deactivatedAt" IS NULL
       GROUP BY 1`;
    const rows = await prisma.$queryRawUnsafe(
      [
        `SELECT "managerKey", SUM("count") AS "n" FROM "TeamPauseDay"
         WHERE "day" >= ? AND "day" < ? GROUP BY "managerKey"`,
        ...spans.map(() => edge),
      ].join(" UNION ALL "),
      ...days,
      ...spans.flatMap(storedSpan),
    );
    return Rows.teamPauses.parse(rows);
  },

  async teamPausesPerPerson(span: TimeSpan) {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT COALESCE(u."managerId", '') AS "managerKey",
              SUM((SELECT COUNT(*) FROM "Pause" p
                   WHERE p."workerId" = u."id" AND p."startsAt" >= ? AND p."startsAt" < ?
                     AND p."cancelledAt" IS NULL)) AS "n"
       FROM "User" u
       WHERE u."deactivatedAt" IS NULL
       GROUP BY 1`,
      ...storedSpan(span),
    );
    return Rows.teamPauses.parse(rows);
  },

  async teams(noticeId: string, exemptionsSince: Date) {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT u."managerId" AS "managerId", COUNT(*) AS "size",
              SUM(CASE WHEN EXISTS (SELECT 1 FROM "Acknowledgement" a
                                    WHERE a."workerId" = u."id" AND a."documentId" = ?)
                       THEN 1 ELSE 0 END) AS "signed",
              SUM((SELECT COUNT(*) FROM "ExemptionRequest" e
                   WHERE e."workerId" = u."id" AND e."createdAt" >= ?)) AS "exemptions"
       FROM "User" u
       WHERE u."deactivatedAt" IS NULL
       GROUP BY u."managerId"
       ORDER BY u."managerId"`,
      noticeId,
      toStoredDateTime(exemptionsSince),
    );
    return Rows.teams.parse(rows);
  },
};
