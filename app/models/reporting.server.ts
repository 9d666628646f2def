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
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { postgresReportingStore } from "./reporting-postgres.server.ts";
import { sqliteReportingStore } from "./reporting-sqlite.server.ts";
import type { KeyRange, TimeSpan } from "./reporting-store.ts";

const DAY_MS = 24 * 3600_000;

/** The raw SQL behind these reports, in this process's database's dialect (ADR 0032). */
const store = byProvider({
  sqlite: () => sqliteReportingStore,
  postgresql: () => postgresReportingStore,
});

// ─── Acknowledgements ────────────────────────────────────────────────────────

/**
 * Per published version that asks to be acknowledged: how many active people
 * signed it, out of all active people. Deactivated people count in neither.
 */
export async function getAcknowledgementCompletion() {
  const [activePeople, published, signed] = await Promise.all([
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
    // Every signature of a published version, less those of deactivated people.
    store().signaturesOfActivePeople(),
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
  const rows = await store().exemptionRequests();
  const all = new Tally();
  const byReason = new Map<ExemptionReason, Tally>();
  for (const row of rows) {
    const status = effectiveStatus(
      { status: row.status, endsAt: row.endsAt, endedEarlyAt: row.endedEarlyAt },
      now,
    );
    const decisionMs = row.decidedAt ? row.decidedAt.getTime() - row.createdAt.getTime() : null;
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
function windowParts(since: Date, now: Date): { days: KeyRange; edges: TimeSpan[] } {
  const firstWholeDay = Math.ceil(since.getTime() / DAY_MS) * DAY_MS;
  const today = Math.max(firstWholeDay, floorTo(now.getTime(), DAY_MS));
  return {
    days: [utcDayKey(firstWholeDay), utcDayKey(today)],
    edges: [
      { from: since, to: new Date(Math.min(firstWholeDay, now.getTime() + 1)) },
      // Up to now included (times are to the millisecond).
      { from: new Date(today), to: new Date(now.getTime() + 1) },
    ],
  };
}

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
  const bounds = starts.map((t, i): KeyRange => [
    quarterKey(t),
    quarterKey(starts[i + 1] ?? running),
  ]);
  const [counts, [thisQuarter]] = await Promise.all([
    store().pauseStartsPerQuarterRange(bounds),
    store().pauseStartsPerSpan([{ from: new Date(running), to: new Date(now.getTime() + 1) }]),
  ]);
  counts[counts.length - 1]! += thisQuarter ?? 0;
  return counts;
}

/** The same counts straight from the pauses (the rollups' reference; see the tests). */
export async function countPausesPerDayFromPauses(
  days: { start: Date }[],
  now: Date,
): Promise<number[]> {
  return store().pauseStartsPerSpan(
    days.map((d, i) => ({
      from: d.start,
      // Each day ends where the next begins; today ends now.
      to: i + 1 < days.length ? days[i + 1]!.start : new Date(now.getTime() + 1),
    })),
  );
}

/** Lengths of the pauses started in [since, now], as a histogram to the second. */
async function pauseLengths(since: Date, now: Date) {
  const { days, edges } = windowParts(since, now);
  const rows = await store().pauseLengths(days, edges);
  return rows.map((r) => ({ value: r.seconds * 1000, count: r.count }));
}

/** The same histogram straight from the pauses (the rollups' reference; see the tests). */
export async function pauseLengthsFromPauses(since: Date, now: Date) {
  const rows = await store().pauseLengths(null, [{ from: since, to: new Date(now.getTime() + 1) }]);
  return rows.map((r) => ({ value: r.seconds * 1000, count: r.count }));
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
  const spans = days.map((d, i) => ({
    from: d.start,
    to: i + 1 < days.length ? days[i + 1]!.start : new Date(now.getTime() + 1),
  }));
  const [counts, histogram, pausers, windowPausers] = await Promise.all([
    countPausesPerDay(days, now),
    pauseLengths(since, now),
    // How many people are behind each day's count and the window's (up to MIN_GROUP_SIZE):
    // what the overview needs to hide the figures fewer people stand behind (ADR 0042).
    store().pausersPerSpan(spans, MIN_GROUP_SIZE),
    store().pausersPerSpan([{ from: since, to: spans.at(-1)!.to }], MIN_GROUP_SIZE),
  ]);
  return {
    since,
    days: days.map((d, i) => ({
      key: d.key,
      start: d.start,
      count: counts[i]!,
      pausers: pausers[i]!,
    })),
    pausers: windowPausers[0] ?? 0,
    total: counts.reduce((sum, n) => sum + n, 0),
    measured: histogram.reduce((sum, b) => sum + b.count, 0),
    medianLengthMs: medianOfHistogram(histogram),
  };
}

// ─── Teams ───────────────────────────────────────────────────────────────────

/** The "no manager" team's key in `TeamPauseDay`. */
const NO_MANAGER = "";

/**
 * Pauses started in [since, now], not cancelled, of active people, per team
 * (manager id, or NO_MANAGER): whole UTC days from `TeamPauseDay`, the edges
 * from the pauses' covering index.
 */
async function countTeamPauses(since: Date, now: Date): Promise<Map<string, number>> {
  const { days, edges } = windowParts(since, now);
  const counts = new Map<string, number>();
  for (const r of await store().teamPauses(days, edges)) {
    counts.set(r.managerKey, (counts.get(r.managerKey) ?? 0) + r.count);
  }
  return counts;
}

/** The same counts straight from the pauses, one index range per person (the reference). */
export async function countTeamPausesFromPauses(
  since: Date,
  now: Date,
): Promise<Map<string, number>> {
  const rows = await store().teamPausesPerPerson({
    from: since,
    to: new Date(now.getTime() + 1),
  });
  return new Map(rows.filter((r) => r.count > 0).map((r) => [r.managerKey, r.count]));
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
    store().teams(notice?.id ?? "", new Date(now.getTime() - TEAM_EXEMPTION_DAYS * DAY_MS)),
    countTeamPauses(pausesSince, now),
  ]);
  const { shown, hiddenCount } = suppressSmallGroups(
    rows.map((r) => ({
      managerId: r.managerId,
      workers: r.size,
      signed: r.signed,
      pauses: pauses.get(r.managerId ?? NO_MANAGER) ?? 0,
      exemptions: r.exemptions,
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
