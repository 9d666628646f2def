import { periodRange } from "#app/domain/data-period.ts";
import { deletedBy } from "#app/domain/retention.ts";
import { chartWindows } from "#app/domain/chart-windows.ts";
import { describeScope } from "#app/domain/exemption-labels.ts";
import { exemptIntervals, weekdayOf } from "#app/domain/exemption-windows.ts";
import {
  formatDateTime,
  formatDay,
  formatTime,
  localDateKey,
  nextDateKey,
  previousDateKey,
  startOfLocalDay,
} from "#app/domain/local-time.ts";
import { effectiveInterval, type Interval } from "#app/domain/pause-policy.ts";
import { splitForRollups } from "#app/domain/rollup-split.ts";
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { postgresEventCountStore } from "./event-counts-postgres.server.ts";
import { sqliteEventCountStore } from "./event-counts-sqlite.server.ts";
import type { EventCountRow } from "./event-counts-store.ts";
import { listExemptionsCovering } from "./exemption.server.ts";
import { listPausesOverlapping } from "./pause.server.ts";
import { listForgetsFor } from "./forget.server.ts";

const HOUR_MS = 3600_000;

type Key = { type: string; deviceId: string; app: string };
export type CountRow = EventCountRow;

/** The rollups' SQL, in this process's database's dialect (ADR 0032). */
const store = byProvider({
  sqlite: () => sqliteEventCountStore,
  postgresql: () => postgresEventCountStore,
});

/**
 * Event counts per (type, device, app) for [start, end), in one statement:
 * whole UTC days from the daily rollups, the whole hours left at either end
 * from the hourly rollups, and the partial hours (zones like Asia/Kolkata
 * start days mid-hour) from the indexed raw events (ADR 0030). Exact, and
 * never a scan of the raw events; a year reads ~365 days of rows, not ~8,760
 * hours.
 */
export async function countEvents(workerId: string, start: Date, end: Date): Promise<CountRow[]> {
  return store().countsPerKey(workerId, splitForRollups({ start, end }));
}

function sumBy<K extends keyof Key>(rows: readonly CountRow[], key: K) {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(r[key], (sums.get(r[key]) ?? 0) + r.count);
  return [...sums.entries()]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** Everything the /data overview shows for one worker and period. */
export async function getDataOverview(workerId: string, start: Date, end: Date) {
  const [rows, devices, oldest, policy] = await Promise.all([
    countEvents(workerId, start, end),
    prisma.device.findMany({
      where: { workerId },
      orderBy: { createdAt: "asc" },
      select: {
        id: true,
        name: true,
        storedEvents: true,
        discardedPaused: true,
        discardedExempt: true,
        discardedUnacknowledged: true,
        rejectedFuture: true,
      },
    }),
    prisma.event.findFirst({ where: { workerId }, orderBy: { at: "asc" }, select: { at: true } }),
    prisma.policy.findUniqueOrThrow({ where: { id: 1 }, select: { retentionDays: true } }),
  ]);
  const deviceNames = new Map(devices.map((d) => [d.id, d.name]));
  return {
    total: rows.reduce((sum, r) => sum + r.count, 0),
    byType: sumBy(rows, "type"),
    byDevice: sumBy(rows, "deviceId").map((d) => ({
      ...d,
      name: deviceNames.get(d.name) ?? "Removed device",
    })),
    topApps: sumBy(rows, "app").slice(0, 10),
    devices,
    oldestEventAt: oldest?.at ?? null,
    retentionDays: policy.retentionDays,
  };
}

export type ActivityBucket = { key: string; label: string } & Record<string, number | string>;

/** Longest span charted per day (a month); beyond it, per week (at most 14 bars for a quarter). */
export const MAX_DAILY_CHART_DAYS = 31;

type Bucket = { start: number; key: string; label: string };

/** Bucket boundaries, in time order, covering [start, end). */
function bucketsFor(
  start: Date,
  end: Date,
  timeZone: string,
  granularity: "hour" | "day" | "week",
): Bucket[] {
  const buckets: Bucket[] = [];
  if (granularity === "hour") {
    for (let t = Math.floor(start.getTime() / HOUR_MS) * HOUR_MS; t < end.getTime(); t += HOUR_MS) {
      buckets.push({
        start: t,
        key: String(t),
        label: `${formatTime(new Date(t), timeZone).slice(0, 2)}:00`,
      });
    }
    return buckets;
  }
  let date = localDateKey(start, timeZone);
  if (granularity === "week") {
    // Weeks start on Monday, local time.
    while (weekdayOf(date) !== 1) date = previousDateKey(date);
  }
  for (;;) {
    const dayStart = startOfLocalDay(date, timeZone);
    if (dayStart.getTime() >= end.getTime()) break;
    buckets.push({
      start: dayStart.getTime(),
      key: date,
      label:
        granularity === "day"
          ? formatDay(dayStart, timeZone)
          : `Week of ${formatDay(dayStart, timeZone).replace(/^\w+ /, "")}`,
    });
    for (let i = 0; i < (granularity === "day" ? 1 : 7); i++) date = nextDateKey(date);
  }
  return buckets;
}

/** The bucket holding instant `t` (the last whose start is ≤ t), or null before the first. */
function bucketAt(buckets: readonly Bucket[], t: number): Bucket | null {
  let lo = 0;
  let hi = buckets.length - 1;
  let found: Bucket | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (buckets[mid]!.start <= t) {
      found = buckets[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Events over time for the chart, from the daily and hourly rollups: per hour for a
 * single day, per local calendar day up to 31 days, per local week beyond.
 * Also the pause, exemption and forgotten windows in the period, as bucket labels, so
 * the chart shades them on the same axis (one area per bucket range and
 * kind; every window is listed in words).
 */
export async function getActivitySeries(
  workerId: string,
  start: Date,
  end: Date,
  timeZone: string,
  /** Who looks: only the worker sees their forgotten spans; staff never learn when someone forgot (ADR 0041). */
  viewer: "worker" | "staff" = "worker",
) {
  const spanMs = end.getTime() - start.getTime();
  const granularity: "hour" | "day" | "week" =
    spanMs <= 26 * HOUR_MS
      ? "hour"
      : spanMs <= MAX_DAILY_CHART_DAYS * 24 * HOUR_MS
        ? "day"
        : "week";
  const bounds = bucketsFor(start, end, timeZone, granularity);
  // Rows are placed by the bucket their hour (or day) starts in, at hour resolution: the range
  // widened to whole hours, read by the day wherever a UTC day lies inside one bucket (ADR 0030).
  const split = splitForRollups(
    {
      start: new Date(Math.floor(start.getTime() / HOUR_MS) * HOUR_MS),
      end: new Date(Math.ceil(end.getTime() / HOUR_MS) * HOUR_MS),
    },
    bounds.map((b) => new Date(b.start)),
  );
  const [days, hours, pauses, exemptions, forgets] = await Promise.all([
    store().sumsPerType("day", workerId, split.days),
    store().sumsPerType("hour", workerId, split.hours),
    listPausesOverlapping(prisma, workerId, start, end),
    listExemptionsCovering(workerId, start, end),
    viewer === "worker"
      ? listForgetsFor(prisma, [workerId], start, end)
      : new Map<string, { startsAt: Date; endsAt: Date }[]>(),
  ]);
  const buckets = new Map<string, ActivityBucket>(
    bounds.map((b) => [b.key, { key: b.key, label: b.label }]),
  );
  for (const r of [...days, ...hours]) {
    const bound = bucketAt(bounds, r.at);
    if (!bound) continue;
    const bucket = buckets.get(bound.key)!;
    bucket[r.type] = (Number(bucket[r.type] ?? 0) || 0) + r.count;
  }
  const span = (i: Interval) =>
    granularity === "hour"
      ? `${formatTime(i.start, timeZone)}–${formatTime(i.end, timeZone)}`
      : `${formatDateTime(i.start, timeZone)} – ${formatDateTime(i.end, timeZone)}`;
  const shaded = [
    ...pauses
      .map(effectiveInterval)
      .filter((i): i is Interval => i !== null)
      .map((i) => ({ ...i, kind: "pause" as const, label: `Paused ${span(i)}` })),
    ...exemptIntervals(exemptions, start, end).map((i) => ({
      ...i,
      kind: "exemption" as const,
      label: `Exempt ${span(i)} (${describeScope(i.types).toLowerCase()})`,
    })),
    ...(forgets.get(workerId) ?? []).map((f) => ({
      start: f.startsAt,
      end: f.endsAt,
      kind: "forget" as const,
      label: `Forgotten ${span({ start: f.startsAt, end: f.endsAt })} (deleted at your request)`,
    })),
  ].sort((a, b) => a.start.getTime() - b.start.getTime());
  return {
    granularity,
    buckets: [...buckets.values()],
    // Exactly the windows' spans, at the chart's resolution (a 10-second pause is a sliver).
    windows: chartWindows(
      bounds,
      end.getTime(),
      shaded.map((w) => ({
        kind: w.kind,
        start: w.start.getTime(),
        end: w.end.getTime(),
        label: w.label,
        short:
          w.kind === "pause"
            ? "Paused"
            : w.kind === "forget"
              ? "Forgotten"
              : w.types
                ? `Exempt: ${describeScope(w.types)}`
                : "Exempt",
      })),
    ),
    windowLabels: shaded.map((w) => w.label),
  };
}

const DAY_MS = 24 * HOUR_MS;

/**
 * Home's "what is kept about you": events stored today (the worker's local
 * day), how long records are kept, and when the oldest will be deleted.
 */
export async function whatIsKept(workerId: string, now: Date, timeZone: string) {
  const today = periodRange({ period: "today" }, now, timeZone);
  const [rows, oldest, policy] = await Promise.all([
    countEvents(workerId, today.start, today.end),
    prisma.event.findFirst({ where: { workerId }, orderBy: { at: "asc" }, select: { at: true } }),
    prisma.policy.findUniqueOrThrow({ where: { id: 1 }, select: { retentionDays: true } }),
  ]);
  return {
    today: rows.reduce((sum, r) => sum + r.count, 0),
    retentionDays: policy.retentionDays,
    oldestDeletion: oldest
      ? deletedBy(new Date(oldest.at.getTime() + policy.retentionDays * DAY_MS))
      : null,
  };
}
