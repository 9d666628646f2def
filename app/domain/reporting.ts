/**
 * The privacy office's aggregate reporting rules, pure: the smallest group a
 * breakdown may show, medians, and how durations and shares read. No I/O.
 *
 * A breakdown (by manager, by exemption reason…) never shows a group behind
 * fewer than MIN_GROUP_SIZE distinct workers: its numbers are dropped before
 * they leave the server, and only how many groups were dropped is said.
 * Hidden groups are not folded into an "other" row either: subtracting the
 * shown rows from it would give them back; for the same reason a lone small
 * group takes the next smallest with it (see suppressSmallGroups).
 */

export const MIN_GROUP_SIZE = 5;

/** How far back the pause figures (per day, median length, per team) look, in local days. */
export const PAUSE_REPORT_DAYS = 30;
/** How far back the teams' exemption request counts look, in days. */
export const TEAM_EXEMPTION_DAYS = 90;

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of values given as a histogram ({ value, count } in any order),
 * equal to `median` of the values spelled out: for SQL that groups instead
 * of returning every row.
 */
export function medianOfHistogram(
  buckets: readonly { value: number; count: number }[],
): number | null {
  const sorted = buckets.filter((b) => b.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return null;
  const at = (index: number) => {
    let seen = 0;
    for (const b of sorted) {
      seen += b.count;
      if (index < seen) return b.value;
    }
    return sorted[sorted.length - 1]!.value;
  };
  const mid = total >> 1;
  return total % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/**
 * Something a breakdown shows: one row, and how many distinct workers are
 * behind it. Where one worker can be behind several rows (a worker may file
 * under several exemption reasons), `workerIds` lets the hidden rows be
 * counted by distinct worker rather than added up.
 */
export type Group = { workers: number; workerIds?: readonly string[] };

function workersBehind(groups: readonly Group[]): number {
  if (groups.every((g) => g.workerIds)) return new Set(groups.flatMap((g) => g.workerIds!)).size;
  return groups.reduce((sum, g) => sum + g.workers, 0);
}

/**
 * Keeps the groups behind at least MIN_GROUP_SIZE distinct workers, in their
 * order, and counts the others (whose numbers must then go nowhere).
 *
 * Complementary suppression: the page also shows organisation-wide totals,
 * and total minus the shown rows is what the hidden rows hold together. So
 * when the hidden groups together are behind fewer than MIN_GROUP_SIZE
 * distinct workers, the smallest shown groups are hidden as well until they
 * are behind at least that many (or nothing is shown).
 */
export function suppressSmallGroups<T extends Group>(
  groups: readonly T[],
): { shown: T[]; hiddenCount: number } {
  const hidden = groups.filter((g) => g.workers < MIN_GROUP_SIZE);
  const bySize = groups.filter((g) => !hidden.includes(g)).sort((a, b) => a.workers - b.workers);
  for (const group of bySize) {
    const behind = workersBehind(hidden);
    if (behind === 0 || behind >= MIN_GROUP_SIZE) break;
    hidden.push(group);
  }
  const shown = groups.filter((g) => !hidden.includes(g));
  return { shown, hiddenCount: hidden.length };
}

/** "2 groups with fewer than 5 workers are not shown", or null when none is hidden. */
export function describeHiddenGroups(hiddenCount: number): string | null {
  if (hiddenCount <= 0) return null;
  return hiddenCount === 1
    ? `1 group with fewer than ${MIN_GROUP_SIZE} workers is not shown.`
    : `${hiddenCount} groups with fewer than ${MIN_GROUP_SIZE} workers are not shown.`;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A duration in words, to the minute: "under a minute", "12 min", "3 h 5 min",
 * "2 days 4 h" (days and hours beyond a day, hours and minutes beyond an hour).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < MINUTE_MS) return "under a minute";
  const minutes = Math.round(ms / MINUTE_MS);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const hours = Math.round(ms / HOUR_MS);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? plural(d, "day", "days") : `${plural(d, "day", "days")} ${h} h`;
}

/** Whole-number share of `part` in `whole` ("0" of nobody is null: there is no share). */
export function percentOf(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 100);
}

/** A rate to one decimal place: 7 pauses over 5 workers is 1.4. */
export function perWorker(count: number, workers: number): number | null {
  if (workers <= 0) return null;
  return Math.round((count / workers) * 10) / 10;
}

/**
 * The pause figures as staff may see them (ADR 0042): a day's count only when
 * at least `k` people paused that day (or nobody did); the total only as the sum of the days
 * shown (so no hidden day can be worked out by subtraction); the median length
 * and the number measured only when at least `k` people paused in the window,
 * the number measured only when no day is hidden (it would give the hidden
 * days' sum back).
 */
export function suppressPauseDays<D extends { count: number; pausers: number }>(
  report: {
    days: readonly D[];
    pausers: number;
    measured: number;
    medianLengthMs: number | null;
  },
  k = MIN_GROUP_SIZE,
): {
  days: (Omit<D, "count" | "pausers"> & { count: number | null })[];
  total: number | null;
  hiddenDays: number;
  measured: number | null;
  medianLengthMs: number | null;
} {
  const enough = report.pausers >= k;
  const days = report.days.map(({ count, pausers, ...day }) => ({
    ...day,
    // A day nobody paused says nothing about anyone: its 0 is shown.
    count: enough && (count === 0 || pausers >= k) ? count : null,
  }));
  const hiddenDays = report.days.filter((d, i) => d.count > 0 && days[i]!.count === null).length;
  const shown = days.filter((d) => d.count !== null);
  return {
    days,
    total: enough ? shown.reduce((sum, d) => sum + d.count!, 0) : null,
    hiddenDays,
    measured: enough && hiddenDays === 0 ? report.measured : null,
    medianLengthMs: enough ? report.medianLengthMs : null,
  };
}
