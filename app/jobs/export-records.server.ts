/**
 * Builds one records export (ADR 0011): a ZIP streamed to disk file by file,
 * from sections read by the provider's export reader (ADR 0032). Memory stays
 * flat however many events a worker has: one page of rows and the zip
 * stream's buffers. The parts live in ./export/: what each section holds
 * (export-reader, section-queries, section-rows, event-lines), how each
 * format is written (file-writers), the archive, the README and manifest,
 * and the progress bar. The archive gets its final name only once it is
 * whole and checked (ADR 0033).
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import type { ManifestFile } from "#app/domain/records-export.ts";
import {
  deletePartialFiles,
  exportFilePath,
  exportsDirectory,
  partialFilePath,
} from "#app/models/record-export.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { ExportArchive } from "./export/archive.server.ts";
import { EVENT_CSV_COLUMNS } from "./export/event-lines.ts";
import { type ExportReader, openExportReader } from "./export/export-reader.server.ts";
import { CsvWriter, NdjsonWriter, writeCsv, writeJson, writeText } from "./export/file-writers.ts";
import { type LocalTimeFormatter, localTimeFormatter } from "./export/local-time-column.ts";
import { archiveReadme, buildManifest } from "./export/manifest.ts";
import { type Claim, keepLeaseAlive, LeaseLost } from "./export/lease.server.ts";
import { ExportProgress, plannedRows } from "./export/progress.server.ts";
import { verifyArchive } from "./export/verify-archive.server.ts";
import {
  getExportSubject,
  listAccessLogForExport,
  listAcknowledgementsForExport,
  listExemptionsForExport,
  listOwnAuditForExport,
  readDeletionReceiptsForExport,
} from "./export/section-queries.server.ts";
import {
  deviceJson,
  PAUSE_CSV_COLUMNS,
  pauseCsvRecord,
  pauseJson,
  profileJson,
  ROLLUP_CSV_COLUMNS,
  rollupCsvRecord,
} from "./export/section-rows.ts";

/**
 * Writes the export's archive under a temporary name (`.partial`), checks the
 * file on disk is what was written, only then renames it to its final name,
 * and marks it COMPLETE (ADR 0033). Throws on failure (the runner marks it
 * FAILED), leaving no file of it behind; a run interrupted by a crash leaves
 * only `.partial` files (or a final file of an export that is not COMPLETE),
 * which are never served and are deleted at the next start-up or by the
 * hourly sweep.
 */
export async function buildExport(claim: Claim, now = () => new Date()): Promise<void> {
  const { exportId, attempt } = claim;
  const { worker } = await getExportSubject(exportId);
  const local = localTimeFormatter(worker.timezone);
  const db = openExportReader();
  mkdirSync(exportsDirectory(), { recursive: true });
  const partial = partialFilePath(exportId, attempt);
  const scratch = `${partial}.events.ndjson`;
  let opened: ExportArchive | undefined;
  const lease = keepLeaseAlive(claim);
  try {
    const counts = await db.countSectionRows(worker.id);
    const progress = new ExportProgress(claim, plannedRows(counts));
    await progress.heartbeat(true);
    const archive = new ExportArchive(partial, progress);
    opened = archive;

    const readme = await writeText(
      archive.entry("README.txt", { countsRows: false }),
      archiveReadme({ mailFrom: getEnv().MAIL_FROM, timeZone: worker.timezone }),
    );
    const files: ManifestFile[] = [];
    const json = async (name: string, rows: unknown[]) =>
      files.push(await writeJson(archive.entry(name), rows));

    await json("profile.json", [profileJson(worker)]);
    await json("devices.json", (await db.readDevices(worker.id)).map(deviceJson));
    const pauses = await db.readPauses(worker.id);
    files.push(
      await writeCsv(
        archive.entry("pauses.csv"),
        PAUSE_CSV_COLUMNS,
        pauses.map((p) => pauseCsvRecord(p, local)),
      ),
    );
    await json("pauses.json", pauses.map(pauseJson));
    await json("exemptions.json", await listExemptionsForExport(worker.id));
    await json("acknowledgements.json", await listAcknowledgementsForExport(worker.id));
    files.push(...(await writeEvents(archive, db, worker.id, local, scratch)));
    files.push(await writeRollups(archive, db, worker.id, local));
    await json("access-log.json", await listAccessLogForExport(worker.id));
    await json("audit.json", await listOwnAuditForExport(worker.id));
    // One file per receipt, byte for byte the download, so each verifies as it is (ADR 0041).
    for await (const receipt of readDeletionReceiptsForExport(worker.id)) {
      files.push(await writeText(archive.entry(receipt.name), receipt.text, 1));
    }

    await writeJson(
      archive.entry("manifest.json", { countsRows: false }),
      buildManifest({
        exportId,
        workerId: worker.id,
        generatedAt: now(),
        timeZone: worker.timezone,
        files: [readme, ...files],
      }),
    );
    const written = await archive.finish();
    rmSync(scratch, { force: true });
    // Checked under its temporary name, so no file named like a finished archive is ever
    // anything but a whole, checked one; the rename is atomic within the directory.
    await verifyArchive(partial, written);
    // Still ours (a renewal just now): another node that took the export over has not
    // finished it, so the final name is not theirs to lose.
    if (lease.lost) throw new LeaseLost(exportId);
    await progress.heartbeat(true);
    renameSync(partial, exportFilePath(exportId));
    await progress.complete(written, now());
  } catch (error) {
    await opened?.discard().catch(() => undefined);
    deletePartialFiles(exportId, attempt);
    // A node that lost its lease leaves the export, and its final file, to the new owner.
    if (!(error instanceof LeaseLost)) rmSync(exportFilePath(exportId), { force: true });
    throw error;
  } finally {
    lease.stop();
    db.close();
  }
}

/**
 * events.csv and events.ndjson in one pass over the events: the CSV streams
 * into the archive while the NDJSON waits in a scratch file, added next.
 */
async function writeEvents(
  archive: ExportArchive,
  db: ExportReader,
  workerId: string,
  local: LocalTimeFormatter,
  scratch: string,
): Promise<ManifestFile[]> {
  const csv = await CsvWriter.open(archive.entry("events.csv"), EVENT_CSV_COLUMNS);
  const ndjson = new NdjsonWriter(archive.scratchEntry("events.ndjson", scratch));
  await db.forEachEventPage(workerId, local, async (page) => {
    await Promise.all([
      csv.formattedLines(page.csv, page.rows),
      ndjson.formattedLines(page.ndjson, page.rows),
    ]);
  });
  return [await csv.close(), await ndjson.close()];
}

async function writeRollups(
  archive: ExportArchive,
  db: ExportReader,
  workerId: string,
  local: LocalTimeFormatter,
): Promise<ManifestFile> {
  const csv = await CsvWriter.open(archive.entry("rollups.csv"), ROLLUP_CSV_COLUMNS);
  await csv.records(mapLazily(db.readRollups(workerId), (r) => rollupCsvRecord(r, local)));
  return csv.close();
}

/** Each row mapped as it is read; a synchronous cursor (SQLite's) stays synchronous. */
function mapLazily<T, R>(
  rows: Iterable<T> | AsyncIterable<T>,
  map: (row: T) => R,
): Iterable<R> | AsyncIterable<R> {
  if (Symbol.asyncIterator in rows) {
    return (async function* () {
      for await (const row of rows) yield map(row);
    })();
  }
  return (function* () {
    for (const row of rows) yield map(row);
  })();
}
