/**
 * The harness every benchmark runs on. A bench file declares its flags and
 * says what it measures (`runBench({ name, title, flags, run })`); the
 * harness owns the rest:
 * - flags: parsed from the declaration (camelCase key → --kebab-case),
 *   checked, and `--help` generated from it, with the shared ones
 *   (--max-minutes, --keep-tmp, and for benches with a server
 *   --skip-build-check and --server-cpu-prof);
 * - lifecycle: the stale-build check, a temporary folder with a SQLite file
 *   migrated by `prisma migrate deploy` (or a throwaway PostgreSQL cluster
 *   migrated by `npm run db:migrate`: ./postgres.ts), `node build/server.js`
 *   started (production mode, 127.0.0.1, a free port; once per node) and
 *   stopped, Ctrl-C and a watchdog that always clean up, the server log's
 *   tail when it fails;
 * - reporting: one table (metric | value | target | result), the
 *   environment notes, the server log's warnings, the server's CPU profile,
 *   printed and written to bench/results/<name>-latest.md.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { format } from "prettier";
import { cpuProfileSection } from "./cpu-profile.ts";
import { HOST, httpRequest } from "./http.ts";
import { migratedPostgres, type BenchPostgres } from "./postgres.ts";
import {
  formatBytes,
  freePort,
  gitDescription,
  processCpuSeconds,
  processRssBytes,
  sleep,
} from "./stats.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// ---------------------------------------------------------------- flags

type IntFlag = { type: "int"; default?: number; min?: number; arg?: string; help: string };
type NumberFlag = Omit<IntFlag, "type"> & { type: "number"; max?: number };
type TextFlag = { type: "string"; default?: string; arg?: string; help: string };
type BooleanFlag = { type: "boolean"; help: string };
export type FlagSpecs = Record<string, IntFlag | NumberFlag | TextFlag | BooleanFlag>;

/** --name N: a whole number ≥ min (`arg` names N in --help). */
export function int<D extends number | undefined>(help: string, dflt: D, min = 0, arg = "N") {
  return { type: "int" as const, help, default: dflt, min, arg };
}
/** --name X: a number in [min, max]. */
export function num(help: string, dflt: number, min: number, max: number, arg = "X") {
  return { type: "number" as const, help, default: dflt, min, max, arg };
}
/** --name TEXT. */
export function text(help: string, dflt: string, arg = "TEXT") {
  return { type: "string" as const, help, default: dflt, arg };
}
/** --name: a switch. */
export function bool(help: string) {
  return { type: "boolean" as const, help };
}

type ValueOf<S> = S extends BooleanFlag
  ? boolean
  : S extends TextFlag
    ? string
    : S extends { default: number }
      ? number
      : number | undefined;
export type FlagValues<F extends FlagSpecs> = { [K in keyof F]: ValueOf<F[K]> };

const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function usageText(specs: FlagSpecs, head: string): string {
  const lines = Object.entries(specs).map(([key, s]) => {
    const arg = s.type === "boolean" ? "" : ` ${s.arg ?? (s.type === "string" ? "TEXT" : "N")}`;
    const dflt = "default" in s && s.default !== undefined ? ` (default ${s.default})` : "";
    return `  ${`--${flagName(key)}${arg}`.padEnd(30)} ${s.help}${dflt}`;
  });
  return `${head}\n\n${lines.join("\n")}\n  --help                         this text`;
}

function parseFlags<F extends FlagSpecs>(specs: F, usage: string): FlagValues<F> {
  const fail = (message: string): never => {
    console.error(`${message}\n\n${usage}`);
    process.exit(2);
  };
  const options = Object.fromEntries([
    ...Object.entries(specs).map(([key, s]) => [
      flagName(key),
      { type: s.type === "boolean" ? ("boolean" as const) : ("string" as const) },
    ]),
    ["help", { type: "boolean" as const }],
  ]);
  let values: Record<string, string | boolean | undefined> = {};
  try {
    values = parseArgs({ options, strict: true }).values as typeof values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(specs)) {
    const raw = values[flagName(key)];
    if (s.type === "boolean") out[key] = raw === true;
    else if (s.type === "string") out[key] = raw ?? s.default;
    else if (raw === undefined) out[key] = s.default;
    else {
      const n = Number(raw);
      const max = s.type === "number" ? s.max : undefined;
      if (
        !(s.type === "int" ? Number.isInteger(n) : Number.isFinite(n)) ||
        (s.min !== undefined && n < s.min) ||
        (max !== undefined && n > max)
      ) {
        fail(
          `--${flagName(key)} must be ${s.type === "int" ? "a whole number" : "a number"}${s.min !== undefined ? ` ≥ ${s.min}` : ""}${max !== undefined ? ` and ≤ ${max}` : ""}.`,
        );
      }
      out[key] = n;
    }
  }
  return out as FlagValues<F>;
}

// ---------------------------------------------------------------- report

export type Verdict = "pass" | "FAIL" | "info";
export type Row = { metric: string; value: string; target: string; verdict: Verdict };

/** What a bench found: the table rows, the notes under it, and any further sections. */
export type Report = {
  rows: Row[];
  notes: string[];
  sections?: string[];
  /** Set when the run itself went wrong (not a missed target): printed, then exit code 1. */
  failure?: string;
};

export function markdownTable(rows: readonly Row[]): string {
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  const result = { pass: "✅ pass", FAIL: "❌ FAIL", info: "info" } as const;
  return [
    "| Metric | Value | Target | Result |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${escape(r.metric)} | ${escape(r.value)} | ${escape(r.target)} | ${result[r.verdict]} |`,
    ),
  ].join("\n");
}

// ---------------------------------------------------------------- lifecycle

export type BenchServer = {
  port: number;
  origin: string;
  pid: number | undefined;
  /** Date.now() just before the process was spawned. */
  startedAt: number;
  running(): boolean;
  cpuSeconds(): number;
  rssBytes(): number;
};

export type Bench<F extends FlagSpecs> = {
  flags: FlagValues<F & typeof COMMON_FLAGS & typeof SERVER_FLAGS>;
  log: (message: string) => void;
  /** The temporary folder (deleted at the end unless --keep-tmp). */
  tmpDir: string;
  /** A SQLite file in tmpDir, migrated; DATABASE_URL points at it from now on. */
  migratedDatabase(): { dbFile: string; databaseUrl: string; migrateSeconds: number };
  /**
   * A database on a throwaway PostgreSQL cluster, migrated (stopped at the
   * end, after the servers); DATABASE_URL and the nodes' shared environment
   * (receipt key, export directory) point at it from now on, in this process
   * and in every server started after.
   */
  migratedPostgres(): Promise<BenchPostgres>;
  /**
   * `node build/server.js` in production mode on the migrated database, once
   * healthy. Call it again for more nodes (on PostgreSQL); all are stopped
   * at the end.
   */
  startServer(env?: Record<string, string>): Promise<BenchServer>;
  /** Work for the clean-up, whatever the end (e.g. disconnect a Prisma client). */
  onCleanup(task: () => unknown): void;
  /** The timed window of the server's CPU profile (monotonic µs), with what it covers. */
  profileWindow?: { fromUs: number; toUs: number; label: string };
};

const COMMON_FLAGS = {
  maxMinutes: int("watchdog: give up after M minutes", 10, 1, "M"),
  keepTmp: bool("keep the temporary database and server log"),
};

const SERVER_FLAGS = {
  skipBuildCheck: bool("do not refuse a build older than app/ (or without the bench's routes)"),
  serverCpuProf: bool("run the server with --cpu-prof and summarise where its CPU went"),
};

export type BenchDefinition<F extends FlagSpecs> = {
  /** bench/<name>.ts, npm run bench:<name>, bench/results/<name>-latest.md */
  name: string;
  title: string;
  /** What it measures, for --help. */
  about: string;
  flags: F;
  maxMinutes: number;
  /** A route id the production build must contain when the bench starts a server. */
  serverRoute?: string;
  /** A problem with the flags together, or undefined. */
  checkFlags?: (flags: FlagValues<F>) => string | undefined;
  run: (bench: Bench<F>) => Promise<Report>;
};

function createLogger(): (message: string) => void {
  const started = performance.now();
  return (message) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    console.error(`[${seconds}s] ${message}`);
  };
}

/** SIGTERM (the server closes and exits within 5 s, writing its CPU profile), then SIGKILL. */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function printLogTail(file: string | undefined, lines = 30): void {
  if (!file || !existsSync(file)) return;
  const tail = readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines);
  console.error(`--- last ${tail.length} lines of the server log ---\n${tail.join("\n")}`);
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

/** Refuses a missing or stale production build (unless the check is turned off). */
function requireFreshBuild(route: string, script: string, check: boolean): void {
  const remixBuild = path.join(ROOT, "build/server/index.js");
  if (!existsSync(path.join(ROOT, "build/server.js")) || !existsSync(remixBuild)) {
    throw new Error(`No production build: run \`npm run build\` first (or \`npm run ${script}\`).`);
  }
  if (!check) return;
  if (!readFileSync(remixBuild, "utf8").includes(route)) {
    throw new Error(`The build has no ${route}: run \`npm run build\` again.`);
  }
  if (newestMtime(path.join(ROOT, "app")) > statSync(remixBuild).mtimeMs) {
    throw new Error(
      `app/ changed after the last build: run \`npm run build\` (or \`npm run ${script}\`), or pass --skip-build-check.`,
    );
  }
}

/** Waits until the server answers /healthz with 200 (30 s at most); fails if it exits first. */
async function waitForHealthy(child: ChildProcess, port: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited early (code ${child.exitCode}, ${child.signalCode}).`);
    }
    try {
      const res = await httpRequest({ port, path: "/healthz", timeoutMs: 2000 });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error("/healthz did not answer 200 in 30 s.");
    await sleep(200);
  }
}

/**
 * Runs one benchmark: flags, clean-up armed, `def.run`, then the report
 * (printed, written to bench/results/<name>-latest.md). Exits 0 when the
 * run completed (targets missed or not: the table says), 1 when it failed.
 */
export async function runBench<F extends FlagSpecs>(def: BenchDefinition<F>): Promise<never> {
  const specs: FlagSpecs = {
    ...def.flags,
    ...(def.serverRoute ? SERVER_FLAGS : {}),
    ...COMMON_FLAGS,
    maxMinutes: { ...COMMON_FLAGS.maxMinutes, default: def.maxMinutes },
  };
  const usage = usageText(
    specs,
    `Usage: npx tsx bench/${def.name}.ts [options]${def.serverRoute ? "   (after npm run build; npm run bench:" + def.name + " builds first)" : ""}\n\n${def.about}`,
  );
  const flags = parseFlags(specs, usage) as Bench<F>["flags"];
  const problem = def.checkFlags?.(flags);
  if (problem) {
    console.error(problem);
    process.exit(2);
  }

  const log = createLogger();
  const started = performance.now();
  const commit = gitDescription(ROOT);
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), `lull-bench-${def.name}-`));
  const serverLog = path.join(tmpDir, "server.log");
  const profileDir = path.join(tmpDir, "cpu-profile");
  const cleanupTasks: (() => unknown)[] = [];
  const children: ChildProcess[] = [];
  let databaseUrl: string | undefined;
  let sharedEnv: Record<string, string> = {};
  let cleaningUp: Promise<void> | undefined;
  const cleanup = () =>
    (cleaningUp ??= (async () => {
      await Promise.all(children.map(stopChild));
      for (const task of cleanupTasks.reverse()) await Promise.resolve(task()).catch(() => {});
      if (flags.keepTmp) log(`kept ${tmpDir} (database and server.log)`);
      else rmSync(tmpDir, { recursive: true, force: true });
    })());
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      log(`${signal}: stopping the server and exiting`);
      void cleanup().then(() => process.exit(130));
    });
  }
  setTimeout(() => {
    console.error(`Watchdog: the benchmark ran longer than ${flags.maxMinutes} minutes; aborting.`);
    printLogTail(serverLog);
    void cleanup().then(() => process.exit(1));
  }, flags.maxMinutes * 60_000).unref();

  const bench: Bench<F> = {
    flags,
    log,
    tmpDir,
    onCleanup: (task) => cleanupTasks.push(task),
    migratedDatabase() {
      const dbFile = path.join(tmpDir, "bench.db");
      const url = `file:${dbFile}`;
      databaseUrl = url;
      const t0 = performance.now();
      execFileSync("npx", ["prisma", "migrate", "deploy"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: url },
        stdio: "pipe",
      });
      // The app's modules read DATABASE_URL when first imported.
      process.env.DATABASE_URL = url;
      log(`migrated ${dbFile}`);
      return { dbFile, databaseUrl: url, migrateSeconds: (performance.now() - t0) / 1000 };
    },
    async migratedPostgres() {
      const postgres = await migratedPostgres(ROOT, tmpDir);
      cleanupTasks.push(postgres.stop);
      databaseUrl = postgres.databaseUrl;
      // Session secrets too: the same on every node (each server's own otherwise).
      sharedEnv = postgres.nodeEnv;
      const { SESSION_SECRET: _secret, ...forThisProcess } = postgres.nodeEnv;
      Object.assign(process.env, forThisProcess);
      log(`migrated ${postgres.databaseUrl} in ${postgres.migrateSeconds.toFixed(1)} s`);
      return postgres;
    },
    async startServer(env = {}) {
      if (process.env.DATABASE_URL !== databaseUrl || !databaseUrl) {
        throw new Error("startServer before migratedDatabase or migratedPostgres");
      }
      const port = await freePort(HOST);
      const logFd = openSync(serverLog, "a");
      log(`starting node build/server.js on ${HOST}:${port}`);
      // With several servers, each writes its own profile; the report summarises the first's.
      const nodeFlags = flags.serverCpuProf
        ? [
            "--cpu-prof",
            `--cpu-prof-dir=${profileDir}`,
            `--cpu-prof-name=server-${children.length}.cpuprofile`,
          ]
        : [];
      const startedAt = Date.now();
      const proc = spawn(process.execPath, [...nodeFlags, path.join(ROOT, "build/server.js")], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: "production",
          HOST,
          PORT: String(port),
          SESSION_SECRET: randomBytes(32).toString("hex"),
          ...sharedEnv,
          ...env,
        },
        stdio: ["ignore", logFd, logFd],
      });
      children.push(proc);
      closeSync(logFd);
      await waitForHealthy(proc, port);
      return {
        port,
        origin: `http://${HOST}:${port}`,
        pid: proc.pid,
        startedAt,
        running: () => proc.exitCode === null && proc.signalCode === null,
        cpuSeconds: () => processCpuSeconds(proc.pid),
        rssBytes: () => processRssBytes(proc.pid),
      };
    },
  };

  try {
    if (def.serverRoute)
      requireFreshBuild(def.serverRoute, `bench:${def.name}`, !flags.skipBuildCheck);
    const report = await def.run(bench);
    const notes = [
      `Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown CPU"}), ${formatBytes(os.totalmem())} RAM, Node ${process.version}; ${children.length ? `${children.length === 1 ? "one server process" : `${children.length} server processes`} (\`node build/server.js\`, NODE_ENV=production) and this client on the same machine; ` : ""}commit ${commit}; ${new Date().toISOString()}.`,
      ...report.notes,
    ];
    const profile: string[] = [];
    if (children.length) {
      await Promise.all(children.map(stopChild));
      const logText = existsSync(serverLog) ? readFileSync(serverLog, "utf8") : "";
      const warnings = logText.split("\n").filter((l) => /error|refused|warn/i.test(l));
      if (warnings.length) {
        notes.push(
          `Server log: ${warnings.length} error/warning lines, e.g. \`${warnings[0]!.slice(0, 200)}\`.`,
        );
      }
      if (flags.serverCpuProf) {
        if (children.length > 1) notes.push(`Server CPU profile: the first node's only.`);
        profile.push(...cpuProfileSection(profileDir, bench.profileWindow));
      }
    }
    const markdown = await format(
      [
        `# ${def.title}`,
        "",
        markdownTable(report.rows),
        "",
        ...notes.map((n) => `- ${n}`),
        "",
        ...(report.sections ?? []),
        ...profile,
        `Command: \`npx tsx bench/${def.name}.ts ${process.argv.slice(2).join(" ")}\``.replace(
          / `$/,
          "`",
        ),
        "",
      ].join("\n"),
      { parser: "markdown" },
    );
    console.log(markdown);
    mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
    writeFileSync(path.join(ROOT, `bench/results/${def.name}-latest.md`), markdown);
    log(
      `wrote bench/results/${def.name}-latest.md in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const missed = report.rows.filter((r) => r.verdict === "FAIL").map((r) => r.metric);
    if (missed.length) log(`targets missed: ${missed.join("; ")}`);
    if (report.failure) throw new Error(report.failure);
    await cleanup();
    process.exit(0);
  } catch (error) {
    if (stopping) await new Promise(() => {}); // the signal handler exits
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    printLogTail(serverLog);
    await cleanup();
    process.exit(1);
  }
}
