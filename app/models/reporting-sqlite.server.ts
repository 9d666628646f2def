import { prisma } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type {
  ExemptionRequestRow,
  KeyRange,
  LengthCount,
  ReportingStore,
  TeamRow,
  TimeSpan,
} from "./reporting-store.ts";

/**
 * The overview's SQL for SQLite (ADR 0031, 0032). Times are compared as the
 * stored ISO text; the rollups' keys are text; a list of ranges travels as
 * one JSON array read with json_each.
 */

type Count = number | bigint;
type RawTime = Date | string;

/** A DateTime column comes back as a Date, a computed one (MIN(...)) as the stored ISO text. */
const toDate = (value: RawTime) => new Date(value);

/** Counts per index of a json_each list, in the list's order. */
function perIndex(length: number, rows: { i: Count; n: Count }[]): number[] {
  const counts = Array.from({ length }, () => 0);
  for (const row of rows) counts[Number(row.i)] = Number(row.n);
  return counts;
}

const storedSpan = (span: TimeSpan) => [toStoredDateTime(span.from), toStoredDateTime(span.to)];

export const sqliteReportingStore: ReportingStore = {
  async signaturesOfActivePeople() {
    // Two index counts per version and a pass over the few deactivated people, instead of looking
    // up the signer of each of tens of thousands of signatures.
    const rows = await prisma.$queryRawUnsafe<{ documentId: string; signed: Count }[]>(
      `SELECT d."id" AS "documentId",
              (SELECT COUNT(*) FROM "Acknowledgement" a WHERE a."documentId" = d."id")
              - (SELECT COUNT(*) FROM "User" u
                 WHERE u."deactivatedAt" IS NOT NULL
                   AND EXISTS (SELECT 1 FROM "Acknowledgement" a
                               WHERE a."workerId" = u."id" AND a."documentId" = d."id"))
                AS "signed"
       FROM "PolicyDocument" d
       WHERE d."publishedAt" IS NOT NULL`,
    );
    return new Map(rows.map((r) => [r.documentId, Number(r.signed)]));
  },

  async exemptionRequests() {
    const rows = await prisma.$queryRawUnsafe<
      (Omit<ExemptionRequestRow, "endsAt" | "endedEarlyAt" | "createdAt" | "decidedAt"> & {
        endsAt: RawTime;
        endedEarlyAt: RawTime | null;
        createdAt: RawTime;
        decidedAt: RawTime | null;
      })[]
    >(
      `SELECT r."reason", r."workerId", r."status", r."endsAt", r."endedEarlyAt", r."createdAt",
              COALESCE(
                (SELECT MIN(c."at") FROM "ExemptionStatusChange" c
                 WHERE c."requestId" = r."id" AND c."fromStatus" = 'PENDING'
                   AND c."toStatus" IN ('APPROVED', 'DENIED')),
                r."decidedAt") AS "decidedAt"
       FROM "ExemptionRequest" r`,
    );
    return rows.map((r) => ({
      ...r,
      endsAt: toDate(r.endsAt),
      endedEarlyAt: r.endedEarlyAt === null ? null : toDate(r.endedEarlyAt),
      createdAt: toDate(r.createdAt),
      decidedAt: r.decidedAt === null ? null : toDate(r.decidedAt),
    }));
  },

  async pauseStartsPerQuarterRange(ranges: readonly KeyRange[]) {
    const rows = await prisma.$queryRawUnsafe<{ i: Count; n: Count }[]>(
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
    const rows = await prisma.$queryRawUnsafe<{ i: Count; n: Count }[]>(
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
    const rows = await prisma.$queryRawUnsafe<{ seconds: Count; n: Count }[]>(
      arms.join(" UNION ALL "),
      ...args,
    );
    return rows.map((r): LengthCount => ({ seconds: Number(r.seconds), count: Number(r.n) }));
  },

  async teamPauses(days: KeyRange, spans: readonly TimeSpan[]) {
    const edge = `SELECT COALESCE(u."managerId", '') AS "managerKey", COUNT(*) AS "n"
       FROM "Pause" p JOIN "User" u ON u."id" = p."workerId"
       WHERE p."startsAt" >= ? AND p."startsAt" < ? AND p."cancelledAt" IS NULL
         AND u."deactivatedAt" IS NULL
       GROUP BY 1`;
    const rows = await prisma.$queryRawUnsafe<{ managerKey: string; n: Count }[]>(
      [
        `SELECT "managerKey", SUM("count") AS "n" FROM "TeamPauseDay"
         WHERE "day" >= ? AND "day" < ? GROUP BY "managerKey"`,
        ...spans.map(() => edge),
      ].join(" UNION ALL "),
      ...days,
      ...spans.flatMap(storedSpan),
    );
    return rows.map((r) => ({ managerKey: r.managerKey, count: Number(r.n) }));
  },

  async teamPausesPerPerson(span: TimeSpan) {
    const rows = await prisma.$queryRawUnsafe<{ managerKey: string; n: Count | null }[]>(
      `SELECT COALESCE(u."managerId", '') AS "managerKey",
              SUM((SELECT COUNT(*) FROM "Pause" p
                   WHERE p."workerId" = u."id" AND p."startsAt" >= ? AND p."startsAt" < ?
                     AND p."cancelledAt" IS NULL)) AS "n"
       FROM "User" u
       WHERE u."deactivatedAt" IS NULL
       GROUP BY 1`,
      ...storedSpan(span),
    );
    return rows.map((r) => ({ managerKey: r.managerKey, count: Number(r.n ?? 0) }));
  },

  async teams(noticeId: string, exemptionsSince: Date) {
    const rows = await prisma.$queryRawUnsafe<
      { managerId: string | null; size: Count; signed: Count | null; exemptions: Count | null }[]
    >(
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
    return rows.map((r): TeamRow => ({
      managerId: r.managerId,
      size: Number(r.size),
      signed: Number(r.signed ?? 0),
      exemptions: Number(r.exemptions ?? 0),
    }));
  },
};
