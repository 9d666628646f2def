/**
 * Records export benchmark: one worker with a year of activity (2 million
 * events on 2 devices by default) exported through the app's own job, in a
 * child process bundled with esbuild and started as `npm start` starts the
 * server, against a same-run baseline that only reads the same events with
 * better-sqlite3 and formats them as CSV (no zip, no hashing, no second pass).
 *
 *   npm run bench:export                       (2,000,000 events)
 *   npx tsx bench/export.ts --events 20000
 *
 * Targets (issue 8): at least 200,000 rows/s, peak RSS under 200 MB.
 */
import type { StoredEvent } from "#app/jobs/export/event-lines.ts";
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { ROOT, int, runBench } from "./lib/harness.ts";
import { seededRandom } from "./lib/seed.ts";
import { fmtInt, formatBytes } from "./lib/stats.ts";
import { LAPTOP_AND_DESKTOP, seedWorker, seedYearOfActivity } from "./lib/year-of-activity.ts";

const TARGET_ROWS_PER_SECOND = 200_000;
const TARGET_PEAK_RSS = 200 * 1024 * 1024;

await runBench({
  name: "export",
  title: "Records export benchmark",
  about:
    "One worker's year of activity exported by the app's own job in a child process: rows/s (≥ 200,000) and peak RSS (< 200 MB), next to better-sqlite3 reading the same events as CSV.",
  maxMinutes: 20,
  flags: {
    events: int("events of the worker", 2_000_000, 1000),
    seed: int("PRNG seed of the data", 11),
  },
  async run(bench) {
    const { events, seed } = bench.flags;
    const { dbFile, databaseUrl } = bench.migratedDatabase();
    const worker = seedWorker(
      seededRandom(seed),
      {
        email: "bench-export-worker@lull.test",
        name: "Bench Export Worker",
        timezone: "Europe/Berlin",
        passwordHash: "not-a-real-hash",
        events,
      },
      LAPTOP_AND_DESKTOP,
    );
    bench.log(`seeding ${fmtInt(events)} events over a year on 2 devices`);
    const seeded = seedYearOfActivity(dbFile, {
      workers: [worker],
      now: new Date(),
      days: 365,
      seed,
      retentionDays: 400,
    });
    bench.log(`seeded in ${seeded.seconds.toFixed(1)} s (${formatBytes(statSync(dbFile).size)})`);

    // Baseline: read every event in the same keyset pages and format CSV lines, nothing else.
    const raw = new Database(dbFile, { readonly: true });
    const columns = `"id", "at", "deviceId", "type", "app", "data", "receivedAt"`;
    const first = raw.prepare(
      `SELECT ${columns} FROM "Event" WHERE "workerId" = ? ORDER BY "at", "id" LIMIT 2000`,
    );
    const next = raw.prepare(
      `SELECT ${columns} FROM "Event" WHERE "workerId" = ? AND ("at", "id") > (?, ?) ORDER BY "at", "id" LIMIT 2000`,
    );
    type EventRow = StoredEvent;
    const baselineStarted = performance.now();
    let baselineRows = 0;
    let baselineBytes = 0;
    let page = first.all(worker.id) as EventRow[];
    while (page.length > 0) {
      let chunk = "";
      for (const e of page) {
        chunk += `${e.id},${e.at},${e.deviceId},${e.type},${e.app},"${e.data.replace(/"/g, '""')}",${e.receivedAt}\r\n`;
      }
      baselineBytes += chunk.length;
      baselineRows += page.length;
      const last = page[page.length - 1]!;
      page = next.all(worker.id, last.at, last.id) as EventRow[];
    }
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    raw.close();

    // The export, queued as the app would and run by the app's runner in a child process.
    const db = new Database(dbFile);
    db.prepare(
      `INSERT INTO "RecordExport" ("id", "workerId", "requestedById", "status", "createdAt") VALUES (?, ?, ?, 'QUEUED', ?)`,
    ).run("bench-export", worker.id, worker.id, toStoredDateTime(new Date()));
    db.close();
    // The child runs as production code runs: bundled by esbuild, on plain node (no tsx loader
    // thread), so its memory is the export's and the app's, not a TypeScript loader's. It must
    // live in the repository to find node_modules.
    const child = path.join(ROOT, "bench/results/export-child.mjs");
    mkdirSync(path.dirname(child), { recursive: true });
    execFileSync(
      "npx",
      [
        "esbuild",
        "bench/lib/export-child.ts",
        "--bundle",
        "--platform=node",
        "--target=node20",
        "--format=esm",
        "--packages=external",
        `--outfile=${child}`,
        "--log-level=warning",
      ],
      { cwd: ROOT, stdio: "inherit" },
    );
    bench.log("exporting");
    // Flags and environment as `npm start` runs the server (see package.json and ADR 0011):
    // two malloc arenas, so the zlib and file threads do not each keep their own (glibc's
    // default is 8 per core), which only inflates RSS.
    const output = execFileSync("node", ["--max-semi-space-size=2", child], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test", MALLOC_ARENA_MAX: "2" },
      maxBuffer: 16 * 1024 * 1024,
    }).toString();
    const result = JSON.parse(output.trim().split("\n").pop()!) as {
      status: string;
      totalRows: number;
      bytes: number;
      error: string | null;
      seconds: number;
      peakRss: number;
      rssBefore: number;
    };
    if (result.status !== "COMPLETE") throw new Error(`export ${result.status}: ${result.error}`);
    const zip = path.join(bench.tmpDir, "exports", "bench-export.zip");
    const listing = execFileSync("unzip", ["-l", zip]).toString();
    const uncompressed = Number(listing.trim().split("\n").pop()!.trim().split(/\s+/)[0]);
    const manifest = JSON.parse(execFileSync("unzip", ["-p", zip, "manifest.json"]).toString()) as {
      files: { name: string; rows: number }[];
    };
    const csvRows = manifest.files.find((f) => f.name === "events.csv")!.rows;
    if (csvRows !== events) throw new Error(`events.csv has ${csvRows} rows, expected ${events}`);

    const rowsPerSecond = result.totalRows / result.seconds;
    const baselineRate = baselineRows / baselineSeconds;
    return {
      rows: [
        {
          metric: "Export: rows written (events ×2 as CSV and NDJSON, rollups, pauses ×2)",
          value: `${fmtInt(result.totalRows)} in ${result.seconds.toFixed(2)} s`,
          target: "",
          verdict: "info",
        },
        {
          metric: "Export throughput",
          value: `${fmtInt(rowsPerSecond)} rows/s`,
          target: `≥ ${fmtInt(TARGET_ROWS_PER_SECOND)} rows/s`,
          verdict: rowsPerSecond >= TARGET_ROWS_PER_SECOND ? "pass" : "FAIL",
        },
        {
          metric: "Export data rate",
          value: `${(uncompressed / 1e6 / result.seconds).toFixed(1)} MB/s of file data, ${(result.bytes / 1e6 / result.seconds).toFixed(1)} MB/s of ZIP`,
          target: "",
          verdict: "info",
        },
        {
          metric: "Archive size",
          value: `${formatBytes(result.bytes)} (${formatBytes(uncompressed)} unzipped)`,
          target: "",
          verdict: "info",
        },
        {
          metric: "Peak RSS of the exporting process",
          value: `${formatBytes(result.peakRss)} (${formatBytes(result.rssBefore)} before it started)`,
          target: "< 200 MB",
          verdict: result.peakRss < TARGET_PEAK_RSS ? "pass" : "FAIL",
        },
        {
          metric:
            "Baseline, same run: better-sqlite3 reads the events in the same pages and formats CSV",
          value: `${fmtInt(baselineRate)} rows/s (${(baselineBytes / 1e6 / baselineSeconds).toFixed(1)} MB/s)`,
          target: "",
          verdict: "info",
        },
        {
          metric: "Export per event row vs baseline",
          value: `${((rowsPerSecond / 2 / baselineRate) * 100).toFixed(0)} % (each event is written twice)`,
          target: "",
          verdict: "info",
        },
      ],
      notes: [
        `Data: ${fmtInt(events)} events of one worker over 365 days on 2 devices (seed ${seed}), ${fmtInt(seeded.rollups)} rollup rows, ${seeded.pauses} pauses; seeded in ${seeded.seconds.toFixed(1)} s with better-sqlite3.`,
        "The export runs in a child process (`node --max-semi-space-size=2`, MALLOC_ARENA_MAX=2, as `npm start` runs the server), so its peak RSS (VmHWM) is the export's alone; the archive is checked with `unzip` (the events in `events.csv` must equal the seeded count).",
      ],
    };
  },
});
