/**
 * Builds one records export: a ZIP streamed to disk, file by file, from
 * keyset-paginated chunks read on a separate read-only SQLite connection
 * (WAL lets it read while the app writes). Memory stays flat however many
 * events a worker has: one chunk of rows and the zip stream's buffers.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { PassThrough } from "node:stream";
import Database from "better-sqlite3";
import yazl from "yazl";
import { zoneOffsetMs } from "#app/domain/local-time.ts";
import {
  ARCHIVE_README,
  csvRow,
  EXPORT_SCHEMA_VERSION,
  expiryFor,
  type Manifest,
  type ManifestFile,
} from "#app/domain/records-export.ts";
import {
  exportFilePath,
  exportsDirectory,
  partialFilePath,
} from "#app/models/record-export.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { sqlitePathFromUrl } from "#app/utils/sqlite-adapter.server.ts";

const CHUNK = 5_000;
const PROGRESS_EVERY_MS = 250;

type Progress = { written: number; total: number; flush(force?: boolean): Promise<void> };

/** "2026-11-27T09:30:00.000+00:00" (as stored) → "2026-11-27T09:30:00.000Z". */
function utc(stored: string): string {
  return stored.endsWith("Z") ? stored : `${stored.slice(0, 23)}Z`;
}

/** Local wall-clock time with its offset, e.g. "2026-11-27T10:30:00.000+01:00"; offsets cached per hour. */
function localTimeFormatter(timeZone: string) {
  const offsets = new Map<string, number>();
  return (stored: string): string => {
    const iso = utc(stored);
    const hourKey = iso.slice(0, 13);
    let offset = offsets.get(hourKey);
    if (offset === undefined) {
      offset = zoneOffsetMs(new Date(iso), timeZone);
      offsets.set(hourKey, offset);
    }
    const local = new Date(Date.parse(iso) + offset).toISOString().slice(0, 23);
    const sign = offset < 0 ? "-" : "+";
    const minutes = Math.abs(offset) / 60_000;
    return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  };
}

/** One file of the archive: its data streams through a hash into the zip; rows and bytes counted. */
class Entry {
  private readonly stream = new PassThrough({ highWaterMark: 1 << 20 });
  private readonly hash = createHash("sha256");
  rows = 0;
  bytes = 0;

  constructor(
    zip: yazl.ZipFile,
    readonly name: string,
    private readonly progress: Progress,
    private readonly countsRows = true,
  ) {
    zip.addReadStream(this.stream, name, { mtime: new Date(), mode: 0o100644 });
  }

  async write(text: string, rows: number): Promise<void> {
    const chunk = Buffer.from(text, "utf8");
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.rows += rows;
    if (this.countsRows) this.progress.written += rows;
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
    await this.progress.flush();
  }

  async close(): Promise<ManifestFile> {
    this.stream.end();
    return { name: this.name, rows: this.rows, bytes: this.bytes, sha256: this.hash.digest("hex") };
  }
}

async function jsonFile(
  zip: yazl.ZipFile,
  name: string,
  rows: unknown[],
  progress: Progress,
): Promise<ManifestFile> {
  const entry = new Entry(zip, name, progress);
  await entry.write(`${JSON.stringify(rows, null, 2)}\n`, rows.length);
  return entry.close();
}

/**
 * Writes the export's archive and marks it COMPLETE. Throws on failure (the
 * runner marks it FAILED); an interrupted run leaves only a `.partial` file,
 * which is never served.
 */
export async function buildExport(exportId: string, now = () => new Date()): Promise<void> {
  const row = await prisma.recordExport.findUniqueOrThrow({
    where: { id: exportId },
    select: {
      id: true,
      workerId: true,
      worker: {
        select: {
          id: true,
          name: true,
          email: true,
          role: true,
          timezone: true,
          createdAt: true,
          deactivatedAt: true,
          manager: { select: { name: true, email: true } },
        },
      },
    },
  });
  const worker = row.worker;
  const workerId = worker.id;
  const timeZone = worker.timezone;
  const local = localTimeFormatter(timeZone);
  const db = new Database(sqlitePathFromUrl(getEnv().DATABASE_URL), {
    readonly: true,
    fileMustExist: true,
  });
  mkdirSync(exportsDirectory(), { recursive: true });
  const partial = partialFilePath(exportId);
  try {
    const count = (sql: string) => Number((db.prepare(sql).get(workerId) as { n: number }).n);
    const eventCount = count(`SELECT COUNT(*) AS n FROM "Event" WHERE "workerId" = ?`);
    const rollupCount = count(`SELECT COUNT(*) AS n FROM "EventRollup" WHERE "workerId" = ?`);
    const pauseCount = count(`SELECT COUNT(*) AS n FROM "Pause" WHERE "workerId" = ?`);

    let lastFlush = 0;
    const progress: Progress = {
      written: 0,
      // Events and pauses are written twice (CSV and JSON); small files count one row per record.
      total: eventCount * 2 + rollupCount + pauseCount * 2,
      async flush(force = false) {
        const t = Date.now();
        if (!force && t - lastFlush < PROGRESS_EVERY_MS) return;
        lastFlush = t;
        await prisma.recordExport.update({
          where: { id: exportId },
          data: {
            writtenRows: Math.min(progress.written, progress.total),
            totalRows: progress.total,
            heartbeatAt: new Date(),
          },
        });
      },
    };
    await progress.flush(true);

    const zip = new yazl.ZipFile();
    const out = createWriteStream(partial);
    zip.outputStream.pipe(out);
    const finished = once(out, "close");
    const files: ManifestFile[] = [];

    const readme = new Entry(zip, "README.txt", progress, false);
    await readme.write(ARCHIVE_README("privacy@lull.test", timeZone), 0);
    const readmeFile = await readme.close();

    files.push(
      await jsonFile(
        zip,
        "profile.json",
        [
          {
            id: worker.id,
            name: worker.name,
            email: worker.email,
            role: worker.role,
            timeZone: worker.timezone,
            manager: worker.manager,
            createdAt: worker.createdAt.toISOString(),
            deactivatedAt: worker.deactivatedAt?.toISOString() ?? null,
          },
        ],
        progress,
      ),
    );

    // Devices: never the token hash.
    const devices = db
      .prepare(
        `SELECT "id", "name", "platform", "agentVersion", "createdAt", "lastSeenAt", "revokedAt",
                "storedEvents", "discardedPaused", "discardedExempt", "discardedUnacknowledged", "rejectedFuture"
         FROM "Device" WHERE "workerId" = ? ORDER BY "createdAt"`,
      )
      .all(workerId) as Record<string, string | number | bigint | null>[];
    files.push(
      await jsonFile(
        zip,
        "devices.json",
        devices.map((d) => ({
          id: d.id,
          name: d.name,
          platform: d.platform,
          agentVersion: d.agentVersion,
          enrolledAt: utc(String(d.createdAt)),
          lastSeenAt: d.lastSeenAt ? utc(String(d.lastSeenAt)) : null,
          revokedAt: d.revokedAt ? utc(String(d.revokedAt)) : null,
          eventsStored: Number(d.storedEvents),
          refusedDuringPauses: Number(d.discardedPaused),
          refusedDuringExemptions: Number(d.discardedExempt),
          refusedBeforeAcknowledgement: Number(d.discardedUnacknowledged),
          refusedFutureDated: Number(d.rejectedFuture),
        })),
        progress,
      ),
    );

    // Pauses, as CSV and JSON.
    const pauses = db
      .prepare(
        `SELECT "id", "kind", "startsAt", "endsAt", "endedEarlyAt", "cancelledAt", "createdAt"
         FROM "Pause" WHERE "workerId" = ? ORDER BY "startsAt", "id"`,
      )
      .all(workerId) as Record<string, string | null>[];
    const pauseCsv = new Entry(zip, "pauses.csv", progress);
    let text = csvRow([
      "id",
      "kind",
      "starts_at_utc",
      "starts_at_local",
      "ends_at_utc",
      "ends_at_local",
      "ended_early_at_utc",
      "cancelled_at_utc",
      "created_at_utc",
    ]);
    for (const p of pauses) {
      text += csvRow([
        p.id,
        p.kind,
        utc(p.startsAt!),
        local(p.startsAt!),
        utc(p.endsAt!),
        local(p.endsAt!),
        p.endedEarlyAt ? utc(p.endedEarlyAt) : "",
        p.cancelledAt ? utc(p.cancelledAt) : "",
        utc(p.createdAt!),
      ]);
    }
    await pauseCsv.write(text, pauses.length);
    files.push(await pauseCsv.close());
    files.push(
      await jsonFile(
        zip,
        "pauses.json",
        pauses.map((p) => ({
          id: p.id,
          kind: p.kind,
          startsAt: utc(p.startsAt!),
          endsAt: utc(p.endsAt!),
          endedEarlyAt: p.endedEarlyAt ? utc(p.endedEarlyAt) : null,
          cancelledAt: p.cancelledAt ? utc(p.cancelledAt) : null,
          createdAt: utc(p.createdAt!),
        })),
        progress,
      ),
    );

    const exemptions = await prisma.exemptionRequest.findMany({
      where: { workerId },
      orderBy: { createdAt: "asc" },
      select: {
        id: true,
        reason: true,
        justification: true,
        scopeTypes: true,
        startsAt: true,
        endsAt: true,
        recurrenceDays: true,
        recurrenceStart: true,
        recurrenceEnd: true,
        timeZone: true,
        status: true,
        decisionNote: true,
        decidedAt: true,
        endedEarlyAt: true,
        createdAt: true,
        reviewer: { select: { name: true } },
        history: {
          orderBy: { at: "asc" },
          select: {
            fromStatus: true,
            toStatus: true,
            note: true,
            at: true,
            actor: { select: { name: true } },
          },
        },
      },
    });
    files.push(await jsonFile(zip, "exemptions.json", exemptions, progress));

    const acknowledgements = await prisma.acknowledgement.findMany({
      where: { workerId },
      orderBy: { signedAt: "asc" },
      select: {
        id: true,
        signedName: true,
        signedAt: true,
        contentSha256: true,
        receipt: true,
        document: {
          select: { slug: true, version: true, title: true, body: true, publishedAt: true },
        },
      },
    });
    files.push(
      await jsonFile(
        zip,
        "acknowledgements.json",
        acknowledgements.map((a) => ({ ...a, receipt: JSON.parse(a.receipt) as unknown })),
        progress,
      ),
    );

    // Events: keyset pages on (at, id), first as CSV, then as NDJSON.
    const firstPage = db.prepare(
      `SELECT "id", "at", "deviceId", "type", "app", "data", "receivedAt" FROM "Event"
       WHERE "workerId" = ? ORDER BY "at", "id" LIMIT ${CHUNK}`,
    );
    const nextPage = db.prepare(
      `SELECT "id", "at", "deviceId", "type", "app", "data", "receivedAt" FROM "Event"
       WHERE "workerId" = ? AND ("at" > ? OR ("at" = ? AND "id" > ?)) ORDER BY "at", "id" LIMIT ${CHUNK}`,
    );
    type EventRow = {
      id: number | bigint;
      at: string;
      deviceId: string;
      type: string;
      app: string;
      data: string;
      receivedAt: string;
    };
    async function eachEventPage(visit: (rows: EventRow[]) => Promise<void>) {
      let rows = firstPage.all(workerId) as EventRow[];
      while (rows.length > 0) {
        await visit(rows);
        const last = rows[rows.length - 1]!;
        rows = nextPage.all(workerId, last.at, last.at, last.id) as EventRow[];
      }
    }
    const eventsCsv = new Entry(zip, "events.csv", progress);
    await eventsCsv.write(
      csvRow(["id", "at_utc", "at_local", "device_id", "type", "app", "data", "received_at_utc"]),
      0,
    );
    await eachEventPage(async (rows) => {
      let chunk = "";
      for (const e of rows) {
        chunk += csvRow([
          e.id,
          utc(e.at),
          local(e.at),
          e.deviceId,
          e.type,
          e.app,
          e.data,
          utc(e.receivedAt),
        ]);
      }
      await eventsCsv.write(chunk, rows.length);
    });
    files.push(await eventsCsv.close());

    const eventsJson = new Entry(zip, "events.ndjson", progress);
    await eachEventPage(async (rows) => {
      let chunk = "";
      for (const e of rows) {
        chunk += `{"id":${e.id},"at":"${utc(e.at)}","deviceId":${JSON.stringify(e.deviceId)},"type":${JSON.stringify(e.type)},"app":${JSON.stringify(e.app)},"data":${e.data},"receivedAt":"${utc(e.receivedAt)}"}\n`;
      }
      await eventsJson.write(chunk, rows.length);
    });
    files.push(await eventsJson.close());

    // Hourly rollups.
    const rollups = new Entry(zip, "rollups.csv", progress);
    await rollups.write(csvRow(["hour_utc", "hour_local", "device_id", "type", "app", "count"]), 0);
    {
      const stmt = db.prepare(
        `SELECT "hour", "deviceId", "type", "app", "count" FROM "EventRollup" WHERE "workerId" = ?
         ORDER BY "hour", "deviceId", "type", "app"`,
      );
      let chunk = "";
      let n = 0;
      for (const r of stmt.iterate(workerId) as Iterable<Record<string, string | number>>) {
        chunk += csvRow([
          utc(String(r.hour)),
          local(String(r.hour)),
          r.deviceId,
          r.type,
          r.app,
          r.count,
        ]);
        if (++n % CHUNK === 0) {
          await rollups.write(chunk, CHUNK);
          chunk = "";
        }
      }
      await rollups.write(chunk, n % CHUNK);
    }
    files.push(await rollups.close());

    // Who else touched the worker's data, and what the worker did.
    const audit = (where: object) =>
      prisma.auditEvent.findMany({
        where,
        orderBy: [{ at: "asc" }, { id: "asc" }],
        select: {
          at: true,
          action: true,
          targetType: true,
          targetId: true,
          metadata: true,
          actor: { select: { name: true, role: true } },
        },
      });
    const shape = (events: Awaited<ReturnType<typeof audit>>) =>
      events.map((e) => ({ ...e, metadata: JSON.parse(e.metadata) as unknown }));
    files.push(
      await jsonFile(
        zip,
        "access-log.json",
        shape(await audit({ subjectUserId: workerId, actorId: { not: workerId } })),
        progress,
      ),
    );
    files.push(
      await jsonFile(zip, "audit.json", shape(await audit({ actorId: workerId })), progress),
    );

    const manifest: Manifest = {
      exportId,
      workerId,
      generatedAt: now().toISOString(),
      schemaVersion: EXPORT_SCHEMA_VERSION,
      timeZone,
      files: [readmeFile, ...files],
    };
    const manifestEntry = new Entry(zip, "manifest.json", progress, false);
    await manifestEntry.write(`${JSON.stringify(manifest, null, 2)}\n`, 0);
    await manifestEntry.close();

    zip.end();
    await finished;
    renameSync(partial, exportFilePath(exportId));
    const finishedAt = now();
    await prisma.recordExport.update({
      where: { id: exportId },
      data: {
        status: "COMPLETE",
        writtenRows: progress.total,
        totalRows: progress.total,
        bytes: statSync(exportFilePath(exportId)).size,
        finishedAt,
        expiresAt: expiryFor(finishedAt),
        heartbeatAt: finishedAt,
      },
    });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
