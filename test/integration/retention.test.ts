import { describe, expect, test } from "vitest";
import { runRetention } from "#app/models/retention.server.ts";
import { prisma } from "#app/utils/db.server.ts";
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
});
