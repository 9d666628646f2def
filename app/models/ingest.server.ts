import { LIMITS, type EventBatch, type EventBatchResult } from "#app/agent-protocol/v1.ts";
import { classifyEvent, rollupCounts } from "#app/domain/ingest-rules.ts";
import { effectiveInterval, type Interval } from "#app/domain/pause-policy.ts";
import { prisma } from "#app/utils/db.server.ts";
import { listPausesOverlapping } from "./pause.server.ts";

/**
 * Stores one batch of events exactly once per (device, batchId), in one
 * short transaction: events outside the worker's pauses and exemptions,
 * their hourly rollups, the device's counters, and the answer itself (so a
 * retry gets the same answer). The better-sqlite3 adapter runs one
 * transaction at a time per process, so concurrent batches queue instead
 * of failing with SQLITE_BUSY.
 */
export async function ingestBatch(
  device: { id: string; workerId: string },
  batch: EventBatch,
  now: Date,
): Promise<EventBatchResult> {
  const times = batch.events.map((e) => new Date(e.at));
  const earliest = new Date(Math.min(now.getTime(), ...times.map((t) => t.getTime())));
  const latest = new Date(Math.max(now.getTime(), ...times.map((t) => t.getTime())));

  return prisma.$transaction(async (tx) => {
    const previous = await tx.eventBatch.findUnique({
      where: { deviceId_batchId: { deviceId: device.id, batchId: batch.batchId } },
      select: { result: true },
    });
    if (previous) return { ...(JSON.parse(previous.result) as EventBatchResult), duplicate: true };

    // Inclusive of the latest instant: an event exactly at a pause's start is inside it.
    const pauses = await listPausesOverlapping(
      tx,
      device.workerId,
      earliest,
      new Date(latest.getTime() + 1),
    );
    const windows = {
      pause: pauses.map(effectiveInterval).filter((i): i is Interval => i !== null),
      exemption: [] as Interval[],
    };

    const counts = { stored: 0, discardedPaused: 0, discardedExempt: 0, rejectedFuture: 0 };
    const rows: {
      workerId: string;
      deviceId: string;
      type: string;
      at: Date;
      app: string;
      data: string;
      receivedAt: Date;
    }[] = [];
    batch.events.forEach((event, index) => {
      const at = times[index]!;
      const verdict = classifyEvent(at, windows, now, LIMITS.futureToleranceMs);
      if (verdict === "paused") counts.discardedPaused++;
      else if (verdict === "exempt") counts.discardedExempt++;
      else if (verdict === "future") counts.rejectedFuture++;
      else {
        counts.stored++;
        rows.push({
          workerId: device.workerId,
          deviceId: device.id,
          type: event.type,
          at,
          app: event.app,
          data: JSON.stringify(event.data),
          receivedAt: now,
        });
      }
    });

    if (rows.length > 0) await tx.event.createMany({ data: rows });
    for (const r of rollupCounts(rows)) {
      await tx.$executeRaw`
        INSERT INTO "EventRollup" ("workerId", "deviceId", "type", "app", "hour", "count")
        VALUES (${device.workerId}, ${device.id}, ${r.type}, ${r.app}, ${r.hour}, ${r.count})
        ON CONFLICT ("workerId", "deviceId", "type", "app", "hour")
        DO UPDATE SET "count" = "count" + excluded."count"`;
    }
    await tx.device.update({
      where: { id: device.id },
      data: {
        lastSeenAt: now,
        storedEvents: { increment: counts.stored },
        discardedPaused: { increment: counts.discardedPaused },
        discardedExempt: { increment: counts.discardedExempt },
        rejectedFuture: { increment: counts.rejectedFuture },
      },
    });
    const result: EventBatchResult = { batchId: batch.batchId, ...counts, duplicate: false };
    await tx.eventBatch.create({
      data: {
        deviceId: device.id,
        batchId: batch.batchId,
        receivedAt: now,
        result: JSON.stringify(result),
      },
    });
    return result;
  });
}
