import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { periodRange } from "#app/domain/data-period.ts";
import { countEvents } from "#app/models/data-overview.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { loader as dataLoader } from "#app/routes/data._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

const TYPES = ["keystroke", "click", "scroll", "app_focus"] as const;

describe("/data totals", () => {
  test("property: totals from rollups equal counts over the raw events for any period and zone", async () => {
    const now = new Date();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            minutesAgo: fc.integer({ min: 0, max: 40 * 24 * 60 }),
            type: fc.constantFrom(...TYPES),
            app: fc.constantFrom("Editor", "Browser", "Mail"),
          }),
          { minLength: 1, maxLength: 150 },
        ),
        fc.constantFrom("UTC", "Asia/Kolkata", "America/New_York", "Australia/Adelaide"),
        fc.constantFrom("today", "7d", "30d"),
        async (specs, timeZone, period) => {
          const user = await createUser({ timezone: timeZone });
          const device = await createDevice(user.id, { name: "d" });
          const events = specs.map((s) => ({
            type: s.type,
            app: s.app,
            at: new Date(now.getTime() - s.minutesAgo * 60_000).toISOString(),
            data: {},
          }));
          for (let i = 0; i < events.length; i += 50) {
            await ingestBatch(
              { id: device.id, workerId: user.id },
              { batchId: randomUUID(), events: events.slice(i, i + 50) },
              now,
            );
          }
          const { start, end } = periodRange({ period }, now, timeZone);
          const rows = await countEvents(user.id, start, end);
          const raw = await prisma.event.groupBy({
            by: ["type", "app"],
            where: { workerId: user.id, at: { gte: start, lt: end } },
            _count: { _all: true },
          });
          const fromRollups = new Map(rows.map((r) => [`${r.type}/${r.app}`, r.count]));
          expect(fromRollups).toEqual(
            new Map(raw.map((r) => [`${r.type}/${r.app}`, r._count._all])),
          );
        },
      ),
      { numRuns: 12 },
    );
  });

  test("a day that starts mid-hour (Asia/Kolkata) counts the partial hours exactly", async () => {
    const now = new Date();
    const { start, end } = periodRange({ period: "7d" }, now, "Asia/Kolkata");
    expect(start.getUTCMinutes()).toBe(30);
    const user = await createUser({ timezone: "Asia/Kolkata" });
    const device = await createDevice(user.id, { name: "d" });
    const at = (ms: number) => ({
      type: "click" as const,
      app: "Editor",
      at: new Date(ms).toISOString(),
      data: {},
    });
    await ingestBatch(
      { id: device.id, workerId: user.id },
      {
        batchId: randomUUID(),
        events: [
          at(start.getTime() - 10 * 60_000), // same UTC hour, previous local day: outside
          at(start.getTime() + 10 * 60_000), // first partial hour: inside
          at(start.getTime() + 3 * 3600_000), // a whole hour: inside
          at(Math.min(now.getTime(), end.getTime() - 60_000)), // the last minutes: inside
        ],
      },
      now,
    );
    const rows = await countEvents(user.id, start, end);
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(3);
  });

  test("the overview shows totals by type, device and app, pause integrity, and an empty state for new workers", async () => {
    const fresh = await createUser();
    const empty = await callRoute(
      dataLoader,
      getRequest("/data", { cookie: await sessionCookieFor(fresh.id) }),
    );
    expect((empty.data as { devices: unknown[]; total: number }).devices).toEqual([]);

    const user = await createUser({ timezone: "Europe/Berlin" });
    const device = await createDevice(user.id, { discardedPaused: 7 });
    const now = new Date();
    await ingestBatch(
      { id: device.id, workerId: user.id },
      {
        batchId: randomUUID(),
        events: [0, 1, 2].map((i) => ({
          type: TYPES[i]!,
          app: "Editor",
          at: new Date(now.getTime() - i * 60_000).toISOString(),
          data: {},
        })),
      },
      now,
    );
    const res = await callRoute(
      dataLoader,
      getRequest("/data?period=today", { cookie: await sessionCookieFor(user.id) }),
    );
    const data = res.data as {
      total: number;
      byDevice: { name: string; count: number }[];
      topApps: { name: string }[];
      devices: { discardedPaused: number }[];
    };
    expect(data.total).toBeGreaterThanOrEqual(1);
    expect(data.byDevice[0]!.name).toBe("Laptop");
    expect(data.topApps[0]!.name).toBe("Editor");
    expect(data.devices[0]!.discardedPaused).toBe(7);

    const bad = await callRoute(
      dataLoader,
      getRequest("/data?period=custom&from=2026-11-20&to=2026-11-10", {
        cookie: await sessionCookieFor(user.id),
      }),
    );
    expect((bad.data as { errors: Record<string, string[]> }).errors.to).toEqual([
      "The end date must be on or after the start date.",
    ]);
  });
});

describe("/data activity chart", () => {
  test("hourly buckets for today with the pause shaded; daily buckets for 7 days; sums match the totals", async () => {
    const { getActivitySeries } = await import("#app/models/data-overview.server.ts");
    const { createPause } = await import("#app/models/pause.server.ts");
    const now = new Date();
    const user = await createUser({ timezone: "Europe/Berlin" });
    const device = await createDevice(user.id, { name: "d" });
    await ingestBatch(
      { id: device.id, workerId: user.id },
      {
        batchId: randomUUID(),
        events: [1, 2, 3].map((m) => ({
          type: "click" as const,
          app: "Editor",
          at: new Date(now.getTime() - m * 60_000).toISOString(),
          data: {},
        })),
      },
      now,
    );
    await createPause({
      workerId: user.id,
      timeZone: "Europe/Berlin",
      request: { kind: "NOW", durationMinutes: 10 },
      now,
    });

    const today = periodRange({ period: "today" }, now, "Europe/Berlin");
    const hourly = await getActivitySeries(user.id, today.start, today.end, "Europe/Berlin");
    expect(hourly.granularity).toBe("hour");
    expect(hourly.buckets.length).toBeGreaterThanOrEqual(23);
    expect(hourly.windows).toHaveLength(1);
    // Shaded over exactly the 10 minutes: a sixth of an hour's slot, not the whole hour.
    const [shade] = hourly.windows;
    expect(shade!.x1 - shade!.x0).toBeCloseTo(10 / 60, 3);
    const week = periodRange({ period: "7d" }, now, "Europe/Berlin");
    const daily = await getActivitySeries(user.id, week.start, week.end, "Europe/Berlin");
    expect(daily.granularity).toBe("day");
    expect(daily.buckets).toHaveLength(7);
    const sum = (buckets: Record<string, unknown>[]) =>
      buckets.reduce((s, b) => s + Number(b.click ?? 0), 0);
    const stored = await prisma.event.count({
      where: { workerId: user.id, at: { gte: today.start } },
    });
    expect(sum(hourly.buckets)).toBe(stored);
    expect(sum(daily.buckets)).toBe(3);
  });
});

describe("activity series granularity", () => {
  test("per day up to 31 days, per local week beyond; the bars add up to every event in the period", async () => {
    const { getActivitySeries } = await import("#app/models/data-overview.server.ts");
    const { ingestBatch } = await import("#app/models/ingest.server.ts");
    const { createDevice, createUser } = await import("#test/fixtures.ts");
    const { randomUUID } = await import("node:crypto");
    const worker = await createUser({ timezone: "America/New_York" });
    const device = await createDevice(worker.id);
    const now = new Date();
    const DAY = 86_400_000;
    const times = Array.from(
      { length: 240 },
      (_, i) => new Date(now.getTime() - (i + 0.5) * 0.5 * DAY),
    );
    await ingestBatch(
      { id: device.id, workerId: worker.id },
      {
        batchId: randomUUID(),
        events: times.map((t, i) => ({
          type: (["keystroke", "click"] as const)[i % 2]!,
          at: t.toISOString(),
          app: "Editor",
          data: {},
        })),
      },
      now,
    );
    const total = (buckets: Record<string, unknown>[]) =>
      buckets.reduce((sum, b) => sum + Number(b.keystroke ?? 0) + Number(b.click ?? 0), 0);
    for (const [days, granularity] of [
      [30, "day"],
      [60, "week"],
      [92, "week"],
      [365, "week"],
    ] as const) {
      const start = new Date(now.getTime() - days * DAY);
      const series = await getActivitySeries(worker.id, start, now, "America/New_York");
      expect(series.granularity).toBe(granularity);
      const expected = times.filter((t) => t >= start && t < now).length;
      expect(total(series.buckets)).toBe(expected);
      if (granularity === "week") {
        expect(series.buckets.length).toBeLessThanOrEqual(Math.ceil(days / 7) + 1);
        expect(series.buckets[0]!.label).toMatch(/^Week of /);
      }
    }
  });
});

describe("what the chart draws for a pause and an exemption", () => {
  test("a 10-second pause in a busy hour is a sliver; a keystroke-only exemption is labelled with its type", async () => {
    const { getActivitySeries } = await import("#app/models/data-overview.server.ts");
    const user = await createUser({ timezone: "UTC" });
    const device = await createDevice(user.id, { name: "d" });
    const hour = Date.UTC(2026, 10, 20, 14);
    // 1,400 events across the hour, and a pause of ten seconds at 14:10.
    await ingestBatch(
      { id: device.id, workerId: user.id },
      {
        batchId: randomUUID(),
        events: Array.from({ length: 1_400 }, (_, i) => ({
          type: "click" as const,
          app: "Editor",
          at: new Date(hour + Math.floor((i * 3_600_000) / 1_400)).toISOString(),
          data: {},
        })),
      },
      new Date(hour + 3_600_000),
    );
    await prisma.pause.create({
      data: {
        workerId: user.id,
        kind: "NOW",
        startsAt: new Date(hour + 10 * 60_000),
        endsAt: new Date(hour + 10 * 60_000 + 10_000),
        createdAt: new Date(hour),
      },
    });
    await prisma.exemptionRequest.create({
      data: {
        workerId: user.id,
        reason: "MEDICAL",
        justification: "Physiotherapy exercises between calls",
        timeZone: "UTC",
        status: "APPROVED",
        startsAt: new Date(hour + 30 * 60_000),
        endsAt: new Date(hour + 45 * 60_000),
        scopeTypes: "keystroke",
        createdAt: new Date(hour - 86_400_000),
      },
    });
    const day = { start: new Date(Date.UTC(2026, 10, 20)), end: new Date(Date.UTC(2026, 10, 21)) };
    const series = await getActivitySeries(user.id, day.start, day.end, "UTC");
    const pause = series.windows.find((w) => w.kind === "pause")!;
    expect(pause.x0).toBeCloseTo(14 + 10 / 60, 4);
    expect(pause.x1 - pause.x0).toBeCloseTo(10 / 3_600, 5);
    const exemption = series.windows.find((w) => w.kind === "exemption")!;
    expect(exemption.x1 - exemption.x0).toBeCloseTo(0.25, 4);
    expect(exemption.short).toBe("Exempt: Keystrokes");
    expect(exemption.label).toMatch(/keystrokes/);
  });
});
