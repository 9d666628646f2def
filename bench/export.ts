/**
 * Records export benchmark: one worker with a year of activity (2 million
 * events on 2 devices by default) exported through the app's own job, in a
 * child process, against a same-run baseline that only reads the same events
 * with better-sqlite3 and formats them as CSV (no zip, no hashing, no second
 * pass).
 *
 *   npm run bench:export                       (2,000,000 events)
 *   npx tsx bench/export.ts --events 200000
 *
 * Targets (issue 8): at least 200,000 rows/s, peak RSS under 200 MB.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { formatBytes, markdownTable } from "./lib/stats.ts";
import {
  fakeCuid,
  seededRandom,
  seedYearOfActivity,
  type SeedWorker,
} from "./lib/year-of-activity.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_ROWS_PER_SECOND = 200_000;
const TARGET_PEAK_RSS = 200 * 1024 * 1024;

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "2000000" },
    seed: { type: "string", default: "11" },
    keep: { type: "boolean", default: false },
  },
});
const events = Number(values.events);
const log = (message: string) => console.error(`[bench:export] ${message}`);

const tmpDir = mkdtempSync(path.join(os.tmpdir(), "lull-bench-export-"));
const cleanup = () => {
  if (!values.keep) rmSync(tmpDir, { recursive: true, force: true });
};
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

try {
  const dbFile = path.join(tmpDir, "bench.db");
  const databaseUrl = `file:${dbFile}`;
  log(`migrating ${dbFile}`);
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "pipe",
  });

  const random = seededRandom(Number(values.seed));
  const worker: SeedWorker = {
    id: fakeCuid(random),
    email: "bench-export-worker@lull.test",
    name: "Bench Export Worker",
    timezone: "Europe/Berlin",
    passwordHash: "not-a-real-hash",
    devices: [
      { id: fakeCuid(random), name: "Work laptop", kind: "laptop", platform: "linux" },
      { id: fakeCuid(random), name: "Office desktop", kind: "desktop", platform: "windows" },
    ],
    events,
  };
  log(`seeding ${events.toLocaleString("en-GB")} events over a year on 2 devices`);
  const seeded = seedYearOfActivity(dbFile, {
    workers: [worker],
    now: new Date(),
    days: 365,
    seed: Number(values.seed),
    retentionDays: 400,
  });
  log(`seeded in ${seeded.seconds.toFixed(1)} s (${formatBytes(statSync(dbFile).size)})`);

  // Baseline: read every event in the same keyset pages and format CSV lines, nothing else.
  const raw = new Database(dbFile, { readonly: true });
  const first = raw.prepare(
    `SELECT "id", "at", "deviceId", "type", "app", "data", "receivedAt" FROM "Event"
     WHERE "workerId" = ? ORDER BY "at", "id" LIMIT 2000`,
  );
  const next = raw.prepare(
    `SELECT "id", "at", "deviceId", "type", "app", "data", "receivedAt" FROM "Event"
     WHERE "workerId" = ? AND ("at", "id") > (?, ?) ORDER BY "at", "id" LIMIT 2000`,
  );
  type Row = {
    id: number;
    at: string;
    deviceId: string;
    type: string;
    app: string;
    data: string;
    receivedAt: string;
  };
  const baselineStarted = performance.now();
  let baselineRows = 0;
  let baselineBytes = 0;
  let rows = first.all(worker.id) as Row[];
  while (rows.length > 0) {
    let chunk = "";
    for (const e of rows) {
      chunk += `${e.id},${e.at},${e.deviceId},${e.type},${e.app},"${e.data.replace(/"/g, '""')}",${e.receivedAt}\r\n`;
    }
    baselineBytes += chunk.length;
    baselineRows += rows.length;
    const last = rows[rows.length - 1]!;
    rows = next.all(worker.id, last.at, last.id) as Row[];
  }
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  raw.close();

  // The export, queued as the app would and run by the app's runner in a child process.
  const db = new Database(dbFile);
  db.prepare(
    `INSERT INTO "RecordExport" ("id", "workerId", "requestedById", "status", "createdAt") VALUES (?, ?, ?, 'QUEUED', ?)`,
  ).run("bench-export", worker.id, worker.id, new Date().toISOString().replace("Z", "+00:00"));
  db.close();
  // The child runs as production code runs: bundled by esbuild, on plain node (no tsx loader
  // thread), so its memory is the export's and the app's, not a TypeScript loader's.
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
  log("exporting");
  // Flags and environment as `npm start` runs the server (see package.json and ADR 0011).
  const output = execFileSync("node", ["--max-semi-space-size=2", child], {
    cwd: ROOT,
    // As `npm start` runs the server: two malloc arenas, so the zlib and file threads do not
    // each keep their own (glibc's default is 8 per core), which only inflates RSS.
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
  const zip = path.join(tmpDir, "exports", "bench-export.zip");
  const listing = execFileSync("unzip", ["-l", zip]).toString();
  const uncompressed = Number(listing.trim().split("\n").pop()!.trim().split(/\s+/)[0]);
  const manifest = JSON.parse(execFileSync("unzip", ["-p", zip, "manifest.json"]).toString()) as {
    files: { name: string; rows: number }[];
  };
  const csvRows = manifest.files.find((f) => f.name === "events.csv")!.rows;
  if (csvRows !== events) throw new Error(`events.csv has ${csvRows} rows, expected ${events}`);

  const rowsPerSecond = result.totalRows / result.seconds;
  const baselineRate = baselineRows / baselineSeconds;
  const table = markdownTable([
    {
      metric: "Export: rows written (events ×2 as CSV and NDJSON, rollups, pauses ×2)",
      value: `${result.totalRows.toLocaleString("en-US")} in ${result.seconds.toFixed(2)} s`,
      target: "",
      verdict: "info",
    },
    {
      metric: "Export throughput",
      value: `${Math.round(rowsPerSecond).toLocaleString("en-US")} rows/s`,
      target: `≥ ${TARGET_ROWS_PER_SECOND.toLocaleString("en-US")} rows/s`,
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
      value: `${Math.round(baselineRate).toLocaleString("en-US")} rows/s (${(baselineBytes / 1e6 / baselineSeconds).toFixed(1)} MB/s)`,
      target: "",
      verdict: "info",
    },
    {
      metric: "Export per event row vs baseline",
      value: `${((rowsPerSecond / 2 / baselineRate) * 100).toFixed(0)} % (each event is written twice)`,
      target: "",
      verdict: "info",
    },
  ]);
  console.log(table);
  mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(
    path.join(ROOT, "bench/results/export.md"),
    `${new Date().toISOString()} · ${events} events\n\n${table}\n`,
  );
  if (rowsPerSecond < TARGET_ROWS_PER_SECOND || result.peakRss >= TARGET_PEAK_RSS)
    process.exitCode = 1;
} finally {
  cleanup();
}
