/**
 * The same-run baseline for ingestion: better-sqlite3 writing the rows the
 * server writes for each batch, straight into a copy of the bench database
 * (same schema, indexes, users and devices), one transaction per batch with
 * prepared statements and the application's pragmas.
 *
 * - "full": what ingestBatch (app/models/ingest.server.ts) writes: the Event
 *   rows, the EventRollup and EventRollupDay upserts, the Device counters, the DeviceUsageHour
 *   upsert (the upload footprint, ADR 0026) and the EventBatch row.
 * - "events": the Event rows alone.
 */
import Database from "better-sqlite3";
import { performance } from "node:perf_hooks";
import type { AgentEvent } from "#app/agent-protocol/v1.ts";

export type RawBatch = {
  deviceId: string;
  workerId: string;
  batchId: string;
  events: AgentEvent[];
};

/** Prisma's better-sqlite3 adapter stores DateTime as ISO 8601 text with "+00:00". */
function prismaDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

function hourBucket(at: Date): Date {
  const d = new Date(at.getTime());
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/** A consistent copy of a live SQLite file (safe while the server writes to it). */
export function snapshotDatabase(sourceFile: string, targetFile: string): void {
  const db = new Database(sourceFile, { fileMustExist: true });
  try {
    db.prepare("VACUUM INTO ?").run(targetFile);
  } finally {
    db.close();
  }
}

export function rawIngest(
  file: string,
  batches: readonly RawBatch[],
  mode: "full" | "events",
): { events: number; seconds: number } {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.pragma("synchronous = NORMAL");

    const insertEvent = db.prepare(
      `INSERT INTO "Event" ("workerId", "deviceId", "type", "at", "app", "data", "receivedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const upsertRollup = db.prepare(
      `INSERT INTO "EventRollup" ("workerId", "deviceId", "type", "app", "hour", "count")
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("workerId", "deviceId", "type", "app", "hour")
       DO UPDATE SET "count" = "count" + excluded."count"`,
    );
    const upsertDailyRollup = db.prepare(
      `INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("workerId", "deviceId", "type", "app", "day")
       DO UPDATE SET "count" = "count" + excluded."count"`,
    );
    const updateDevice = db.prepare(
      `UPDATE "Device" SET "lastSeenAt" = ?, "storedEvents" = "storedEvents" + ? WHERE "id" = ?`,
    );
    const insertBatch = db.prepare(
      `INSERT INTO "EventBatch" ("deviceId", "batchId", "receivedAt", "result") VALUES (?, ?, ?, ?)`,
    );
    const upsertUsageHour = db.prepare(
      `INSERT INTO "DeviceUsageHour" ("deviceId", "hour", "bytes", "batches", "events", "lastAt")
       VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT ("deviceId", "hour") DO UPDATE SET "bytes" = "bytes" + excluded."bytes",
       "batches" = "batches" + 1, "events" = "events" + excluded."events",
       "lastAt" = max("lastAt", excluded."lastAt")`,
    );

    const ingestOne = db.transaction((batch: RawBatch) => {
      const now = new Date();
      const receivedAt = prismaDateTime(now);
      const rollups = new Map<string, { type: string; app: string; hour: string; count: number }>();
      for (const event of batch.events) {
        const at = new Date(event.at);
        insertEvent.run(
          batch.workerId,
          batch.deviceId,
          event.type,
          prismaDateTime(at),
          event.app,
          JSON.stringify(event.data),
          receivedAt,
        );
        if (mode === "full") {
          const hour = prismaDateTime(hourBucket(at));
          const key = `${event.type}\u0000${event.app}\u0000${hour}`;
          const entry = rollups.get(key);
          if (entry) entry.count++;
          else rollups.set(key, { type: event.type, app: event.app, hour, count: 1 });
        }
      }
      if (mode === "full") {
        const days = new Map<string, { type: string; app: string; day: string; count: number }>();
        for (const r of rollups.values()) {
          upsertRollup.run(batch.workerId, batch.deviceId, r.type, r.app, r.hour, r.count);
          const day = `${r.hour.slice(0, 10)}T00:00:00.000+00:00`;
          const key = `${r.type}\u0000${r.app}\u0000${day}`;
          const entry = days.get(key);
          if (entry) entry.count += r.count;
          else days.set(key, { type: r.type, app: r.app, day, count: r.count });
        }
        for (const d of days.values()) {
          upsertDailyRollup.run(batch.workerId, batch.deviceId, d.type, d.app, d.day, d.count);
        }
        updateDevice.run(receivedAt, batch.events.length, batch.deviceId);
        upsertUsageHour.run(
          batch.deviceId,
          prismaDateTime(hourBucket(now)),
          JSON.stringify({ batchId: batch.batchId, events: batch.events }).length,
          batch.events.length,
          receivedAt,
        );
        insertBatch.run(batch.deviceId, batch.batchId, receivedAt, storedBatchResult(batch));
      }
    });

    const started = performance.now();
    let events = 0;
    for (const batch of batches) {
      ingestOne(batch);
      events += batch.events.length;
    }
    return { events, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

/** The answer ingestion stores for a batch whose events were all kept, as JSON. */
export function storedBatchResult(batch: { batchId: string; events: readonly unknown[] }): string {
  return JSON.stringify({
    batchId: batch.batchId,
    stored: batch.events.length,
    discardedPaused: 0,
    discardedExempt: 0,
    rejectedFuture: 0,
    duplicate: false,
  });
}
