/**
 * The records export's files on disk (ADR 0019, ADR 0033): a ZIP is written
 * under a temporary name and gets its final name and COMPLETE only once the
 * file read back matches what was written; a failed or interrupted export
 * leaves no copy of the worker's data behind, and the hourly job sweeps what
 * a crash left.
 */
import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  watch,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describe, expect, test, vi } from "vitest";
import { ExportArchive } from "#app/jobs/export/archive.server.ts";
import { recoverInterruptedExports, runNextExport } from "#app/jobs/export-runner.server.ts";
import {
  exportFilePath,
  exportsDirectory,
  exportsDirectoryFor,
  partialFilePath,
} from "#app/models/record-export.server.ts";
import { runHourlyJobs } from "#app/models/retention.server.ts";
import { loader as downloadLoader } from "#app/routes/records.$exportId.download.ts";
import { prisma } from "#app/utils/db.server.ts";
import { queuedExport, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

const HOUR = 3_600_000;

/** Every file in exports/ that belongs to export `id`, finished or not. */
function filesOf(id: string): string[] {
  const dir = exportsDirectory();
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(`${id}.`)) : [];
}

async function download(id: string, userId: string) {
  return callRoute(
    downloadLoader,
    getRequest(`/records/${id}/download`, { cookie: await sessionCookieFor(userId) }),
    { params: { exportId: id } },
  );
}

describe("an export is checked before it is COMPLETE", () => {
  test("the stored size and SHA-256 are those of the file on disk", async () => {
    const { id } = await queuedExport();
    expect(await runNextExport()).toBe(true);
    const row = await prisma.recordExport.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("COMPLETE");
    const onDisk = readFileSync(exportFilePath(id));
    expect(row.bytes).toBe(onDisk.length);
    expect(row.sha256).toBe(createHash("sha256").update(onDisk).digest("hex"));
    expect(filesOf(id)).toEqual([`${id}.zip`]);
  });

  test("a file that is not what was written (another writer, a torn write) is FAILED, deleted and never served", async () => {
    const { user, id } = await queuedExport();
    const finish = ExportArchive.prototype.finish;
    vi.spyOn(ExportArchive.prototype, "finish").mockImplementation(async function (
      this: ExportArchive,
    ) {
      const written = await finish.call(this);
      appendFileSync(partialFilePath(id, 1), "bytes from another process");
      return written;
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await runNextExport()).toBe(true);
    const row = await prisma.recordExport.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("FAILED");
    expect(row.error).toMatch(/not the one written/);
    expect(row.sha256).toBeNull();
    expect(filesOf(id)).toEqual([]);
    expect((await download(id, user.id)).status).toBe(404);
  });
});

describe("an archive is named as finished only when it is", () => {
  test("while it is built and checked, no file has the final name and the download is 404", async () => {
    const { user, id } = await queuedExport();
    mkdirSync(exportsDirectory(), { recursive: true });
    // Every name that appears in the directory while the export runs (inotify: renames too).
    const seen: string[] = [];
    const watcher = watch(exportsDirectory(), (_event, name) => {
      if (name) seen.push(name);
    });
    const during: { finalExists: boolean; download: number }[] = [];
    const finish = ExportArchive.prototype.finish;
    vi.spyOn(ExportArchive.prototype, "finish").mockImplementation(async function (
      this: ExportArchive,
    ) {
      const written = await finish.call(this);
      // The archive is whole on disk but not yet checked: as a torn write would look.
      appendFileSync(partialFilePath(id, 1), "bytes from another process");
      during.push({
        finalExists: existsSync(exportFilePath(id)),
        download: (await download(id, user.id)).status,
      });
      return written;
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await runNextExport()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the watcher's last events
    } finally {
      watcher.close();
    }
    expect(during).toEqual([{ finalExists: false, download: 404 }]);
    expect(seen).toContain(`${id}.zip.1.partial`);
    // The torn archive failed its check under its temporary name: it never had the final one.
    expect(seen).not.toContain(`${id}.zip`);
    expect((await prisma.recordExport.findUniqueOrThrow({ where: { id } })).status).toBe("FAILED");
  });

  test("archives live in EXPORT_DIR, or by default beside the SQLite file or in ./data/exports", () => {
    const sqlite = { DATABASE_URL: "file:./data/lull.db", databaseProvider: "sqlite" } as const;
    const postgres = {
      DATABASE_URL: "postgresql://lull@db/lull",
      databaseProvider: "postgresql",
    } as const;
    expect(exportsDirectoryFor(sqlite)).toBe(path.join("data", "exports"));
    expect(exportsDirectoryFor({ ...sqlite, DATABASE_URL: "file:/srv/lull/lull.db" })).toBe(
      "/srv/lull/exports",
    );
    expect(exportsDirectoryFor(postgres)).toBe(path.resolve("data", "exports"));
    expect(exportsDirectoryFor({ ...postgres, EXPORT_DIR: "/mnt/shared/exports" })).toBe(
      "/mnt/shared/exports",
    );
    expect(exportsDirectoryFor({ ...sqlite, EXPORT_DIR: "archives" })).toBe(
      path.resolve("archives"),
    );
  });
});

describe("no copy of a worker's data is left behind", () => {
  test("a build that fails part-way deletes its archive and its scratch file", async () => {
    const { id } = await queuedExport();
    const entry = ExportArchive.prototype.entry;
    vi.spyOn(ExportArchive.prototype, "entry").mockImplementation(function (
      this: ExportArchive,
      name,
      options,
    ) {
      // After the events: the archive and events.ndjson's scratch file both hold data by now.
      if (name === "rollups.csv") throw new Error("disk full");
      return entry.call(this, name, options);
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await runNextExport()).toBe(true);
    expect((await prisma.recordExport.findUniqueOrThrow({ where: { id } })).status).toBe("FAILED");
    await new Promise((resolve) => setTimeout(resolve, 100)); // no file appears later either
    expect(filesOf(id)).toEqual([]);
  });

  test("an export interrupted by a crash: its archive and scratch file go at start-up, retried or failed", async () => {
    for (const attempts of [1, 2]) {
      const { id } = await queuedExport();
      await prisma.recordExport.update({
        where: { id },
        data: { status: "RUNNING", attempts, writtenRows: 10 },
      });
      mkdirSync(exportsDirectory(), { recursive: true });
      writeFileSync(partialFilePath(id, 1), "PK half an archive");
      writeFileSync(`${partialFilePath(id, 1)}.events.ndjson`, '{"type":"click","app":"Editor"}\n');
      if (attempts === 2) {
        // Renamed into place, but the process died before it was marked COMPLETE.
        writeFileSync(exportFilePath(id), "PK a whole archive, never marked complete");
      }
      await recoverInterruptedExports();
      const row = await prisma.recordExport.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe(attempts === 1 ? "QUEUED" : "FAILED");
      expect(filesOf(id), `attempts ${attempts}`).toEqual([]);
    }
  });

  test("the hourly job deletes partial files older than an hour that no running export owns", async () => {
    mkdirSync(exportsDirectory(), { recursive: true });
    const running = await queuedExport();
    await prisma.recordExport.update({ where: { id: running.id }, data: { status: "RUNNING" } });
    const failed = await queuedExport();
    await prisma.recordExport.update({ where: { id: failed.id }, data: { status: "FAILED" } });
    const now = new Date();
    const put = (name: string, ageMs: number) => {
      const file = path.join(exportsDirectory(), name);
      writeFileSync(file, "a worker's data");
      const at = new Date(now.getTime() - ageMs);
      utimesSync(file, at, at);
      return name;
    };
    const old = 2 * HOUR;
    const swept = [
      put(`${failed.id}.zip.partial`, old),
      put(`${failed.id}.zip.partial.events.ndjson`, old),
      put("cm0000000000000000orphan.zip.partial.events.ndjson", old),
    ];
    const kept = [
      put(`${running.id}.zip.partial`, old), // still being written
      put(`${running.id}.zip.partial.events.ndjson`, old),
      put("cm0000000000000000young.zip.partial", 10 * 60_000), // less than an hour old
      put(`${failed.id}.zip`, old), // a finished archive is retention's business, not the sweep's
    ];
    await runHourlyJobs(now);
    const left = readdirSync(exportsDirectory());
    for (const name of swept) expect(left, name).not.toContain(name);
    for (const name of kept) expect(left, name).toContain(name);
  });
});
