/**
 * Builds one records export: a ZIP streamed to disk, file by file, from
 * keyset-paginated chunks read on a separate read-only SQLite connection
 * (WAL lets it read while the app writes). Memory stays flat however many
 * events a worker has: one chunk of rows and the zip stream's buffers.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  type WriteStream,
} from "node:fs";
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
import { accountSelect } from "#app/models/user.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { sqlitePathFromUrl } from "#app/utils/sqlite-adapter.server.ts";

const CHUNK = 2_000;
/** Fast deflate: event files are text that compresses ~10× even at level 1, at 3× the speed of 6. */
const COMPRESSION_LEVEL = 1;
const PROGRESS_EVERY_MS = 250;

type Progress = { written: number; total: number; flush(force?: boolean): Promise<void> };

/** "2026-11-27T09:30:00.000+00:00" (as stored) → "2026-11-27T09:30:00.000Z". */
function utc(stored: string): string {
  return stored.endsWith("Z") ? stored : `${stored.slice(0, 23)}Z`;
}

/**
 * Local wall-clock time with its offset, e.g. "2026-11-27T10:30:00.000+01:00".
 * Millions of rows: the zone's offset is looked up once per UTC hour, and for
 * whole-hour offsets only the date-and-hour prefix changes, so it is cached too.
 */
export function localTimeFormatter(timeZone: string) {
  const hours = new Map<string, HourZone>();
  const zoneOfHour = (hourKey: string): HourZone => {
    let hour = hours.get(hourKey);
    if (!hour) {
      const start = Date.parse(`${hourKey}:00:00.000Z`);
      const offset = zoneOffsetMs(new Date(start), timeZone);
      const minutes = Math.abs(offset) / 60_000;
      const suffix = `${offset < 0 ? "-" : "+"}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
      const prefix =
        offset % 3_600_000 === 0 ? new Date(start + offset).toISOString().slice(0, 13) : null;
      hour = { offset, prefix, suffix };
      hours.set(hourKey, hour);
    }
    return hour;
  };
  const format = (stored: string): string => {
    const iso = utc(stored);
    const hour = zoneOfHour(iso.slice(0, 13));
    if (hour.prefix !== null) return `${hour.prefix}${iso.slice(13, 23)}${hour.suffix}`;
    return `${new Date(Date.parse(iso) + hour.offset).toISOString().slice(0, 23)}${hour.suffix}`;
  };
  return Object.assign(format, { zoneOfHour });
}

/** A time zone's offset during one UTC hour ("2026-11-27T09"), and how local times read then. */
type HourZone = { offset: number; prefix: string | null; suffix: string };

/** One file of the archive: its data streams through a hash into the zip; rows and bytes counted. */
class Entry {
  private readonly stream = new PassThrough({ highWaterMark: 64 * 1024 });
  private readonly hash = createHash("sha256");
  rows = 0;
  bytes = 0;

  constructor(
    zip: yazl.ZipFile,
    readonly name: string,
    private readonly progress: Progress,
    private readonly countsRows = true,
  ) {
    zip.addReadStream(this.stream, name, {
      mtime: new Date(),
      mode: 0o100644,
      compressionLevel: COMPRESSION_LEVEL,
    });
  }

  async write(text: string | Buffer, rows: number): Promise<void> {
    const chunk = typeof text === "string" ? Buffer.from(text, "utf8") : text;
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

/** A file written beside the archive first (hashed and counted as it is written), then zipped. */
class ScratchFile {
  private readonly stream: WriteStream;
  private readonly hash = createHash("sha256");
  private readonly opened: Promise<unknown>;
  rows = 0;
  bytes = 0;

  constructor(
    private readonly file: string,
    private readonly progress: Progress,
  ) {
    this.stream = createWriteStream(file);
    this.opened = once(this.stream, "open");
  }

  async write(text: string, rows: number): Promise<void> {
    const chunk = Buffer.from(text, "utf8");
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.rows += rows;
    this.progress.written += rows;
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async addTo(zip: yazl.ZipFile, name: string): Promise<ManifestFile> {
    await this.opened;
    this.stream.end();
    await once(this.stream, "close");
    zip.addReadStream(createReadStream(this.file), name, {
      mtime: new Date(),
      mode: 0o100644,
      compressionLevel: COMPRESSION_LEVEL,
    });
    return { name, rows: this.rows, bytes: this.bytes, sha256: this.hash.digest("hex") };
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
      worker: { select: accountSelect },
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
  const scratch = `${partial}.events.ndjson`;
  try {
    const count = (sql: string) => Number((db.prepare(sql).get(workerId) as { n: number }).n);
    // The hourly rollups count the events exactly (ingestion writes both in one transaction),
    // and summing them is ~100× cheaper than counting millions of event rows. Only the
    // progress bar uses it.
    const eventCount = count(
      `SELECT COALESCE(SUM("count"), 0) AS n FROM "EventRollup" WHERE "workerId" = ?`,
    );
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

    // Events: one pass over keyset pages on (at, id). SQLite formats each CSV line and each
    // NDJSON line itself (two strings per row instead of a dozen, so little garbage for the
    // JS heap), using a small table of the zone's offset for every hour the events span.
    // The CSV streams into the archive; the NDJSON goes to a scratch file beside it, added as
    // the next entry, so the database is read once.
    const span = db
      .prepare(`SELECT MIN("at") AS first, MAX("at") AS last FROM "Event" WHERE "workerId" = ?`)
      .get(workerId) as { first: string | null; last: string | null };
    db.exec(
      `CREATE TEMP TABLE IF NOT EXISTS "ExportZone" ("hour" TEXT PRIMARY KEY, "prefix" TEXT, "modifier" TEXT, "suffix" TEXT) WITHOUT ROWID;
       DELETE FROM "ExportZone";`,
    );
    if (span.first && span.last) {
      const insertZone = db.prepare(`INSERT INTO "ExportZone" VALUES (?, ?, ?, ?)`);
      db.transaction(() => {
        const end = Date.parse(`${utc(span.last!).slice(0, 13)}:00:00.000Z`);
        for (
          let t = Date.parse(`${utc(span.first!).slice(0, 13)}:00:00.000Z`);
          t <= end;
          t += 3_600_000
        ) {
          const hour = new Date(t).toISOString().slice(0, 13);
          const z = local.zoneOfHour(hour);
          insertZone.run(hour, z.prefix, `${z.offset / 60_000} minutes`, z.suffix);
        }
      })();
    }
    const eventColumns = `
      e."id" || ',' || substr(e."at", 1, 23) || 'Z,'
        || COALESCE(z."prefix" || substr(e."at", 14, 10), strftime('%Y-%m-%dT%H:%M:%f', substr(e."at", 1, 23), z."modifier"))
        || z."suffix" || ',' || e."deviceId" || ',' || e."type" || ','
        || CASE WHEN instr(e."app", '"') OR instr(e."app", ',') OR instr(e."app", char(10)) OR instr(e."app", char(13))
             THEN '"' || replace(e."app", '"', '""') || '"' ELSE e."app" END
        || ',"' || replace(e."data", '"', '""') || '",' || substr(e."receivedAt", 1, 23) || 'Z' || char(13, 10),
      json_object('id', e."id", 'at', substr(e."at", 1, 23) || 'Z', 'deviceId', e."deviceId", 'type', e."type",
                  'app', e."app", 'data', json(e."data"), 'receivedAt', substr(e."receivedAt", 1, 23) || 'Z') || char(10),
      e."at", e."id"`;
    const firstPage = db
      .prepare(
        `SELECT ${eventColumns} FROM "Event" e JOIN "ExportZone" z ON z."hour" = substr(e."at", 1, 13)
         WHERE e."workerId" = ? ORDER BY e."at", e."id" LIMIT ${CHUNK}`,
      )
      .raw(true);
    const nextPage = db
      .prepare(
        // A row-value comparison, so SQLite starts the index range at the cursor.
        `SELECT ${eventColumns} FROM "Event" e JOIN "ExportZone" z ON z."hour" = substr(e."at", 1, 13)
         WHERE e."workerId" = ? AND (e."at", e."id") > (?, ?) ORDER BY e."at", e."id" LIMIT ${CHUNK}`,
      )
      .raw(true);
    type EventLines = [csv: string, json: string, at: string, id: number];
    const eventsCsv = new Entry(zip, "events.csv", progress);
    await eventsCsv.write(
      csvRow(["id", "at_utc", "at_local", "device_id", "type", "app", "data", "received_at_utc"]),
      0,
    );
    const ndjson = new ScratchFile(scratch, progress);
    let rows = firstPage.all(workerId) as EventLines[];
    while (rows.length > 0) {
      let csv = "";
      let json = "";
      for (const row of rows) {
        csv += row[0];
        json += row[1];
      }
      await Promise.all([eventsCsv.write(csv, rows.length), ndjson.write(json, rows.length)]);
      const last = rows[rows.length - 1]!;
      rows = nextPage.all(workerId, last[2], last[3]) as EventLines[];
    }
    files.push(await eventsCsv.close());
    files.push(await ndjson.addTo(zip, "events.ndjson"));

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
    rmSync(scratch, { force: true });
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
    rmSync(scratch, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
