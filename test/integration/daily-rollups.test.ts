import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { periodRange } from "#app/domain/data-period.ts";
import { localDateKey, startOfLocalDay } from "#app/domain/local-time.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { runRetention } from "#app/models/retention.server.ts";
import { loader as dataLoader } from "#app/routes/data._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TYPES = ["keystroke", "click", "scroll"] as const;
const APPS = ["Editor", "Browser"] as const;

/** A deterministic spread of events over `days` days before `now`, every ~37 minutes. */
function eventsOver(now: Date, days: number, step = 37 * 60_000) {
  const events = [];
  for (let t = now.getTime() - days * DAY, i = 0; t < now.getTime(); t += step, i++) {
    events.push({
      type: TYPES[i % TYPES.length]!,
      app: APPS[(i >> 1) % APPS.length]!,
      at: new Date(t).toISOString(),
      data: {},
    });
  }
  return events;
}

async function ingestAll(
  device: { id: string; workerId: string },
  events: ReturnType<typeof eventsOver>,
  now: Date,
) {
  for (let i = 0; i < events.length; i += 500) {
    await ingestBatch(device, { batchId: randomUUID(), events: events.slice(i, i + 500) }, now);
  }
}

/** Daily rows next to the hourly rows summed per UTC day, keyed alike. */
async function dailyAndSummedHours(workerId: string) {
  const daily = await prisma.eventRollupDay.findMany({ where: { workerId } });
  const hourly = await prisma.eventRollup.findMany({ where: { workerId } });
  const summed = new Map<string, number>();
  for (const h of hourly) {
    const key = `${h.deviceId}|${h.type}|${h.app}|${h.hour.toISOString().slice(0, 10)}`;
    summed.set(key, (summed.get(key) ?? 0) + h.count);
  }
  const fromDaily = new Map(
    daily.map((d) => [
      `${d.deviceId}|${d.type}|${d.app}|${d.day.toISOString().slice(0, 10)}`,
      d.count,
    ]),
  );
  return { fromDaily, summed, daily };
}

describe("daily rollups", () => {
  test("ingestion keeps each daily row equal to the sum of its day's hourly rows", async () => {
    const user = await createUser();
    const device = { id: (await createDevice(user.id)).id, workerId: user.id };
    const now = new Date("2026-11-27T15:20:00Z");
    // Batches in a shuffled order, so one day's rows are added to by several batches.
    const events = eventsOver(now, 10);
    const shuffled = events.map((e, i) => events[(i * 7919) % events.length]!);
    await ingestAll(device, shuffled, now);

    const { fromDaily, summed, daily } = await dailyAndSummedHours(user.id);
    expect(daily.every((d) => d.day.getTime() % DAY === 0)).toBe(true);
    expect(fromDaily).toEqual(summed);
    expect(daily.reduce((n, d) => n + d.count, 0)).toBe(events.length);
  });

  test("retention keeps them equal: whole days before the cutoff's day go, the cutoff's day keeps the hours left", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { retentionDays: 30 } });
    const user = await createUser();
    const device = { id: (await createDevice(user.id)).id, workerId: user.id };
    // The cutoff falls at 09:40 UTC, inside a day with events on both sides of it.
    const now = new Date("2026-11-27T09:40:00Z");
    await ingestAll(device, eventsOver(now, 40, 23 * 60_000), now);
    const cutoff = now.getTime() - 30 * DAY;

    const result = await runRetention({ now, chunkSize: 50 });

    const { fromDaily, summed, daily } = await dailyAndSummedHours(user.id);
    expect(fromDaily).toEqual(summed);
    const cutoffDay = Math.floor(cutoff / DAY) * DAY;
    expect(Math.min(...daily.map((d) => d.day.getTime()))).toBe(cutoffDay);
    expect(result.dailyRollups).toBeGreaterThan(0);
    // The cutoff's day counts exactly its hours that are kept (those ending after the cutoff).
    const hoursKept = await prisma.eventRollup.aggregate({
      where: {
        workerId: user.id,
        hour: { gte: new Date(cutoffDay), lt: new Date(cutoffDay + DAY) },
      },
      _sum: { count: true },
      _min: { hour: true },
    });
    expect(hoursKept._min.hour!.getTime() + HOUR).toBeGreaterThan(cutoff);
    expect(hoursKept._min.hour!.getTime()).toBeLessThanOrEqual(cutoff);
    const cutoffDayRows = daily.filter((d) => d.day.getTime() === cutoffDay);
    expect(cutoffDayRows.reduce((n, d) => n + d.count, 0)).toBe(hoursKept._sum.count);

    // An hour later the next hour of that day goes, and the day follows.
    await runRetention({ now: new Date(now.getTime() + HOUR), chunkSize: 50 });
    const after = await dailyAndSummedHours(user.id);
    expect(after.fromDaily).toEqual(after.summed);
    const dayAfter = after.daily
      .filter((d) => d.day.getTime() === cutoffDay)
      .reduce((n, d) => n + d.count, 0);
    expect(dayAfter).toBeLessThan(hoursKept._sum.count!);
  });

  test("a year on /data, in a half-hour zone: the loader's totals equal the events counted directly", async () => {
    const timeZone = "Asia/Kolkata";
    const user = await createUser({ timezone: timeZone });
    const laptop = await createDevice(user.id, { name: "Laptop" });
    const desktop = await createDevice(user.id, { name: "Desktop" });
    const now = new Date();
    // 400 days, every ~3 hours on the laptop and ~5 on the desktop: more than the year asked for.
    const laptopEvents = eventsOver(now, 400, 173 * 60_000);
    const desktopEvents = eventsOver(now, 400, 307 * 60_000);
    await ingestAll({ id: laptop.id, workerId: user.id }, laptopEvents, now);
    await ingestAll({ id: desktop.id, workerId: user.id }, desktopEvents, now);

    const to = localDateKey(now, timeZone);
    const from = localDateKey(new Date(now.getTime() - 364 * DAY), timeZone);
    const res = await callRoute(
      dataLoader,
      getRequest(`/data?period=custom&from=${from}&to=${to}`, {
        cookie: await sessionCookieFor(user.id),
      }),
    );
    expect(res.status).toBe(200);
    const data = res.data as {
      errors: unknown;
      total: number;
      byType: { name: string; count: number }[];
      byDevice: { name: string; count: number }[];
      series: { granularity: string; buckets: Record<string, unknown>[] };
    };
    expect(data.errors).toBeNull();

    const { start, end } = periodRange({ period: "custom", from, to }, now, timeZone);
    const inRange = { workerId: user.id, at: { gte: start, lt: end } };
    expect(data.total).toBe(await prisma.event.count({ where: inRange }));
    expect(data.total).toBeGreaterThan(0);
    const perDevice = await prisma.event.groupBy({
      by: ["deviceId"],
      where: inRange,
      _count: { _all: true },
    });
    const names = new Map([
      [laptop.id, "Laptop"],
      [desktop.id, "Desktop"],
    ]);
    expect(new Map(data.byDevice.map((d) => [d.name, d.count]))).toEqual(
      new Map(perDevice.map((d) => [names.get(d.deviceId), d._count._all])),
    );
    expect(data.byType.reduce((n, t) => n + t.count, 0)).toBe(data.total);

    // The chart (per local week) counts whole hours as before: the range widened to its hours.
    expect(data.series.granularity).toBe("week");
    const charted = data.series.buckets.reduce(
      (n, b) => n + TYPES.reduce((m, type) => m + Number(b[type] ?? 0), 0),
      0,
    );
    const hourStart = new Date(Math.floor(start.getTime() / HOUR) * HOUR);
    const hourEnd = new Date(Math.ceil(end.getTime() / HOUR) * HOUR);
    expect(charted).toBe(
      await prisma.event.count({
        where: { workerId: user.id, at: { gte: hourStart, lt: hourEnd } },
      }),
    );
    // Each week's bar holds the events of the hours starting in that local week (Monday 00:00,
    // 18:30 UTC the day before), whether its days came from the daily or the hourly rollups.
    const weekStarts = data.series.buckets.map((b) =>
      startOfLocalDay(String(b.key), timeZone).getTime(),
    );
    const expected = new Map<string, number>();
    for (const e of [...laptopEvents, ...desktopEvents]) {
      const hour = Math.floor(Date.parse(e.at) / HOUR) * HOUR;
      if (hour < hourStart.getTime() || hour >= hourEnd.getTime()) continue;
      const index = weekStarts.findLastIndex((w) => w <= hour);
      if (index < 0) continue;
      const key = String(data.series.buckets[index]!.key);
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(
      new Map(
        data.series.buckets.map((b) => [
          String(b.key),
          TYPES.reduce((m, type) => m + Number(b[type] ?? 0), 0),
        ]),
      ),
    ).toEqual(
      new Map(data.series.buckets.map((b) => [String(b.key), expected.get(String(b.key)) ?? 0])),
    );
  });
});
