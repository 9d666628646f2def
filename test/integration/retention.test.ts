import { describe, expect, test } from "vitest";
import { runHourlyJobs, runRetention } from "#app/models/retention.server.ts";
import { formatReceipt, verifyReceiptFile, type Receipt } from "#app/receipts/receipt.ts";
import { prisma } from "#app/utils/db.server.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";

const DAY = 24 * 3600_000;
const NOW = new Date("2026-11-27T12:00:00Z");

describe("retention", () => {
  test("deletes exactly the events, rollups and batch receipts older than the window, in chunks", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { retentionDays: 30 } });
    const user = await createUser();
    const device = await createDevice(user.id, { name: "d" });
    const cutoff = NOW.getTime() - 30 * DAY;
    // Ages around the cutoff, to the millisecond.
    const offsets = [-10 * DAY, -DAY, -1, 0, 1, DAY, 10 * DAY];
    const events = offsets.flatMap((o, i) =>
      Array.from({ length: 7 }, (_, k) => ({
        workerId: user.id,
        deviceId: device.id,
        type: "click",
        at: new Date(cutoff + o),
        app: `App ${i}-${k}`,
        data: "{}",
      })),
    );
    await prisma.event.createMany({ data: events });
    await prisma.eventRollup.createMany({
      data: [-3, -2, -1, 0, 1].map((h) => ({
        workerId: user.id,
        deviceId: device.id,
        type: "click",
        app: "Editor",
        hour: new Date(Math.floor(cutoff / 3600_000) * 3600_000 + h * 3600_000),
        count: 5,
      })),
    });
    await prisma.eventBatch.createMany({
      data: [
        { deviceId: device.id, batchId: "old", receivedAt: new Date(cutoff - DAY), result: "{}" },
        { deviceId: device.id, batchId: "new", receivedAt: new Date(cutoff + DAY), result: "{}" },
      ],
    });

    const result = await runRetention({ now: NOW, chunkSize: 4 });

    expect(result.events).toBe(3 * 7);
    const left = await prisma.event.findMany({ where: { workerId: user.id } });
    expect(left).toHaveLength(4 * 7);
    expect(left.every((e) => e.at.getTime() >= cutoff)).toBe(true);
    // Rollup hours wholly before the cutoff go; the hour containing it stays.
    const hours = (
      await prisma.eventRollup.findMany({ where: { workerId: user.id }, orderBy: { hour: "asc" } })
    ).map((r) => r.hour.getTime());
    expect(hours.every((h) => h + 3600_000 > cutoff)).toBe(true);
    expect(result.rollups).toBe(5 - hours.length);
    expect(
      (await prisma.eventBatch.findMany({ where: { deviceId: device.id } })).map((b) => b.batchId),
    ).toEqual(["new"]);

    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { action: "retention.run" } });
    expect(JSON.parse(audit.metadata)).toMatchObject({ retentionDays: 30, events: 21, batches: 1 });

    // Running again deletes nothing more.
    expect(await runRetention({ now: NOW, chunkSize: 4 })).toMatchObject({
      events: 0,
      rollups: 0,
      batches: 0,
    });
  });

  test("deletes the devices' hourly footprints (uploads and resource reports) wholly before the window", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { retentionDays: 30 } });
    const user = await createUser();
    const device = await createDevice(user.id);
    const cutoff = NOW.getTime() - 30 * DAY;
    const cutoffHour = Math.floor(cutoff / 3600_000) * 3600_000;
    const hours = [-3, -2, -1, 0, 1].map((h) => new Date(cutoffHour + h * 3600_000));
    await prisma.deviceUsageHour.createMany({
      data: hours.map((hour) => ({
        deviceId: device.id,
        hour,
        bytes: 10n,
        batches: 1,
        events: 1,
        lastAt: hour,
      })),
    });
    await prisma.deviceResourceHour.createMany({
      data: hours.map((hour) => ({
        deviceId: device.id,
        hour,
        reports: 1,
        cpuMs: 5n,
        coveredMs: 3_600_000n,
        peakRssBytes: 1024n,
        lastPeriodStart: new Date(hour.getTime() - 3_600_000),
        lastPeriodEnd: hour,
        lastCpuMs: 5n,
        lastRssBytes: 1024n,
        lastReceivedAt: hour,
      })),
    });

    const result = await runRetention({ now: NOW, chunkSize: 2 });

    expect(result).toMatchObject({ uploadHours: 3, resourceHours: 3 });
    const kept = [hours[3]!.getTime(), hours[4]!.getTime()];
    for (const rows of [
      await prisma.deviceUsageHour.findMany({
        where: { deviceId: device.id },
        orderBy: { hour: "asc" },
      }),
      await prisma.deviceResourceHour.findMany({
        where: { deviceId: device.id },
        orderBy: { hour: "asc" },
      }),
    ]) {
      expect(rows.map((r) => r.hour.getTime())).toEqual(kept);
    }
    const audits = await prisma.auditEvent.findMany({ where: { action: "retention.run" } });
    expect(audits.map((a) => JSON.parse(a.metadata) as unknown)).toContainEqual(
      expect.objectContaining({ uploadHours: 3, resourceHours: 3 }),
    );
  });

  test("every worker whose data it removed gets one signed deletion receipt with exact counts; a run that removes nothing issues none", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { retentionDays: 30 } });
    const cutoff = new Date(NOW.getTime() - 30 * DAY); // 2026-10-28T12:00:00Z
    const at = (iso: string) => new Date(iso);
    const alice = await createUser({ name: "Alice Old" });
    const bruno = await createUser({ name: "Bruno Old" });
    const chen = await createUser({ name: "Chen Recent" });
    const [a1, a2, b1, c1] = await Promise.all([
      createDevice(alice.id, { name: "a1" }),
      createDevice(alice.id, { name: "a2" }),
      createDevice(bruno.id),
      createDevice(chen.id),
    ]);
    const event = (device: { id: string; workerId: string }, when: Date) => ({
      workerId: device.workerId,
      deviceId: device.id,
      type: "click",
      at: when,
      app: "Editor",
      data: "{}",
    });
    await prisma.event.createMany({
      data: [
        // Alice: three old events on one laptop and two on the other, two recent ones.
        event(a1!, new Date(cutoff.getTime() - DAY)),
        event(a1!, new Date(cutoff.getTime() - 2 * 3600_000)),
        event(a1!, new Date(cutoff.getTime() - 1)),
        event(a1!, cutoff),
        event(a1!, new Date(cutoff.getTime() + DAY)),
        event(a2!, new Date(cutoff.getTime() - 10 * DAY)),
        event(a2!, new Date(cutoff.getTime() - 3 * DAY)),
        // Bruno: one old event. Chen: only recent ones.
        event(b1!, new Date(cutoff.getTime() - 5 * DAY)),
        event(c1!, cutoff),
        event(c1!, new Date(cutoff.getTime() + 3600_000)),
      ],
    });
    const hourly = (device: { id: string; workerId: string }, hour: string) => ({
      workerId: device.workerId,
      deviceId: device.id,
      type: "click",
      app: "Editor",
      hour: at(hour),
      count: 1,
    });
    const daily = (device: { id: string; workerId: string }, day: string) => ({
      workerId: device.workerId,
      deviceId: device.id,
      type: "click",
      app: "Editor",
      day: at(day),
      count: 1,
    });
    await prisma.eventRollup.createMany({
      data: [
        // Alice: a day before the cutoff's, two hours of its day wholly before it, and the
        // hour holding it (kept).
        hourly(a1!, "2026-10-27T10:00:00Z"),
        hourly(a1!, "2026-10-28T05:00:00Z"),
        hourly(a1!, "2026-10-28T11:00:00Z"),
        hourly(a1!, "2026-10-28T12:00:00Z"),
        hourly(b1!, "2026-10-20T09:00:00Z"),
        hourly(c1!, "2026-10-28T12:00:00Z"),
      ],
    });
    await prisma.eventRollupDay.createMany({
      data: [
        // Alice: two days before the cutoff's (deleted); its own day is recomputed, not removed.
        daily(a1!, "2026-10-26T00:00:00Z"),
        daily(a1!, "2026-10-27T00:00:00Z"),
        daily(a1!, "2026-10-28T00:00:00Z"),
        daily(c1!, "2026-10-28T00:00:00Z"),
      ],
    });

    const first = await runRetention({ now: NOW, chunkSize: 2 });

    const ours = [alice.id, bruno.id, chen.id];
    const rows = await prisma.deletionReceipt.findMany({
      where: { workerId: { in: ours } },
      orderBy: { events: "desc" },
    });
    expect(rows.map((r) => r.workerId)).toEqual([alice.id, bruno.id]);
    const { publicKeyPem } = receiptPublicKey();
    const expected = [
      { worker: alice, events: 5, hourlyRollupRows: 3, dailyRollupRows: 2 },
      { worker: bruno, events: 1, hourlyRollupRows: 1, dailyRollupRows: 0 },
    ];
    for (const [i, row] of rows.entries()) {
      const want = expected[i]!;
      expect(row).toMatchObject({
        kind: "RETENTION",
        spanStart: null,
        spanEnd: cutoff,
        app: null,
        events: want.events,
        hourlyRollups: want.hourlyRollupRows,
        dailyRollups: want.dailyRollupRows,
        createdAt: NOW,
      });
      const text = formatReceipt(JSON.parse(row.receipt) as Receipt);
      const verified = verifyReceiptFile(text, publicKeyPem);
      expect(verified.ok).toBe(true);
      if (!verified.ok) continue;
      expect(verified.payload).toEqual({
        format: "lull-deletion-receipt/1",
        receiptId: row.id,
        issuer: expect.any(String),
        worker: { id: want.worker.id, name: want.worker.name, email: want.worker.email },
        deletion: {
          kind: "retention",
          from: null,
          to: cutoff.toISOString(),
          app: null,
          events: want.events,
          hourlyRollupRows: want.hourlyRollupRows,
          dailyRollupRows: want.dailyRollupRows,
        },
        deletedAt: NOW.toISOString(),
      });
    }
    expect(first.receipts).toBeGreaterThanOrEqual(2);
    const audits = await prisma.auditEvent.findMany({ where: { action: "retention.run" } });
    expect(audits.map((a) => JSON.parse(a.metadata) as unknown)).toContainEqual(
      expect.objectContaining({ receipts: first.receipts }),
    );

    // Nothing left past the cutoff: the next run deletes nothing and issues no receipt.
    const second = await runRetention({ now: NOW, chunkSize: 2 });
    expect(second).toMatchObject({ events: 0, rollups: 0, dailyRollups: 0, receipts: 0 });
    expect(await prisma.deletionReceipt.count({ where: { workerId: { in: ours } } })).toBe(2);
  });

  test("the hourly job runs retention once per UTC day, so a worker gets at most one retention receipt a day", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { retentionDays: 30 } });
    const user = await createUser();
    const device = await createDevice(user.id);
    const runs = () => prisma.auditEvent.count({ where: { action: "retention.run" } });
    const receipts = () =>
      prisma.deletionReceipt.count({ where: { workerId: user.id, kind: "RETENTION" } });
    // An event ages out every hour of two days.
    const day0 = new Date("2027-01-10T00:00:00Z").getTime();
    await prisma.event.createMany({
      data: Array.from({ length: 48 }, (_, h) => ({
        workerId: user.id,
        deviceId: device.id,
        type: "click",
        app: "Editor",
        at: new Date(day0 - 30 * DAY + h * 3600_000 + 60_000),
        data: "{}",
      })),
    });
    const before = await runs();
    for (let h = 0; h < 48; h++) await runHourlyJobs(new Date(day0 + h * 3600_000 + 5 * 60_000));
    // Two UTC days of hourly jobs: retention ran twice, and the worker got two receipts.
    expect((await runs()) - before).toBe(2);
    expect(await receipts()).toBe(2);
  });
});
