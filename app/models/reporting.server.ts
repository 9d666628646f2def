/**
 * The privacy office's aggregate reports (/admin). Every function here
 * returns counts, shares and medians only: no names of the people counted,
 * no emails, no single person's pauses. Breakdowns go through
 * `suppressSmallGroups` here, so a group behind fewer than MIN_GROUP_SIZE
 * workers never leaves this module.
 */
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import {
  effectiveStatus,
  EXEMPTION_REASONS,
  EXEMPTION_STATUSES,
  type ExemptionReason,
  type ExemptionStatus,
} from "#app/domain/exemption.ts";
import { localDateKey, previousDateKey, startOfLocalDay } from "#app/domain/local-time.ts";
import {
  median,
  medianOfHistogram,
  PAUSE_REPORT_DAYS,
  MIN_GROUP_SIZE,
  suppressSmallGroups,
  TEAM_EXEMPTION_DAYS,
} from "#app/domain/reporting.ts";
import { prisma } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";

const DAY_MS = 24 * 3600_000;

/**
 * A time from a raw query: a DateTime column comes back as a Date, a computed
 * one (MIN(...)) as the stored ISO text. (Date.parse would drop a Date's milliseconds.)
 */
type RawTime = Date | string;
function toDate(value: RawTime): Date {
  return new Date(value);
}

// ─── Acknowledgements ────────────────────────────────────────────────────────

/**
 * Per published version that asks to be acknowledged: how many active people
 * signed it, out of all active people. Deactivated people count in neither.
 */
export async function getAcknowledgementCompletion() {
  const [activePeople, published, signatures] = await Promise.all([
    prisma.user.count({ where: { deactivatedAt: null } }),
    prisma.policyDocument.findMany({
      where: { publishedAt: { not: null } },
      orderBy: [{ slug: "asc" }, { version: "desc" }],
      select: {
        id: true,
        slug: true,
        title: true,
        version: true,
        publishedAt: true,
        requiresAcknowledgement: true,
      },
    }),
    // Every signature of a published version, less those of deactivated people: two index
    // counts per version and a pass over the few deactivated people, instead of looking up the
    // signer of each of tens of thousands of signatures.
    prisma.$queryRawUnsafe<{ documentId: string; signed: number | bigint }[]>(
      `SELECT d."id" AS "documentId",
              (SELECT COUNT(*) FROM "Acknowledgement" a WHERE a."documentId" = d."id")
              - (SELECT COUNT(*) FROM "User" u
                 WHERE u."deactivatedAt" IS NOT NULL
                   AND EXISTS (SELECT 1 FROM "Acknowledgement" a
                               WHERE a."workerId" = u."id" AND a."documentId" = d."id"))
                AS "signed"
       FROM "PolicyDocument" d
       WHERE d."publishedAt" IS NOT NULL`,
    ),
  ]);
  const signed = new Map(signatures.map((r) => [r.documentId, Number(r.signed)]));
  const currentVersion = new Map<string, number>();
  for (const d of published) {
    currentVersion.set(d.slug, Math.max(currentVersion.get(d.slug) ?? 0, d.version));
  }
  return {
    activePeople,
    versions: published
      .filter((d) => d.requiresAcknowledgement)
      .map((d) => ({
        id: d.id,
        slug: d.slug,
        title: d.title,
        version: d.version,
        publishedAt: d.publishedAt!,
        current: currentVersion.get(d.slug) === d.version,
        signed: signed.get(d.id) ?? 0,
      })),
  };
}

// ─── Exemption requests ──────────────────────────────────────────────────────

type StatusCounts = Record<ExemptionStatus, number>;

export type ExemptionTally = {
  /** Distinct workers who filed these requests. */
  workers: number;
  /** Who they are: for counting hidden groups by distinct worker; never leaves this module. */
  workerIds: string[];
  total: number;
  /** By status as in force now (a lapsed pending or approved request counts as expired). */
  counts: StatusCounts;
  /** Requests decided (approved or denied) by a reviewer. */
  decided: number;
  medianDecisionMs: number | null;
};

type ExemptionReportRow = {
  reason: ExemptionReason;
  workerId: string;
  status: ExemptionStatus;
  endsAt: RawTime;
  endedEarlyAt: RawTime | null;
  createdAt: RawTime;
  decidedAt: RawTime | null;
};

class Tally {
  private workerIds = new Set<string>();
  private counts = Object.fromEntries(EXEMPTION_STATUSES.map((s) => [s, 0])) as StatusCounts;
  private decisionMs: number[] = [];
  private total = 0;

  add(workerId: string, status: ExemptionStatus, decisionMs: number | null) {
    this.workerIds.add(workerId);
    this.counts[status] += 1;
    this.total += 1;
    if (decisionMs !== null) this.decisionMs.push(decisionMs);
  }

  result(): ExemptionTally {
    return {
      workers: this.workerIds.size,
      workerIds: [...this.workerIds],
      total: this.total,
      counts: { ...this.counts },
      decided: this.decisionMs.length,
      medianDecisionMs: median(this.decisionMs),
    };
  }
}

/**
 * Every exemption request ever filed, by reason and by status now, with the
 * median time from filing to the reviewer's decision. The decision is the
 * first change from pending to approved or denied in the request's history
 * (a later revocation rewrites `decidedAt`, not when it was decided); a
 * request without that history falls back to its `decidedAt`.
 * A reason whose requests come from fewer than MIN_GROUP_SIZE workers is
 * hidden (with complementary suppression by distinct worker); the
 * all-reasons row stays unless fewer than MIN_GROUP_SIZE workers filed at all.
 */
export async function getExemptionReport(now: Date) {
  const rows = await prisma.$queryRawUnsafe<ExemptionReportRow[]>(
    `SELECT r."reason", r."workerId", r."status", r."endsAt", r."endedEarlyAt", r."createdAt",
            COALESCE(
              (SELECT MIN(c."at") FROM "ExemptionStatusChange" c
               WHERE c."requestId" = r."id" AND c."fromStatus" = 'PENDING'
                 AND c."toStatus" IN ('APPROVED', 'DENIED')),
              r."decidedAt") AS "decidedAt"
     FROM "ExemptionRequest" r`,
  );
  const all = new Tally();
  const byReason = new Map<ExemptionReason, Tally>();
  for (const row of rows) {
    const status = effectiveStatus(
      {
        status: row.status,
        endsAt: toDate(row.endsAt),
        endedEarlyAt: row.endedEarlyAt ? toDate(row.endedEarlyAt) : null,
      },
      now,
    );
    const decisionMs = row.decidedAt
      ? toDate(row.decidedAt).getTime() - toDate(row.createdAt).getTime()
      : null;
    all.add(row.workerId, status, decisionMs);
    let tally = byReason.get(row.reason);
    if (!tally) byReason.set(row.reason, (tally = new Tally()));
    tally.add(row.workerId, status, decisionMs);
  }
  const reasons = EXEMPTION_REASONS.filter((r) => byReason.has(r)).map((reason) => ({
    reason,
    ...byReason.get(reason)!.result(),
  }));
  const { shown, hiddenCount } = suppressSmallGroups(reasons);
  const total = all.result();
  return {
    // Fewer than MIN_GROUP_SIZE workers in all: even the organisation's row would point at people.
    all: total.workers < MIN_GROUP_SIZE ? null : withoutIds(total),
    reasons: shown.map(withoutIds),
    hiddenCount,
  };
}

function withoutIds<T extends { workerIds: string[] }>({ workerIds: _, ...rest }: T) {
  return rest;
}

// ─── Pauses ──────────────────────────────────────────────────────────────────

/** The last `days` local calendar days in `timeZone`, oldest first, today included. */
export function reportDays(now: Date, timeZone: string, days = PAUSE_REPORT_DAYS) {
  const keys = [localDateKey(now, timeZone)];
  while (keys.length < days) keys.unshift(previousDateKey(keys[0]!));
  return keys.map((key) => ({ key, start: startOfLocalDay(key, timeZone) }));
}

const QUARTER_MS = 15 * 60_000;
/** The rollups' keys (prisma/schema.prisma): UTC "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM". */
const utcDayKey = (t: number) => new Date(t).toISOString().slice(0, 10);
const quarterKey = (t: number) => new Date(t).toISOString().slice(0, 16);
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/**
 * The report's window [since, now] cut where the rollups can answer: the whole
 * UTC days inside it come from the day rollups; the part before the first
 * whole day and today (UTC) so far are counted from the pauses themselves.
 */
function windowParts(since: Date, now: Date) {
  const firstWholeDay = Math.ceil(since.getTime() / DAY_MS) * DAY_MS;
  const today = Math.max(firstWholeDay, floorTo(now.getTime(), DAY_MS));
  return {
    days: [utcDayKey(firstWholeDay), utcDayKey(today)] as const,
    head: [toStoredDateTime(since), toStoredDateTime(Math.min(firstWholeDay, now.getTime() + 1))],
    tail: [toStoredDateTime(today), toStoredDateTime(now)],
  };
}

type CountRow = { i: number | bigint; n: number | bigint };
type LengthRow = { seconds: number | bigint; n: number | bigint };

/**
 * Pauses started per local day, read from the quarter-hour rollup: a local
 * day is a range of quarter hours, and only the quarter hour now running is
 * counted from the pauses. (Every zone's midnight is on a quarter hour today;
 * were one not, the pauses are counted directly.)
 */
async function countPausesPerDay(days: { start: Date }[], now: Date): Promise<number[]> {
  const starts = days.map((d) => d.start.getTime());
  if (starts.some((t) => t % QUARTER_MS !== 0)) return countPausesPerDayFromPauses(days, now);
  const running = floorTo(now.getTime(), QUARTER_MS);
  const bounds = starts.map((t, i) => [quarterKey(t), quarterKey(starts[i + 1] ?? running)]);
  const [perDay, [thisQuarter]] = await Promise.all([
    prisma.$queryRawUnsafe<CountRow[]>(
      `SELECT CAST(d."key" AS INTEGER) AS "i",
              (SELECT COALESCE(SUM(q."count"), 0) FROM "PauseStartQuarter" q
               WHERE q."quarter" >= json_extract(d."value", '$[0]')
                 AND q."quarter" < json_extract(d."value", '$[1]')) AS "n"
       FROM json_each(?) d`,
      JSON.stringify(bounds),
    ),
    prisma.$queryRawUnsafe<{ n: number | bigint }[]>(
      `SELECT COUNT(*) AS "n" FROM "Pause"
       WHERE "startsAt" >= ? AND "startsAt" <= ? AND "cancelledAt" IS NULL`,
      toStoredDateTime(running),
      toStoredDateTime(now),
    ),
  ]);
  const counts = days.map(() => 0);
  for (const row of perDay) counts[Number(row.i)] = Number(row.n);
  counts[counts.length - 1]! += Number(thisQuarter?.n ?? 0);
  return counts;
}

/** The same counts straight from the pauses (the rollups' reference; see the tests). */
export async function countPausesPerDayFromPauses(
  days: { start: Date }[],
  now: Date,
): Promise<number[]> {
  const bounds = days.map((d, i) => [
    toStoredDateTime(d.start),
    // Each day ends where the next begins; today ends now.
    toStoredDateTime(i + 1 < days.length ? days[i + 1]!.start : new Date(now.getTime() + 1)),
  ]);
  const perDay = await prisma.$queryRawUnsafe<CountRow[]>(
    `SELECT CAST(d."key" AS INTEGER) AS "i",
            (SELECT COUNT(*) FROM "Pause" p
             WHERE p."startsAt" >= json_extract(d."value", '$[0]')
               AND p."startsAt" < json_extract(d."value", '$[1]')
               AND p."cancelledAt" IS NULL) AS "n"
     FROM json_each(?) d`,
    JSON.stringify(bounds),
  );
  const counts = days.map(() => 0);
  for (const row of perDay) counts[Number(row.i)] = Number(row.n);
  return counts;
}

/** Lengths of the pauses started in [since, now], as a histogram to the second. */
async function pauseLengths(since: Date, now: Date) {
  const { days, head, tail } = windowParts(since, now);
  const rows = await prisma.$queryRawUnsafe<LengthRow[]>(
    `SELECT "lengthSeconds" AS "seconds", SUM("count") AS "n" FROM "PauseLengthDay"
     WHERE "day" >= ? AND "day" < ? GROUP BY "lengthSeconds"
     UNION ALL
     SELECT "lengthSeconds", COUNT(*) FROM "Pause"
     WHERE "startsAt" >= ? AND "startsAt" < ? AND "cancelledAt" IS NULL
       AND "lengthSeconds" IS NOT NULL
     GROUP BY "lengthSeconds"
     UNION ALL
     SELECT "lengthSeconds", COUNT(*) FROM "Pause"
     WHERE "startsAt" >= ? AND "startsAt" <= ? AND "cancelledAt" IS NULL
       AND "lengthSeconds" IS NOT NULL
     GROUP BY "lengthSeconds"`,
    ...days,
    ...head,
    ...tail,
  );
  return rows.map((r) => ({ value: Number(r.seconds) * 1000, count: Number(r.n) }));
}

/** The same histogram straight from the pauses (the rollups' reference; see the tests). */
export async function pauseLengthsFromPauses(since: Date, now: Date) {
  const rows = await prisma.$queryRawUnsafe<LengthRow[]>(
    `SELECT p."lengthSeconds" AS "seconds", COUNT(*) AS "n"
     FROM "Pause" p
     WHERE p."startsAt" >= ? AND p."startsAt" <= ? AND p."cancelledAt" IS NULL
       AND p."lengthSeconds" IS NOT NULL
     GROUP BY p."lengthSeconds"`,
    toStoredDateTime(since),
    toStoredDateTime(now),
  );
  return rows.map((r) => ({ value: Number(r.seconds) * 1000, count: Number(r.n) }));
}

/**
 * Pauses across the organisation over the last 30 days (the viewer's local
 * days, today so far): how many started each day, and the median length of
 * those that started (to their end, or their early end: `effectiveInterval`,
 * kept in `Pause.lengthSeconds` by database triggers). Cancelled pauses count
 * in neither.
 *
 * Read from rollups kept by database triggers (ADR 0031): pauses per UTC
 * quarter hour, and per UTC day and length to the second; only the edges of
 * the window that the rollups cannot cut (the quarter hour running now, the
 * part of a UTC day) are counted from the pauses' covering index. At 300,000
 * pauses a month, grouping every length in the window took 130 ms.
 */
export async function getPauseReport(now: Date, timeZone: string) {
  const days = reportDays(now, timeZone);
  const since = days[0]!.start;
  const [counts, histogram] = await Promise.all([
    countPausesPerDay(days, now),
    pauseLengths(since, now),
  ]);
  return {
    since,
    days: days.map((d, i) => ({ key: d.key, start: d.start, count: counts[i]! })),
    total: counts.reduce((sum, n) => sum + n, 0),
    measured: histogram.reduce((sum, b) => sum + b.count, 0),
    medianLengthMs: medianOfHistogram(histogram),
  };
}

// ─── Teams ───────────────────────────────────────────────────────────────────

type TeamReportRow = {
  managerId: string | null;
  size: number | bigint;
  signed: number | bigint | null;
  exemptions: number | bigint | null;
};

/** The "no manager" team's key in `TeamPauseDay`. */
const NO_MANAGER = "";

/**
 * Pauses started in [since, now], not cancelled, of active people, per team
 * (manager id, or NO_MANAGER): whole UTC days from `TeamPauseDay`, the edges
 * from the pauses' covering index.
 */
async function countTeamPauses(since: Date, now: Date): Promise<Map<string, number>> {
  const { days, head, tail } = windowParts(since, now);
  const edge = (last: "<" | "<=") =>
    `SELECT COALESCE(u."managerId", '') AS "managerKey", COUNT(*) AS "n"
     FROM "Pause" p JOIN "User" u ON u."id" = p."workerId"
     WHERE p."startsAt" >= ? AND p."startsAt" ${last} ? AND p."cancelledAt" IS NULL
       AND u."deactivatedAt" IS NULL
     GROUP BY 1`;
  const rows = await prisma.$queryRawUnsafe<{ managerKey: string; n: number | bigint }[]>(
    `SELECT "managerKey", SUM("count") AS "n" FROM "TeamPauseDay"
     WHERE "day" >= ? AND "day" < ? GROUP BY "managerKey"
     UNION ALL ${edge("<")}
     UNION ALL ${edge("<=")}`,
    ...days,
    ...head,
    ...tail,
  );
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.managerKey, (counts.get(r.managerKey) ?? 0) + Number(r.n));
  return counts;
}

/** The same counts straight from the pauses, one index range per person (the reference). */
export async function countTeamPausesFromPauses(
  since: Date,
  now: Date,
): Promise<Map<string, number>> {
  const rows = await prisma.$queryRawUnsafe<{ managerKey: string; n: number | bigint }[]>(
    `SELECT COALESCE(u."managerId", '') AS "managerKey",
            SUM((SELECT COUNT(*) FROM "Pause" p
                 WHERE p."workerId" = u."id" AND p."startsAt" >= ? AND p."startsAt" <= ?
                   AND p."cancelledAt" IS NULL)) AS "n"
     FROM "User" u
     WHERE u."deactivatedAt" IS NULL
     GROUP BY 1`,
    toStoredDateTime(since),
    toStoredDateTime(now),
  );
  return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.managerKey, Number(r.n)]));
}

/**
 * Per manager, over their active direct reports (active people without a
 * manager form one more group): team size, how many signed the current
 * monitoring notice, pauses that started since `pausesSince` (not cancelled;
 * from `TeamPauseDay`, see countTeamPauses) and exemption requests filed in
 * the last 90 days. A team of fewer than MIN_GROUP_SIZE is hidden, its
 * manager's name included.
 */
export async function getTeamReport(now: Date, pausesSince: Date) {
  const notice = await prisma.policyDocument.findFirst({
    where: { slug: MONITORING_NOTICE_SLUG, publishedAt: { not: null } },
    orderBy: { version: "desc" },
    select: { id: true, version: true },
  });
  const [rows, pauses] = await Promise.all([
    prisma.$queryRawUnsafe<TeamReportRow[]>(
      `SELECT u."managerId" AS "managerId", COUNT(*) AS "size",
              SUM(CASE WHEN EXISTS (SELECT 1 FROM "Acknowledgement" a
                                    WHERE a."workerId" = u."id" AND a."documentId" = ?)
                       THEN 1 ELSE 0 END) AS "signed",
              SUM((SELECT COUNT(*) FROM "ExemptionRequest" e
                   WHERE e."workerId" = u."id" AND e."createdAt" >= ?)) AS "exemptions"
       FROM "User" u
       WHERE u."deactivatedAt" IS NULL
       GROUP BY u."managerId"`,
      notice?.id ?? "",
      toStoredDateTime(now.getTime() - TEAM_EXEMPTION_DAYS * DAY_MS),
    ),
    countTeamPauses(pausesSince, now),
  ]);
  const { shown, hiddenCount } = suppressSmallGroups(
    rows.map((r) => ({
      managerId: r.managerId,
      workers: Number(r.size),
      signed: Number(r.signed ?? 0),
      pauses: pauses.get(r.managerId ?? NO_MANAGER) ?? 0,
      exemptions: Number(r.exemptions ?? 0),
    })),
  );
  // Names only of the managers whose teams are shown.
  const managerIds = shown.map((t) => t.managerId).filter((id): id is string => id !== null);
  const managers = await prisma.user.findMany({
    where: { id: { in: managerIds } },
    select: { id: true, name: true },
  });
  const names = new Map(managers.map((m) => [m.id, m.name]));
  const teams = shown
    .map((t) => ({
      key: t.managerId ?? "none",
      manager: t.managerId === null ? null : (names.get(t.managerId) ?? "Unknown manager"),
      workers: t.workers,
      signed: notice ? t.signed : null,
      pauses: t.pauses,
      exemptions: t.exemptions,
    }))
    .sort((a, b) =>
      a.manager === null ? 1 : b.manager === null ? -1 : a.manager.localeCompare(b.manager),
    );
  return { notice, teams, hiddenCount };
}

// ─── Everything on the page ──────────────────────────────────────────────────

/** The four reports of /admin; the teams' pauses cover the same local days as the pause report. */
export async function getReportingOverview(now: Date, timeZone: string) {
  const [acknowledgements, exemptions, pauses, teams] = await Promise.all([
    getAcknowledgementCompletion(),
    getExemptionReport(now),
    getPauseReport(now, timeZone),
    getTeamReport(now, reportDays(now, timeZone)[0]!.start),
  ]);
  return { acknowledgements, exemptions, pauses, teams };
}
