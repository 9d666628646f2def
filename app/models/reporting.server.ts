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
  const [activePeople, published] = await Promise.all([
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
        _count: {
          select: { acknowledgements: { where: { worker: { deactivatedAt: null } } } },
        },
      },
    }),
  ]);
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
        signed: d._count.acknowledgements,
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

/**
 * Pauses across the organisation over the last 30 days (the viewer's local
 * days, today so far): how many started each day, and the median length of
 * those that started (to their end, or their early end: `effectiveInterval`,
 * kept in `Pause.lengthSeconds` by database triggers). Cancelled pauses count
 * in neither.
 *
 * Both are aggregated by SQLite through the covering index on
 * (startsAt, cancelledAt, lengthSeconds): at 300,000 pauses a month,
 * returning the rows to JavaScript took seconds, and working out each
 * length in SQL a third of a second. Lengths come back as a histogram to the
 * second (a pause is at most 30 minutes: ≤ 1,801 rows).
 */
export async function getPauseReport(now: Date, timeZone: string) {
  const days = reportDays(now, timeZone);
  const since = days[0]!.start;
  const bounds = days.map((d, i) => [
    toStoredDateTime(d.start),
    // Each day ends where the next begins; today ends now.
    toStoredDateTime(i + 1 < days.length ? days[i + 1]!.start : new Date(now.getTime() + 1)),
  ]);
  const [perDay, lengths] = await Promise.all([
    prisma.$queryRawUnsafe<{ i: number | bigint; n: number | bigint }[]>(
      `SELECT CAST(d."key" AS INTEGER) AS "i",
              (SELECT COUNT(*) FROM "Pause" p
               WHERE p."startsAt" >= json_extract(d."value", '$[0]')
                 AND p."startsAt" < json_extract(d."value", '$[1]')
                 AND p."cancelledAt" IS NULL) AS "n"
       FROM json_each(?) d`,
      JSON.stringify(bounds),
    ),
    prisma.$queryRawUnsafe<{ seconds: number | bigint; n: number | bigint }[]>(
      `SELECT p."lengthSeconds" AS "seconds", COUNT(*) AS "n"
       FROM "Pause" p
       WHERE p."startsAt" >= ? AND p."startsAt" <= ? AND p."cancelledAt" IS NULL
         AND p."lengthSeconds" IS NOT NULL
       GROUP BY p."lengthSeconds"`,
      toStoredDateTime(since),
      toStoredDateTime(now),
    ),
  ]);
  const counts = days.map(() => 0);
  for (const row of perDay) counts[Number(row.i)] = Number(row.n);
  const histogram = lengths.map((r) => ({ value: Number(r.seconds) * 1000, count: Number(r.n) }));
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
  pauses: number | bigint | null;
  exemptions: number | bigint | null;
};

/**
 * Per manager, over their active direct reports (active people without a
 * manager form one more group): team size, how many signed the current
 * monitoring notice, pauses that started since `pausesSince` (not cancelled)
 * and exemption requests filed in the last 90 days. A team of fewer than
 * MIN_GROUP_SIZE is hidden, its manager's name included.
 */
export async function getTeamReport(now: Date, pausesSince: Date) {
  const notice = await prisma.policyDocument.findFirst({
    where: { slug: MONITORING_NOTICE_SLUG, publishedAt: { not: null } },
    orderBy: { version: "desc" },
    select: { id: true, version: true },
  });
  const rows = await prisma.$queryRawUnsafe<TeamReportRow[]>(
    `SELECT u."managerId" AS "managerId", COUNT(*) AS "size",
            SUM(CASE WHEN EXISTS (SELECT 1 FROM "Acknowledgement" a
                                  WHERE a."workerId" = u."id" AND a."documentId" = ?)
                     THEN 1 ELSE 0 END) AS "signed",
            SUM((SELECT COUNT(*) FROM "Pause" p
                 WHERE p."workerId" = u."id" AND p."startsAt" >= ? AND p."startsAt" <= ?
                   AND p."cancelledAt" IS NULL)) AS "pauses",
            SUM((SELECT COUNT(*) FROM "ExemptionRequest" e
                 WHERE e."workerId" = u."id" AND e."createdAt" >= ?)) AS "exemptions"
     FROM "User" u
     WHERE u."deactivatedAt" IS NULL
     GROUP BY u."managerId"`,
    notice?.id ?? "",
    toStoredDateTime(pausesSince),
    toStoredDateTime(now),
    toStoredDateTime(now.getTime() - TEAM_EXEMPTION_DAYS * DAY_MS),
  );
  const { shown, hiddenCount } = suppressSmallGroups(
    rows.map((r) => ({
      managerId: r.managerId,
      workers: Number(r.size),
      signed: Number(r.signed ?? 0),
      pauses: Number(r.pauses ?? 0),
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
