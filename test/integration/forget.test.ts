import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { getAgentState } from "#app/models/agent-state.server.ts";
import { getActivitySeries } from "#app/models/data-overview.server.ts";
import { forgetRecent } from "#app/models/forget.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { action as pausesAction, loader as pausesLoader } from "#app/routes/pauses.tsx";
import { listAuditEvents } from "#app/models/audit.server.ts";
import { formatReceipt, verifyReceiptFile, type Receipt } from "#app/receipts/receipt.ts";
import { prisma } from "#app/utils/db.server.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const MINUTE = 60_000;
const APPS = ["Editor", "Browser", "Terminal"] as const;
const TYPES = ["keystroke", "click", "scroll"] as const;

/** One event a minute from `from` to `to` (exclusive), cycling types and apps. */
function eventsEveryMinute(from: Date, to: Date) {
  const events = [];
  for (let t = from.getTime(), i = 0; t < to.getTime(); t += MINUTE, i++) {
    events.push({
      type: TYPES[i % TYPES.length]!,
      app: APPS[(i >> 1) % APPS.length]!,
      at: new Date(t).toISOString(),
      data: {},
    });
  }
  return events;
}

/** The worker's rollups as (device, type, app, hour) → count, next to the same counted from events. */
async function rollupsAndRecount(workerId: string) {
  const [hourly, daily, events] = await Promise.all([
    prisma.eventRollup.findMany({ where: { workerId } }),
    prisma.eventRollupDay.findMany({ where: { workerId } }),
    prisma.event.findMany({
      where: { workerId },
      select: { deviceId: true, type: true, app: true, at: true },
    }),
  ]);
  const recountHour = new Map<string, number>();
  const recountDay = new Map<string, number>();
  for (const e of events) {
    const hour = new Date(Math.floor(e.at.getTime() / 3_600_000) * 3_600_000).toISOString();
    const k = `${e.deviceId}|${e.type}|${e.app}|`;
    recountHour.set(k + hour, (recountHour.get(k + hour) ?? 0) + 1);
    recountDay.set(k + hour.slice(0, 10), (recountDay.get(k + hour.slice(0, 10)) ?? 0) + 1);
  }
  return {
    hourly: new Map(
      hourly.map((r) => [`${r.deviceId}|${r.type}|${r.app}|${r.hour.toISOString()}`, r.count]),
    ),
    daily: new Map(
      daily.map((r) => [
        `${r.deviceId}|${r.type}|${r.app}|${r.day.toISOString().slice(0, 10)}`,
        r.count,
      ]),
    ),
    recountHour,
    recountDay,
  };
}

async function workerWithTwoDevices(now: Date) {
  const worker = await createUser({ timezone: "Europe/Berlin" });
  const laptop = await createDevice(worker.id, { name: "Laptop" });
  const desktop = await createDevice(worker.id, { name: "Desktop" });
  // Two hours of activity on both devices, up to now: the forgotten span crosses an hour.
  const from = new Date(now.getTime() - 120 * MINUTE);
  for (const device of [laptop, desktop]) {
    await ingestBatch(
      { id: device.id, workerId: worker.id },
      { batchId: randomUUID(), events: eventsEveryMinute(from, now) },
      now,
    );
  }
  return { worker, laptop, desktop };
}

describe("forget the last minutes", () => {
  test("deletes every event of the span on every device, keeps the rollups exact, and signs a receipt", async () => {
    const now = new Date("2026-12-03T10:07:30.000Z");
    const { worker, laptop } = await workerWithTwoDevices(now);
    const other = await createUser();
    const otherDevice = await createDevice(other.id);
    await ingestBatch(
      { id: otherDevice.id, workerId: other.id },
      {
        batchId: randomUUID(),
        events: eventsEveryMinute(new Date(now.getTime() - 30 * MINUTE), now),
      },
      now,
    );
    const versionBefore = (await prisma.user.findUniqueOrThrow({ where: { id: worker.id } }))
      .stateVersion;

    const result = await forgetRecent({
      workerId: worker.id,
      timeZone: "Europe/Berlin",
      minutes: 15,
      now,
    });
    if (!result.ok) throw new Error(result.refusal.message);

    const start = new Date(now.getTime() - 15 * MINUTE);
    expect(result.forget.startsAt).toEqual(start);
    expect(result.forget.endsAt).toEqual(now);
    // One event a minute on each of two devices: 15 minutes of them.
    expect(result.events).toBe(30);
    expect(
      await prisma.event.count({ where: { workerId: worker.id, at: { gte: start, lt: now } } }),
    ).toBe(0);
    expect(await prisma.event.count({ where: { workerId: worker.id } })).toBe(2 * 120 - 30);
    // Someone else's events are untouched.
    expect(await prisma.event.count({ where: { workerId: other.id } })).toBe(30);

    const { hourly, daily, recountHour, recountDay } = await rollupsAndRecount(worker.id);
    expect(hourly).toEqual(recountHour);
    expect(daily).toEqual(recountDay);
    expect(result.hourlyRollupRows).toBeGreaterThan(0);

    const after = await prisma.user.findUniqueOrThrow({ where: { id: worker.id } });
    expect(after.stateVersion).toBeGreaterThan(versionBefore);
    const state = await getAgentState(worker.id, new Date(now.getTime() + 1000));
    expect(state?.forgets).toEqual([{ startsAt: start.toISOString(), endsAt: now.toISOString() }]);

    const row = await prisma.deletionReceipt.findUniqueOrThrow({ where: { id: result.receiptId } });
    const receipt = JSON.parse(row.receipt) as Receipt;
    const check = verifyReceiptFile(formatReceipt(receipt), receiptPublicKey().publicKeyPem);
    expect(check).toMatchObject({
      ok: true,
      payload: {
        format: "lull-deletion-receipt/1",
        worker: { id: worker.id },
        deletion: {
          kind: "forget",
          from: start.toISOString(),
          to: now.toISOString(),
          events: 30,
          hourlyRollupRows: result.hourlyRollupRows,
          dailyRollupRows: result.dailyRollupRows,
        },
        deletedAt: now.toISOString(),
      },
    });
    // The receipt cannot be changed afterwards.
    await expect(
      prisma.deletionReceipt.update({ where: { id: row.id }, data: { events: 0 } }),
    ).rejects.toThrow();

    // A late upload from inside the span is discarded and counted on its device.
    const late = await ingestBatch(
      { id: laptop.id, workerId: worker.id },
      {
        batchId: randomUUID(),
        events: [
          {
            type: "click",
            app: "Editor",
            at: new Date(now.getTime() - 5 * MINUTE).toISOString(),
            data: {},
          },
          {
            type: "click",
            app: "Editor",
            at: new Date(now.getTime() - 20 * MINUTE).toISOString(),
            data: {},
          },
        ],
      },
      new Date(now.getTime() + MINUTE),
    );
    expect(late).toMatchObject({ stored: 1, discardedForgotten: 1 });
    expect(
      (await prisma.device.findUniqueOrThrow({ where: { id: laptop.id } })).discardedForgotten,
    ).toBe(1);
    expect(
      await prisma.privacyDiscardDay.findUniqueOrThrow({
        where: { day_workerId: { day: "2026-12-03", workerId: worker.id } },
      }),
    ).toMatchObject({ forgotten: 1, privateApp: 0 });
  });

  test("may overlap a pause, and staff never see it in the console's audit log", async () => {
    const now = new Date("2026-12-03T12:00:00.000Z");
    const worker = await createUser();
    await prisma.pause.create({
      data: {
        workerId: worker.id,
        kind: "NOW",
        startsAt: new Date(now.getTime() - 10 * MINUTE),
        endsAt: new Date(now.getTime() - 5 * MINUTE),
      },
    });
    const result = await forgetRecent({ workerId: worker.id, timeZone: "UTC", minutes: 30, now });
    expect(result.ok).toBe(true);
    const audited = await prisma.auditEvent.count({
      where: { action: "data.forget", subjectUserId: worker.id },
    });
    expect(audited).toBe(1);
    const { events } = await listAuditEvents({ page: 1 });
    expect(events.some((e) => e.action === "data.forget")).toBe(false);
  });

  test("a span longer than the policy allows is refused with a clear message and deletes nothing", async () => {
    const now = new Date();
    const { worker } = await workerWithTwoDevices(now);
    const cookie = await sessionCookieFor(worker.id);
    const before = await prisma.event.count({ where: { workerId: worker.id } });
    const res = await callRoute(
      pausesAction,
      formRequest("/pauses", { intent: "forget", minutes: "45" }, { cookie }),
    );
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({
      intent: "forget",
      message: "You can forget at most the last 30 minutes. Nothing was deleted.",
    });
    expect(await prisma.event.count({ where: { workerId: worker.id } })).toBe(before);
    expect(await prisma.forget.count({ where: { workerId: worker.id } })).toBe(0);
    expect(await prisma.deletionReceipt.count({ where: { workerId: worker.id } })).toBe(0);
  });

  test("a garbled request is refused with 400 and changes nothing", async () => {
    const worker = await createUser();
    const cookie = await sessionCookieFor(worker.id);
    for (const minutes of ["", "abc", "-5", "1.5", "99999"]) {
      const res = await callRoute(
        pausesAction,
        formRequest("/pauses", { intent: "forget", minutes }, { cookie }),
      );
      expect(res.status, minutes).toBe(400);
    }
    expect(await prisma.forget.count({ where: { workerId: worker.id } })).toBe(0);
  });

  test("beyond the day's count a forget is refused and deletes nothing; the next day it works again", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { maxForgetsPerDay: 2 } });
    try {
      // 23:00 in Berlin (UTC+1): the worker's day ends an hour later.
      const now = new Date("2026-12-03T21:30:00.000Z");
      const { worker } = await workerWithTwoDevices(now);
      for (const minutes of [5, 5]) {
        const ok = await forgetRecent({
          workerId: worker.id,
          timeZone: "Europe/Berlin",
          minutes,
          now,
        });
        expect(ok.ok).toBe(true);
      }
      const before = await prisma.event.count({ where: { workerId: worker.id } });
      const refused = await forgetRecent({
        workerId: worker.id,
        timeZone: "Europe/Berlin",
        minutes: 30,
        now: new Date(now.getTime() + MINUTE),
      });
      expect(refused).toMatchObject({
        ok: false,
        refusal: { code: "daily_limit", message: expect.stringContaining("2 times a day") },
      });
      expect(await prisma.event.count({ where: { workerId: worker.id } })).toBe(before);
      expect(await prisma.forget.count({ where: { workerId: worker.id } })).toBe(2);
      // Midnight in Berlin is 23:00 UTC: a new day, a new count.
      const tomorrow = await forgetRecent({
        workerId: worker.id,
        timeZone: "Europe/Berlin",
        minutes: 5,
        now: new Date("2026-12-03T23:00:00.000Z"),
      });
      expect(tomorrow.ok).toBe(true);
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { maxForgetsPerDay: 3 } });
    }
  });

  test("the pauses page offers the policy's spans, lists forgotten spans, and a click forgets", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { maxForgetMinutes: 20 } });
    try {
      const worker = await createUser({ timezone: "UTC" });
      const cookie = await sessionCookieFor(worker.id);
      const page = await callRoute(pausesLoader, getRequest("/pauses", { cookie }));
      const data = page.data as {
        overview: { forget: { choices: number[]; left: number } };
        forgets: { total: number };
      };
      expect(data.overview.forget).toMatchObject({ choices: [5, 15, 20], left: 3 });
      expect(data.forgets.total).toBe(0);
      const res = await callRoute(
        pausesAction,
        formRequest("/pauses", { intent: "forget", minutes: "15", returnTo: "/" }, { cookie }),
      );
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/");
      const again = await callRoute(pausesLoader, getRequest("/pauses", { cookie }));
      const after = again.data as {
        overview: { forget: { left: number } };
        forgets: { total: number };
      };
      expect(after.overview.forget.left).toBe(2);
      expect(after.forgets.total).toBe(1);
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { maxForgetMinutes: 30 } });
    }
  });

  test("the chart shades the forgotten span as its own kind, and the gap has no events", async () => {
    const now = new Date("2026-12-03T10:30:00.000Z");
    const { worker } = await workerWithTwoDevices(now);
    await forgetRecent({ workerId: worker.id, timeZone: "UTC", minutes: 30, now });
    const series = await getActivitySeries(
      worker.id,
      new Date("2026-12-03T00:00:00.000Z"),
      new Date("2026-12-04T00:00:00.000Z"),
      "UTC",
    );
    const forgotten = series.windows.filter((w) => w.kind === "forget");
    expect(forgotten).toHaveLength(1);
    // 10:00–10:30 on an hourly axis: half of bucket 10.
    expect(forgotten[0]).toMatchObject({ x0: 10, x1: 10.5, short: "Forgotten" });
    expect(series.windowLabels).toContain("Forgotten 10:00–10:30 (deleted at your request)");
  });
});
