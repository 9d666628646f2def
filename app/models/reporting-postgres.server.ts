import { Prisma } from "#app/generated/prisma-postgres/client.ts";
import { prisma } from "#app/utils/db.server.ts";
import {
  Rows,
  SIGNATURES_OF_ACTIVE_PEOPLE_SQL,
  type KeyRange,
  type ReportingStore,
  type TimeSpan,
} from "./reporting-store.ts";

/**
 * The overview's SQL for PostgreSQL (ADR 0031, 0032). Times are TIMESTAMP(3)
 * holding UTC, passed as Dates (the adapter sends them as UTC); a list of
 * ranges travels as two arrays read with unnest … WITH ORDINALITY. The
 * rollups' keys have one fixed format, so text order is their time order
 * under any collation (ADR 0034). COUNT and SUM come back as bigint or
 * numeric text, parsed by `Rows`.
 */

/** Counts per position (WITH ORDINALITY: 1-based), in the list's order. */
function perOrdinal(length: number, rows: unknown): number[] {
  const counts = Array.from({ length }, () => 0);
  for (const row of Rows.perRange.parse(rows)) counts[row.i - 1] = row.n;
  return counts;
}

const isoTimes = (times: Date[]) => times.map((t) => t.toISOString());

export const postgresReportingStore: ReportingStore = {
  async signaturesOfActivePeople() {
    const rows = await prisma.$queryRawUnsafe(SIGNATURES_OF_ACTIVE_PEOPLE_SQL);
    return new Map(Rows.signatures.parse(rows).map((r) => [r.documentId, r.signed]));
  },

  async exemptionRequests() {
    const rows = await prisma.$queryRaw`
      SELECT r."reason"::text AS "reason", r."workerId", r."status"::text AS "status",
             r."endsAt", r."endedEarlyAt", r."createdAt",
             COALESCE(
               (SELECT MIN(c."at") FROM "ExemptionStatusChange" c
                WHERE c."requestId" = r."id" AND c."fromStatus" = 'PENDING'
                  AND c."toStatus" IN ('APPROVED', 'DENIED')),
               r."decidedAt") AS "decidedAt"
      FROM "ExemptionRequest" r`;
    return Rows.exemptionRequests.parse(rows);
  },

  async pauseStartsPerQuarterRange(ranges: readonly KeyRange[]) {
    const rows = await prisma.$queryRaw`
      SELECT b."i" AS "i",
             (SELECT COALESCE(SUM(q."count"), 0) FROM "PauseStartQuarter" q
              WHERE q."quarter" >= b."from" AND q."quarter" < b."to") AS "n"
      FROM unnest(${ranges.map((r) => r[0])}::text[], ${ranges.map((r) => r[1])}::text[])
           WITH ORDINALITY AS b("from", "to", "i")`;
    return perOrdinal(ranges.length, rows);
  },

  async pauseStartsPerSpan(spans: readonly TimeSpan[]) {
    const rows = await prisma.$queryRaw`
      SELECT s."i" AS "i",
             (SELECT COUNT(*) FROM "Pause" p
              WHERE p."startsAt" >= s."from" AND p."startsAt" < s."to"
                AND p."cancelledAt" IS NULL) AS "n"
      FROM unnest(${isoTimes(spans.map((s) => s.from))}::timestamp(3)[],
                  ${isoTimes(spans.map((s) => s.to))}::timestamp(3)[])
           WITH ORDINALITY AS s("from", "to", "i")`;
    return perOrdinal(spans.length, rows);
  },

  async pausersPerSpan(spans: readonly TimeSpan[], cap: number) {
    const rows = await prisma.$queryRaw`
      SELECT s."i" AS "i",
             (SELECT COUNT(*) FROM (
                SELECT DISTINCT p."workerId" FROM "Pause" p
                WHERE p."startsAt" >= s."from" AND p."startsAt" < s."to"
                  AND p."cancelledAt" IS NULL
                LIMIT ${cap}) t) AS "n"
      FROM unnest(${isoTimes(spans.map((s) => s.from))}::timestamp(3)[],
                  ${isoTimes(spans.map((s) => s.to))}::timestamp(3)[])
           WITH ORDINALITY AS s("from", "to", "i")`;
    return perOrdinal(spans.length, rows);
  },

  async pauseLengths(days: KeyRange | null, spans: readonly TimeSpan[]) {
    const arms: Prisma.Sql[] = [];
    if (days) {
      arms.push(Prisma.sql`
        SELECT "lengthSeconds" AS "seconds", SUM("count") AS "n" FROM "PauseLengthDay"
        WHERE "day" >= ${days[0]} AND "day" < ${days[1]} GROUP BY "lengthSeconds"`);
    }
    for (const span of spans) {
      arms.push(Prisma.sql`
        SELECT "lengthSeconds" AS "seconds", COUNT(*) AS "n" FROM "Pause"
        WHERE "startsAt" >= ${span.from} AND "startsAt" < ${span.to} AND "cancelledAt" IS NULL
          AND "lengthSeconds" IS NOT NULL
        GROUP BY "lengthSeconds"`);
    }
    if (arms.length === 0) return [];
    return Rows.lengths.parse(await prisma.$queryRaw(Prisma.join(arms, " UNION ALL ")));
  },

  async teamPauses(days: KeyRange, spans: readonly TimeSpan[]) {
    const rows = await prisma.$queryRaw(
      Prisma.join(
        [
          Prisma.sql`
            SELECT "managerKey", SUM("count") AS "n" FROM "TeamPauseDay"
            WHERE "day" >= ${days[0]} AND "day" < ${days[1]} GROUP BY "managerKey"`,
          ...spans.map(
            (span) => Prisma.sql`
              SELECT COALESCE(u."managerId", '') AS "managerKey", COUNT(*) AS "n"
              FROM "Pause" p JOIN "User" u ON u."id" = p."workerId"
              WHERE p."startsAt" >= ${span.from} AND p."startsAt" < ${span.to}
                AND p."cancelledAt" IS NULL AND u."deactivatedAt" IS NULL
              GROUP BY 1`,
          ),
        ],
        " UNION ALL ",
      ),
    );
    return Rows.teamPauses.parse(rows);
  },

  async teamPausesPerPerson(span: TimeSpan) {
    const rows = await prisma.$queryRaw`
      SELECT COALESCE(u."managerId", '') AS "managerKey",
             SUM((SELECT COUNT(*) FROM "Pause" p
                  WHERE p."workerId" = u."id" AND p."startsAt" >= ${span.from}
                    AND p."startsAt" < ${span.to} AND p."cancelledAt" IS NULL)) AS "n"
      FROM "User" u
      WHERE u."deactivatedAt" IS NULL
      GROUP BY 1`;
    return Rows.teamPauses.parse(rows);
  },

  async teams(noticeId: string, exemptionsSince: Date) {
    const rows = await prisma.$queryRaw`
      SELECT u."managerId" AS "managerId", COUNT(*) AS "size",
             SUM(CASE WHEN EXISTS (SELECT 1 FROM "Acknowledgement" a
                                   WHERE a."workerId" = u."id" AND a."documentId" = ${noticeId})
                      THEN 1 ELSE 0 END) AS "signed",
             SUM((SELECT COUNT(*) FROM "ExemptionRequest" e
                  WHERE e."workerId" = u."id" AND e."createdAt" >= ${exemptionsSince})) AS "exemptions"
      FROM "User" u
      WHERE u."deactivatedAt" IS NULL
      GROUP BY u."managerId"
      ORDER BY u."managerId" NULLS FIRST`;
    return Rows.teams.parse(rows);
  },
};
