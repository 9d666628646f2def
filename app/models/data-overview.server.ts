import { describeScope, exemptIntervals } from "#app/domain/exemption-rules.ts";
import { formatDateTime, formatDay, formatTime, localDateKey } from "#app/domain/local-time.ts";
import { effectiveInterval, type Interval } from "#app/domain/pause-policy.ts";
import { prisma } from "#app/utils/db.server.ts";
import { listExemptionsCovering } from "./exemption.server.ts";
import { listPausesOverlapping } from "./pause.server.ts";

const HOUR_MS = 3600_000;

type Key = { type: string; deviceId: string; app: string };
export type CountRow = Key & { count: number };

/**
 * Event counts per (type, device, app) for [start, end), from the hourly
 * rollups for whole hours and from the indexed raw events only for the
 * partial hours at either edge (zones like Asia/Kolkata start days mid-hour).
 * Exact, and never a scan of the raw events.
 */
export async function countEvents(workerId: string, start: Date, end: Date): Promise<CountRow[]> {
  const wholeStart = new Date(Math.ceil(start.getTime() / HOUR_MS) * HOUR_MS);
  const wholeEnd = new Date(Math.floor(end.getTime() / HOUR_MS) * HOUR_MS);
  const rawRanges: [Date, Date][] = [];
  const parts: Promise<CountRow[]>[] = [];
  if (wholeStart < wholeEnd) {
    parts.push(
      prisma.eventRollup
        .groupBy({
          by: ["type", "deviceId", "app"],
          where: { workerId, hour: { gte: wholeStart, lt: wholeEnd } },
          _sum: { count: true },
        })
        .then((rows) =>
          rows.map((r) => ({
            type: r.type,
            deviceId: r.deviceId,
            app: r.app,
            count: r._sum.count ?? 0,
          })),
        ),
    );
    if (start < wholeStart) rawRanges.push([start, wholeStart]);
    if (wholeEnd < end) rawRanges.push([wholeEnd, end]);
  } else if (start < end) {
    rawRanges.push([start, end]);
  }
  for (const [from, to] of rawRanges) {
    parts.push(
      prisma.event
        .groupBy({
          by: ["type", "deviceId", "app"],
          where: { workerId, at: { gte: from, lt: to } },
          _count: { _all: true },
        })
        .then((rows) =>
          rows.map((r) => ({
            type: r.type,
            deviceId: r.deviceId,
            app: r.app,
            count: r._count._all,
          })),
        ),
    );
  }
  const merged = new Map<string, CountRow>();
  for (const row of (await Promise.all(parts)).flat()) {
    const key = `${row.type}\u0000${row.deviceId}\u0000${row.app}`;
    const existing = merged.get(key);
    if (existing) existing.count += row.count;
    else merged.set(key, { ...row });
  }
  return [...merged.values()].filter((r) => r.count > 0);
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

/**
 * Events over time for the chart, from the hourly rollups: per hour for a
 * single day, per local calendar day otherwise. Also the pause and exemption
 * windows in the period, as bucket labels, so the chart shades them on the same axis.
 */
export async function getActivitySeries(
  workerId: string,
  start: Date,
  end: Date,
  timeZone: string,
) {
  const hourly = end.getTime() - start.getTime() <= 26 * HOUR_MS;
  const [rows, pauses, exemptions] = await Promise.all([
    prisma.eventRollup.groupBy({
      by: ["type", "hour"],
      where: {
        workerId,
        hour: { gte: new Date(Math.floor(start.getTime() / HOUR_MS) * HOUR_MS), lt: end },
      },
      _sum: { count: true },
    }),
    listPausesOverlapping(prisma, workerId, start, end),
    listExemptionsCovering(workerId, start, end),
  ]);
  const keyOf = (instant: Date) =>
    hourly
      ? String(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS)
      : localDateKey(instant, timeZone);
  const buckets = new Map<string, ActivityBucket>();
  const step = hourly ? HOUR_MS : 6 * HOUR_MS;
  for (let t = start.getTime(); t < end.getTime(); t += step) {
    const instant = new Date(t);
    const key = keyOf(instant);
    if (!buckets.has(key)) {
      buckets.set(key, {
        key,
        label: hourly
          ? `${formatTime(instant, timeZone).slice(0, 2)}:00`
          : formatDay(instant, timeZone),
      });
    }
  }
  for (const r of rows) {
    const bucket = buckets.get(keyOf(r.hour));
    if (bucket) bucket[r.type] = (Number(bucket[r.type] ?? 0) || 0) + (r._sum.count ?? 0);
  }
  const span = (i: Interval) =>
    hourly
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
  ];
  const windows = shaded
    .map((w) => ({
      kind: w.kind,
      from: buckets.get(keyOf(w.start < start ? start : w.start))?.label ?? null,
      to: buckets.get(keyOf(new Date(Math.min(w.end.getTime(), end.getTime()) - 1)))?.label ?? null,
      label: w.label,
    }))
    .filter(
      (w): w is { kind: "pause" | "exemption"; from: string; to: string; label: string } =>
        w.from !== null && w.to !== null,
    );
  return {
    granularity: hourly ? ("hour" as const) : ("day" as const),
    buckets: [...buckets.values()],
    windows,
  };
}
