/**
 * What every benchmark that starts a server child needs around it: a log
 * with elapsed seconds, a clean stop of the child, Ctrl-C and a watchdog
 * that always clean up, and the tail of the server's log when it fails.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { httpRequest } from "./agent-clients.ts";
import { sleep } from "./stats.ts";

export function createLogger(): (message: string) => void {
  const started = performance.now();
  return (message) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    console.error(`[${seconds}s] ${message}`);
  };
}

/** SIGTERM (the server closes and exits within 5 s, writing its CPU profile), then SIGKILL. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export function printLogTail(file: string | undefined, lines = 30): void {
  if (!file || !existsSync(file)) return;
  const tail = readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines);
  console.error(`--- last ${tail.length} lines of the server log ---\n${tail.join("\n")}`);
}

/** On SIGINT/SIGTERM, and after `maxMinutes` at most, clean up and exit. */
export function guardBench({
  maxMinutes,
  cleanup,
  log,
  onWatchdog,
}: {
  maxMinutes: number;
  cleanup: () => Promise<void>;
  log: (message: string) => void;
  onWatchdog: () => void;
}): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping the server and exiting`);
      void cleanup().then(() => process.exit(130));
    });
  }
  setTimeout(() => {
    console.error(`Watchdog: the benchmark ran longer than ${maxMinutes} minutes; aborting.`);
    onWatchdog();
    void cleanup().then(() => process.exit(1));
  }, maxMinutes * 60_000).unref();
}

/** Waits until the server child answers /healthz with 200 (30 s at most); fails if it exits first. */
export async function waitForHealthy(child: ChildProcess, port: number): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) =>
      reject(new Error(`The server exited early (code ${code}, signal ${signal}).`)),
    ),
  );
  exited.catch(() => {});
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) await exited;
    try {
      const res = await httpRequest({ port, method: "GET", path: "/healthz", timeoutMs: 2000 });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error("/healthz did not answer 200 in 30 s.");
    await sleep(200);
  }
}

/** Newest modification time of any file under `dir` (skipping generated code). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "generated") newest = Math.max(newest, newestMtime(full));
    } else {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

/**
 * Refuses to measure a stale production build: there must be one, it must
 * contain `route` (a page the bench needs), and `app/` must not have changed
 * since (unless the check is turned off).
 */
export function requireFreshBuild({
  root,
  route,
  script,
  check,
}: {
  root: string;
  /** A route id the build must contain, e.g. "routes/admin.devices". */
  route: string;
  /** The npm script that builds and runs the bench, for the error message. */
  script: string;
  check: boolean;
}): void {
  const serverEntry = path.join(root, "build/server.js");
  const remixBuild = path.join(root, "build/server/index.js");
  if (!existsSync(serverEntry) || !existsSync(remixBuild)) {
    throw new Error(`No production build: run \`npm run build\` first (or \`npm run ${script}\`).`);
  }
  if (!check) return;
  if (!readFileSync(remixBuild, "utf8").includes(route)) {
    throw new Error(`The build has no ${route}: run \`npm run build\` again.`);
  }
  if (newestMtime(path.join(root, "app")) > statSync(remixBuild).mtimeMs) {
    throw new Error(
      `app/ changed after the last build: run \`npm run build\` (or \`npm run ${script}\`), or pass --skip-build-check.`,
    );
  }
}

/** A new temporary folder with a SQLite file migrated by `prisma migrate deploy`. */
export function migratedDatabase(root: string, prefix: string) {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const dbFile = path.join(tmpDir, "bench.db");
  const databaseUrl = `file:${dbFile}`;
  const started = performance.now();
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "pipe",
  });
  return { tmpDir, dbFile, databaseUrl, migrateSeconds: (performance.now() - started) / 1000 };
}

/** What a benchmark with a server child and a temporary folder must tidy up, however it ends. */
export type BenchResources = {
  server?: ChildProcess;
  tmpDir?: string;
  serverLog?: string;
  disconnectPrisma?: () => Promise<void>;
};

/**
 * The benchmark's resources, with Ctrl-C and the watchdog armed to clean them
 * up once: stop the server, disconnect Prisma, delete the temporary folder
 * (or keep it, with --keep-tmp).
 */
export function benchResources({
  keepTmp,
  maxMinutes,
  log,
}: {
  keepTmp: boolean;
  maxMinutes: number;
  log: (message: string) => void;
}): { res: BenchResources; cleanup: () => Promise<void> } {
  const res: BenchResources = {};
  let cleaningUp: Promise<void> | undefined;
  const cleanup = () =>
    (cleaningUp ??= (async () => {
      await stopChild(res.server);
      await res.disconnectPrisma?.().catch(() => {});
      if (res.tmpDir) {
        if (keepTmp) log(`kept ${res.tmpDir} (database and server.log)`);
        else rmSync(res.tmpDir, { recursive: true, force: true });
      }
    })());
  guardBench({ maxMinutes, cleanup, log, onWatchdog: () => printLogTail(res.serverLog) });
  return { res, cleanup };
}
