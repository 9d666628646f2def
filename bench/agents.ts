/**
 * Agent API benchmark: one server process (the production build) with N
 * simulated agents (default 1,000) connected over SSE, then the same agents
 * on long-poll, then batch ingestion next to raw better-sqlite3 in the same run.
 *
 *   npm run bench:agents                  (builds first)
 *   npx tsx bench/agents.ts --agents 100 --rounds 5 --idle-seconds 30
 *
 * Measures, against the issue's targets:
 * - propagation: a worker's "pause now" (POST /pauses, as the web app sends it)
 *   until each of that worker's agents has a state with collecting=false;
 *   p50/p95/p99 over every agent reception (target p99 < 1 s);
 * - idle cost: socket bytes (read + written: HTTP headers, bodies, chunk
 *   framing; not TCP/IP headers) per idle agent per hour (target < 2 KB);
 * - ingestion: events/s for 1,000-event batches over HTTP vs better-sqlite3
 *   writing the same rows into a copy of the same database (target ≥ 30 %).
 *
 * Everything runs on 127.0.0.1 against a fresh temporary SQLite database;
 * the server child is killed at the end, on errors, on SIGINT and by a watchdog.
 * Open files: this process holds one socket per agent and so does the
 * server, which is a separate process, so each needs `ulimit -n` above N
 * (plus some spare); the bench checks before it starts.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { format } from "prettier";
import {
  EventBatchSchema,
  type AgentEvent,
  type AgentState,
  type EventBatchResult,
} from "#app/agent-protocol/v1.ts";
import {
  HOST,
  LongPollAgent,
  SocketLedger,
  SseConnection,
  httpRequest,
  type BenchDevice,
  type HttpResult,
} from "./lib/agent-clients.ts";
import { summarizeCpuProfile } from "./lib/cpu-profile.ts";
import { rawIngest, snapshotDatabase, type RawBatch } from "./lib/raw-ingest.ts";
import {
  formatBytes,
  formatMs,
  formatRate,
  mapPool,
  markdownTable,
  sleep,
  summarize,
  type Row,
  type Summary,
} from "./lib/stats.ts";
import {
  freePort,
  gitDescription,
  monotonicUs,
  processCpuSeconds,
  processRssBytes,
} from "./lib/process-info.ts";
import {
  createLogger,
  guardBench,
  printLogTail,
  stopChild,
  waitForHealthy,
} from "./lib/lifecycle.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEMO_PASSWORD = "lull-demo-password";
const TARGET_P99_MS = 1000;
const TARGET_IDLE_BYTES_PER_HOUR = 2000;
const TARGET_INGEST_RATIO = 0.3;

// ---------------------------------------------------------------- options

const { values: flags } = parseArgs({
  options: {
    agents: { type: "string", default: "1000" },
    "devices-per-worker": { type: "string", default: "4" },
    rounds: { type: "string", default: "20" },
    "idle-seconds": { type: "string", default: "180" },
    "longpoll-idle-seconds": { type: "string", default: "60" },
    "longpoll-wait": { type: "string", default: "60" },
    "longpoll-stagger-seconds": { type: "string" },
    batches: { type: "string", default: "100" },
    "batch-size": { type: "string", default: "1000" },
    concurrency: { type: "string", default: "4" },
    "round-timeout-seconds": { type: "string", default: "10" },
    phases: { type: "string", default: "sse,longpoll,ingest" },
    gzip: { type: "boolean", default: false },
    "server-cpu-prof": { type: "boolean", default: false },
    "max-minutes": { type: "string", default: "12" },
    "keep-tmp": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (flags.help) {
  console.log(`Usage: npx tsx bench/agents.ts [options]   (after npm run build)
  --agents N                 simulated agents (default 1000)
  --devices-per-worker D     agents per worker (default 4)
  --rounds R                 pause rounds per transport (default 20; needs 2R+1 workers)
  --idle-seconds S           SSE idle window (default 180: a whole number of 60 s heartbeats)
  --longpoll-idle-seconds S  long-poll idle window (default 60 = one cycle)
  --longpoll-wait S          wait= of the long-poll (default 60)
  --longpoll-stagger-seconds S  spread the long-poll agents' first request over S s
                             (default: the wait, i.e. random phases; 0 = all at once)
  --batches M                timed ingestion batches (default 100)
  --batch-size B             events per batch (default 1000)
  --concurrency C            batches in flight (default 4)
  --round-timeout-seconds T  give up on an agent after T s (default 10)
  --phases list              any of sse,longpoll,ingest (default all)
  --gzip                     SSE clients send Accept-Encoding: gzip
  --server-cpu-prof          run the server with --cpu-prof and summarise where its CPU went
  --max-minutes M            watchdog (default 12)
  --keep-tmp                 keep the temporary database and server log`);
  process.exit(0);
}

function intFlag(name: keyof typeof flags, min: number): number {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be a whole number ≥ ${min}.`);
    process.exit(2);
  }
  return value;
}

const opts = {
  agents: intFlag("agents", 1),
  devicesPerWorker: intFlag("devices-per-worker", 1),
  rounds: intFlag("rounds", 0),
  idleSeconds: intFlag("idle-seconds", 1),
  longPollIdleSeconds: intFlag("longpoll-idle-seconds", 1),
  longPollWait: intFlag("longpoll-wait", 1),
  longPollStaggerSeconds:
    flags["longpoll-stagger-seconds"] === undefined
      ? Number(flags["longpoll-wait"])
      : intFlag("longpoll-stagger-seconds", 0),
  batches: intFlag("batches", 1),
  batchSize: intFlag("batch-size", 1),
  concurrency: intFlag("concurrency", 1),
  roundTimeoutMs: intFlag("round-timeout-seconds", 1) * 1000,
  maxMinutes: intFlag("max-minutes", 1),
  phases: new Set(
    String(flags.phases)
      .split(",")
      .map((p) => p.trim()),
  ),
  gzip: Boolean(flags.gzip),
  serverCpuProf: Boolean(flags["server-cpu-prof"]),
  keepTmp: Boolean(flags["keep-tmp"]),
};

// ---------------------------------------------------------------- process lifecycle

const benchStarted = performance.now();
const log = createLogger();

let server: ChildProcess | undefined;
let tmpDir: string | undefined;
let serverLog: string | undefined;
let cleaningUp: Promise<void> | undefined;

function stopServer(): Promise<void> {
  return stopChild(server);
}

function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    await stopServer();
    if (tmpDir) {
      if (opts.keepTmp) log(`kept ${tmpDir} (database and server.log)`);
      else rmSync(tmpDir, { recursive: true, force: true });
    }
  })();
  return cleaningUp;
}

guardBench({
  maxMinutes: opts.maxMinutes,
  cleanup,
  log,
  onWatchdog: () => printServerLogTail(),
});

function printServerLogTail(lines = 30) {
  printLogTail(serverLog, lines);
}

// ---------------------------------------------------------------- helpers

function openFileLimit(): number {
  const out = execFileSync("sh", ["-c", "ulimit -n"]).toString().trim();
  return out === "unlimited" ? Number.POSITIVE_INFINITY : Number(out);
}

/** A distinct documentation-range client address per enrollment (the server trusts the loopback proxy). */
function benchClientIp(i: number): string {
  return `198.18.${(i >> 8) & 255}.${i & 255}`;
}

/** Resolves after `ms`, or earlier via the returned cancel; never keeps the process alive. */
function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

type BenchWorker = { id: string; email: string; devices: BenchDevice[]; cookie?: string };

// ---------------------------------------------------------------- propagation

type RoundFailure = { worker: string; status: number; body: string };

/**
 * Times rounds of "worker starts a pause" → "each of the worker's agents has
 * a state with collecting=false". State events outside a round are ignored;
 * inside a round, a state for any other worker's agent is counted as spurious.
 */
class PropagationTracker {
  latencies: number[] = [];
  postMs: number[] = [];
  expected = 0;
  missing = 0;
  spurious = 0;
  failures: RoundFailure[] = [];
  private current:
    { workerId: string; t0: number; pending: Set<string>; done: () => void } | undefined;

  readonly onState = (device: BenchDevice, state: AgentState, receivedAt: number) => {
    const c = this.current;
    if (!c) return;
    if (device.workerId !== c.workerId) {
      this.spurious++;
      return;
    }
    if (!state.collecting && c.pending.delete(device.deviceId)) {
      this.latencies.push(receivedAt - c.t0);
      if (c.pending.size === 0) c.done();
    }
  };

  async round(
    worker: BenchWorker,
    startPause: (w: BenchWorker) => Promise<HttpResult>,
    timeoutMs: number,
  ): Promise<void> {
    const pending = new Set(worker.devices.map((d) => d.deviceId));
    let done = () => {};
    const allSeen = new Promise<void>((resolve) => (done = resolve));
    this.expected += pending.size;
    const t0 = performance.now();
    this.current = { workerId: worker.id, t0, pending, done };
    const res = await startPause(worker);
    this.postMs.push(performance.now() - t0);
    if (res.status >= 400) {
      this.failures.push({
        worker: worker.email,
        status: res.status,
        body: res.body.slice(0, 300),
      });
    }
    await Promise.race([allSeen, timeout(timeoutMs)]);
    this.missing += pending.size;
    this.current = undefined;
  }
}

// ---------------------------------------------------------------- events

const APPS = [
  "code",
  "firefox",
  "slack",
  "terminal",
  "libreoffice-writer",
  "thunderbird",
  "figma",
  "zoom",
];

function randomEvent(atMs: number): AgentEvent {
  const r = Math.random();
  const type: AgentEvent["type"] =
    r < 0.5 ? "keystroke" : r < 0.75 ? "click" : r < 0.95 ? "scroll" : "app_focus";
  const data: Record<string, unknown> =
    type === "keystroke"
      ? { count: 1 + Math.floor(Math.random() * 40) }
      : type === "click"
        ? { button: Math.random() < 0.9 ? "left" : "right" }
        : type === "scroll"
          ? { lines: Math.floor(Math.random() * 30) - 15 }
          : { windowCount: 1 + Math.floor(Math.random() * 5) };
  return {
    type,
    at: new Date(atMs).toISOString(),
    app: APPS[Math.floor(Math.random() * APPS.length)]!,
    data,
  };
}

/** `size` events spread over the last hour (5 s to 60 min ago), in time order. */
function buildEvents(size: number, nowMs: number): AgentEvent[] {
  const times = Array.from({ length: size }, () => nowMs - 5_000 - Math.random() * 3_595_000);
  times.sort((a, b) => a - b);
  return times.map(randomEvent);
}

// ---------------------------------------------------------------- main

async function main(): Promise<{ markdown: string }> {
  const rows: Row[] = [];
  const ingestWindowUs = { fromUs: 0, toUs: 0 };
  const notes: string[] = [];

  // Preconditions ----------------------------------------------------------
  const serverEntry = path.join(ROOT, "build/server.js");
  const remixBuild = path.join(ROOT, "build/server/index.js");
  if (!existsSync(serverEntry) || !existsSync(remixBuild)) {
    throw new Error("No production build: run `npm run build` first (or `npm run bench:agents`).");
  }
  if (!readFileSync(remixBuild, "utf8").includes("api.agent.v1")) {
    throw new Error("The build has no agent API routes: run `npm run build` again.");
  }
  const fdLimit = openFileLimit();
  const fdNeeded = opts.agents + 256;
  if (fdLimit < fdNeeded) {
    throw new Error(
      `ulimit -n is ${fdLimit}, but ${opts.agents} agents need about ${fdNeeded} open files in this ` +
        `process and as many again in the server (a separate process, same limit). ` +
        `Raise it first, e.g. \`ulimit -n ${Math.max(4096, fdNeeded * 2)}\`, or pass --agents ${Math.max(1, fdLimit - 256)}.`,
    );
  }

  const workerCount = Math.ceil(opts.agents / opts.devicesPerWorker);
  let rounds = opts.rounds;
  if (workerCount < 2 * rounds + 1) {
    rounds = Math.max(0, Math.floor((workerCount - 1) / 2));
    notes.push(
      `Only ${workerCount} workers: ${rounds} rounds per transport instead of ${opts.rounds} (each round needs a fresh worker).`,
    );
    log(notes[notes.length - 1]!);
  }

  // Database ---------------------------------------------------------------
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "lull-bench-agents-"));
  const dbFile = path.join(tmpDir, "bench.db");
  const databaseUrl = `file:${dbFile}`;
  log(`migrating and seeding ${dbFile}`);
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "pipe",
  });
  execFileSync("npx", ["tsx", "prisma/seed.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", DATABASE_URL: databaseUrl },
    stdio: "pipe",
  });

  // The app modules read DATABASE_URL when first imported.
  process.env.DATABASE_URL = databaseUrl;
  const { prisma } = await import("#app/utils/db.server.ts");
  const { hashPassword } = await import("#app/utils/password.server.ts");
  const { createEnrollmentCode } = await import("#app/models/device.server.ts");

  log(`creating ${workerCount} workers`);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const workers: BenchWorker[] = [];
  for (let start = 0; start < workerCount; start += 50) {
    const chunk = Array.from(
      { length: Math.min(50, workerCount - start) },
      (_, i) => start + i,
    ).map((i) =>
      prisma.user.create({
        data: {
          email: `bench-worker-${String(i).padStart(4, "0")}@lull.test`,
          name: `Bench Worker ${i}`,
          role: "WORKER",
          timezone: "UTC",
          password: { create: { hash: passwordHash } },
        },
        select: { id: true, email: true },
      }),
    );
    for (const user of await prisma.$transaction(chunk)) workers.push({ ...user, devices: [] });
  }

  // Enrollment codes (before the server starts) ----------------------------
  const slots = Array.from({ length: opts.agents }, (_, i) => ({
    worker: workers[Math.floor(i / opts.devicesPerWorker)]!,
    index: i,
  }));
  // All codes first, then every enrollment: writes from this process while the
  // server runs its transactions can fail them with SQLITE_BUSY_SNAPSHOT.
  log(`creating ${opts.agents} enrollment codes`);
  const codes: string[] = [];
  for (const { worker } of slots)
    codes.push((await createEnrollmentCode(worker.id, new Date())).code);
  await prisma.$disconnect();

  // Server -----------------------------------------------------------------
  const port = await freePort(HOST);
  serverLog = path.join(tmpDir, "server.log");
  const logFd = openSync(serverLog, "a");
  log(`starting node build/server.js on ${HOST}:${port}`);
  const profileDir = path.join(tmpDir, "cpu-profile");
  const nodeFlags = opts.serverCpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  server = spawn(process.execPath, [...nodeFlags, serverEntry], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: randomBytes(32).toString("hex"),
      // Enrollment is limited to 10 attempts a minute per client address; the
      // bench stands in for many machines behind a proxy (as the e2e suite does).
      TRUST_PROXY: "loopback",
    },
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  await waitForHealthy(server, port);
  const origin = `http://${HOST}:${port}`;

  // Enrollment ---
  log(`enrolling ${opts.agents} devices`);
  const enrollStarted = performance.now();
  const devices = await mapPool(slots, 8, async ({ worker, index }) => {
    const code = codes[index]!;
    const res = await httpRequest({
      port,
      method: "POST",
      path: "/api/agent/v1/enroll",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": benchClientIp(index) },
      body: JSON.stringify({
        code,
        deviceName: `bench-device-${index}`,
        platform: "linux",
        agentVersion: "bench-1",
      }),
      timeoutMs: 15_000,
    });
    if (res.status !== 201) {
      throw new Error(`Enrollment ${index} answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const body = JSON.parse(res.body) as { deviceId: string; token: string };
    const device: BenchDevice = { ...body, workerId: worker.id, index };
    worker.devices.push(device);
    return device;
  });
  const enrollSeconds = (performance.now() - enrollStarted) / 1000;
  log(`enrolled ${devices.length} devices in ${enrollSeconds.toFixed(1)} s`);

  const sseWorkers = workers.slice(0, rounds);
  const longPollWorkers = workers.slice(rounds, 2 * rounds);
  const ingestWorkerIds = new Set(workers.slice(2 * rounds).map((w) => w.id));

  // Sign in the workers who will pause (argon2 on the server: outside any timing).
  const pausingWorkers = [
    ...(opts.phases.has("sse") ? sseWorkers : []),
    ...(opts.phases.has("longpoll") ? longPollWorkers : []),
  ];
  log(`signing in ${pausingWorkers.length} workers`);
  await mapPool(pausingWorkers, 2, async (worker) => {
    const res = await httpRequest({
      port,
      method: "POST",
      path: "/login",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        email: worker.email,
        password: DEMO_PASSWORD,
        redirectTo: "",
      }).toString(),
      timeoutMs: 15_000,
    });
    const cookies = res.headers["set-cookie"] ?? [];
    if (res.status !== 302 || cookies.length === 0) {
      throw new Error(
        `Sign-in of ${worker.email} answered ${res.status}: ${res.body.slice(0, 300)}`,
      );
    }
    worker.cookie = cookies.map((c) => c.split(";")[0]).join("; ");
  });

  const startPause = (worker: BenchWorker) =>
    httpRequest({
      port,
      method: "POST",
      path: "/pauses",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: worker.cookie ?? "",
        Origin: origin,
      },
      body: "intent=start&durationMinutes=30",
      timeoutMs: 15_000,
    });

  const context = [
    `Agents: ${devices.length} (${workerCount} workers × up to ${opts.devicesPerWorker} devices), one server process (\`node build/server.js\`, NODE_ENV=production) and this client process on the same machine (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, commit ${gitDescription(ROOT)}, ${new Date().toISOString()}.`,
    `Enrollment: ${devices.length} devices in ${enrollSeconds.toFixed(1)} s (8 at a time).`,
  ];

  // SSE --------------------------------------------------------------------
  if (opts.phases.has("sse")) {
    const ledger = new SocketLedger();
    const tracker = new PropagationTracker();
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
    const connections = devices.map(
      (d) => new SseConnection(d, port, httpAgent, ledger, tracker.onState, opts.gzip),
    );
    log(`opening ${connections.length} SSE streams${opts.gzip ? " (Accept-Encoding: gzip)" : ""}`);
    const connectStarted = performance.now();
    const connectErrors: string[] = [];
    await mapPool(connections, 100, (c) =>
      c.connect(20_000).catch((error: unknown) => {
        connectErrors.push(error instanceof Error ? error.message : String(error));
      }),
    );
    const connected = connections.filter((c) => c.stateEvents > 0);
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const pausedAtStart = connected.filter((c) => c.lastState?.collecting === false).length;
    log(
      `${connected.length}/${connections.length} SSE streams up in ${connectSeconds.toFixed(1)} s` +
        (connectErrors.length ? ` (first error: ${connectErrors[0]})` : ""),
    );
    const encodings = [...new Set(connected.map((c) => c.encoding))].join(", ");
    context.push(
      `SSE: ${connected.length}/${connections.length} streams connected in ${connectSeconds.toFixed(1)} s (Content-Encoding: ${encodings}); server RSS with all streams open ${formatBytes(processRssBytes(server?.pid))}.` +
        (pausedAtStart ? ` ${pausedAtStart} agents were not collecting at connect.` : ""),
    );
    if (connected.length === 0) throw new Error("No SSE stream connected.");

    log(`SSE propagation: ${sseWorkers.length} rounds`);
    for (const worker of sseWorkers) {
      await tracker.round(worker, startPause, opts.roundTimeoutMs);
      await sleep(250);
    }
    rows.push(...propagationRows("SSE", tracker, sseWorkers.length));

    log(`SSE idle window: ${opts.idleSeconds} s`);
    await sleep(2000);
    const sum = (f: (c: SseConnection) => number) => connected.reduce((n, c) => n + f(c), 0);
    const bytes0 = ledger.totalBytes();
    const chunks0 = ledger.readChunks;
    const heartbeats0 = sum((c) => c.heartbeats);
    const states0 = sum((c) => c.stateEvents);
    const cpu0 = processCpuSeconds(server?.pid);
    await sleep(opts.idleSeconds * 1000);
    const idleBytes = ledger.totalBytes() - bytes0;
    const idleChunks = ledger.readChunks - chunks0;
    const heartbeats = sum((c) => c.heartbeats) - heartbeats0;
    const idleStates = sum((c) => c.stateEvents) - states0;
    const idleCpu = processCpuSeconds(server?.pid) - cpu0;
    const alive = connected.filter((c) => !c.closedByServer).length;
    const perAgentHour = (idleBytes / connected.length) * (3600 / opts.idleSeconds);
    const segmentsPerAgentHour = (idleChunks / connected.length) * (3600 / opts.idleSeconds);
    rows.push({
      metric: "Idle SSE agent: bytes per hour",
      value: `${formatBytes(perAgentHour)} (${Math.round(perAgentHour)} B; ${connected.length} streams × ${opts.idleSeconds} s; ${(heartbeats / connected.length).toFixed(2)} heartbeats and ${(idleStates / connected.length).toFixed(2)} state events per stream in the window)`,
      target: `< 2 KB (${TARGET_IDLE_BYTES_PER_HOUR} B)`,
      verdict: perAgentHour < TARGET_IDLE_BYTES_PER_HOUR ? "pass" : "FAIL",
    });
    notes.push(
      `Idle bytes are socket bytes read + written by the client (TCP payload: HTTP chunk framing and SSE text${opts.gzip ? ", gzip-compressed" : ""}). ` +
        `TCP/IP headers are not included: the idle SSE stream received about ${segmentsPerAgentHour.toFixed(0)} segments per agent per hour, which with ACKs adds roughly ${formatBytes(segmentsPerAgentHour * 2 * 52)} per agent per hour of IPv4/TCP headers on a real network (52 B per segment, one ACK each).`,
    );
    context.push(
      `SSE idle window: ${alive}/${connected.length} streams still open at the end; server CPU ${idleCpu.toFixed(2)} s over ${opts.idleSeconds} s (${((idleCpu / opts.idleSeconds) * 100).toFixed(1)} % of one core).`,
    );

    for (const c of connections) c.close();
    httpAgent.destroy();
    await sleep(1000);
  }

  // Long-poll --------------------------------------------------------------
  if (opts.phases.has("longpoll")) {
    const ledger = new SocketLedger();
    const tracker = new PropagationTracker();
    const agents = devices.map(
      (d) => new LongPollAgent(d, port, ledger, tracker.onState, opts.longPollWait, 1000),
    );
    log(
      `starting ${agents.length} long-poll agents (wait=${opts.longPollWait}, first requests spread over ${opts.longPollStaggerSeconds} s)`,
    );
    const startedAt = performance.now();
    // Real agents poll with random phases; starting them all at once would
    // line every poll up into one burst a minute (what a server restart does:
    // --longpoll-stagger-seconds 0 measures that).
    const staggerMs = opts.longPollStaggerSeconds * 1000;
    const starters = agents.map((a, i) =>
      setTimeout(() => a.start(), (i / agents.length) * staggerMs),
    );
    await Promise.race([Promise.all(agents.map((a) => a.ready)), timeout(staggerMs + 30_000)]);
    const ready = agents.filter((a) => a.etag !== undefined);
    log(
      `${ready.length}/${agents.length} long-poll agents have a state after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    );
    if (ready.length === 0) throw new Error("No long-poll agent got a state.");

    log(`long-poll idle window: ${opts.longPollIdleSeconds} s`);
    await sleep(2000);
    const sumCounter = (f: (a: LongPollAgent) => number) => agents.reduce((n, a) => n + f(a), 0);
    const bytes0 = ledger.totalBytes();
    const written0 = ledger.writtenBytes();
    const polls0 = sumCounter((a) => a.counters.notModified + a.counters.ok);
    const cpu0 = processCpuSeconds(server?.pid);
    await sleep(opts.longPollIdleSeconds * 1000);
    const idleBytes = ledger.totalBytes() - bytes0;
    const idleWritten = ledger.writtenBytes() - written0;
    const polls = sumCounter((a) => a.counters.notModified + a.counters.ok) - polls0;
    const idleCpu = processCpuSeconds(server?.pid) - cpu0;
    const perAgentHour = (idleBytes / agents.length) * (3600 / opts.longPollIdleSeconds);
    rows.push({
      metric: "Idle long-poll agent: bytes per hour",
      value: `${formatBytes(perAgentHour)} (${Math.round(perAgentHour)} B; ${agents.length} agents × ${opts.longPollIdleSeconds} s, ${(polls / agents.length).toFixed(2)} answers per agent, ${Math.round(polls ? idleBytes / polls : Number.NaN)} B per cycle: request ${Math.round(polls ? idleWritten / polls : Number.NaN)} B + answer ${Math.round(polls ? (idleBytes - idleWritten) / polls : Number.NaN)} B)`,
      target: "2 KB target is for SSE; shown for comparison",
      verdict: "info",
    });
    context.push(
      `Long-poll: first requests spread over ${opts.longPollStaggerSeconds} s; idle window server CPU ${idleCpu.toFixed(2)} s over ${opts.longPollIdleSeconds} s (${((idleCpu / opts.longPollIdleSeconds) * 100).toFixed(1)} % of one core, ${formatMs(polls ? (idleCpu * 1000) / polls : Number.NaN)} per answered poll incl. the next request).`,
    );

    log(`long-poll propagation: ${longPollWorkers.length} rounds`);
    for (const worker of longPollWorkers) {
      await tracker.round(worker, startPause, opts.roundTimeoutMs);
      await sleep(250);
    }
    rows.push(...propagationRows("Long-poll", tracker, longPollWorkers.length));
    for (const t of starters) clearTimeout(t);
    await Promise.all(agents.map((a) => a.stop()));
    const errors = sumCounter((a) => a.counters.errors);
    if (errors) {
      const example = agents.find((a) => a.counters.errors)?.counters.lastError;
      context.push(`Long-poll: ${errors} failed requests (e.g. ${example}).`);
    }
  }

  // Ingestion --------------------------------------------------------------
  if (opts.phases.has("ingest")) {
    const ingestDevices = devices.filter((d) => ingestWorkerIds.has(d.workerId));
    if (ingestDevices.length === 0) throw new Error("No devices left for ingestion.");
    const rawFullFile = path.join(tmpDir, "raw-full.db");
    const rawEventsFile = path.join(tmpDir, "raw-events.db");
    snapshotDatabase(dbFile, rawFullFile);
    snapshotDatabase(dbFile, rawEventsFile);

    const nowMs = Date.now();
    const warmup = 2;
    const batches: RawBatch[] = Array.from({ length: warmup + opts.batches }, (_, i) => {
      const device = ingestDevices[i % ingestDevices.length]!;
      return {
        deviceId: device.deviceId,
        workerId: device.workerId,
        batchId: randomUUID(),
        events: buildEvents(opts.batchSize, nowMs),
      };
    });
    const tokens = new Map(ingestDevices.map((d) => [d.deviceId, d.token]));
    const bodies = batches.map((b) => JSON.stringify({ batchId: b.batchId, events: b.events }));
    const meanBodyBytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / bodies.length;

    // The server's own CPU work per batch before it touches the database, in this process.
    for (const body of bodies.slice(0, 3)) EventBatchSchema.parse(JSON.parse(body));
    const parseStarted = performance.now();
    for (const body of bodies.slice(0, 10)) EventBatchSchema.parse(JSON.parse(body));
    const parseMs = (performance.now() - parseStarted) / Math.min(10, bodies.length);

    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
    const results: { status: number; ms: number; stored: number; body: string }[] = [];
    const post = async (index: number) => {
      const batch = batches[index]!;
      const res = await httpRequest({
        port,
        method: "POST",
        path: "/api/agent/v1/events",
        headers: {
          Authorization: `Bearer ${tokens.get(batch.deviceId)}`,
          "Content-Type": "application/json",
        },
        body: bodies[index]!,
        agent: httpAgent,
        timeoutMs: 60_000,
      });
      const stored = res.status === 200 ? (JSON.parse(res.body) as EventBatchResult).stored : 0;
      return { status: res.status, ms: res.ms, stored, body: res.body.slice(0, 300) };
    };
    log(
      `ingestion: ${warmup} warm-up batches, then ${opts.batches} × ${opts.batchSize} events, ${opts.concurrency} in flight`,
    );
    for (let i = 0; i < warmup; i++) await post(i);
    const cpu0 = processCpuSeconds(server?.pid);
    ingestWindowUs.fromUs = monotonicUs();
    const ingestStarted = performance.now();
    results.push(
      ...(await mapPool(
        Array.from({ length: opts.batches }, (_, i) => warmup + i),
        opts.concurrency,
        post,
      )),
    );
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    ingestWindowUs.toUs = monotonicUs();
    const ingestCpu = processCpuSeconds(server?.pid) - cpu0;
    httpAgent.destroy();
    const stored = results.reduce((n, r) => n + r.stored, 0);
    const failed = results.filter((r) => r.status !== 200);
    const httpRate = stored / ingestSeconds;
    const latency = summarize(results.map((r) => r.ms));

    log("raw better-sqlite3 baseline");
    const timed = batches.slice(warmup);
    const rawFull = rawIngest(rawFullFile, timed, "full");
    const rawEvents = rawIngest(rawEventsFile, timed, "events");
    const rawFullRate = rawFull.events / rawFull.seconds;
    const rawEventsRate = rawEvents.events / rawEvents.seconds;
    const ratio = httpRate / rawFullRate;

    const check = new Database(dbFile, { readonly: true });
    const eventRows = (check.prepare(`SELECT count(*) AS n FROM "Event"`).get() as { n: number }).n;
    check.close();

    rows.push(
      {
        metric: `Ingestion over HTTP (${opts.batchSize}-event batches)`,
        value: `${formatRate(httpRate)} (${stored.toLocaleString("en-US")} events stored in ${ingestSeconds.toFixed(2)} s; batch latency p50 ${formatMs(latency.p50)}, p95 ${formatMs(latency.p95)}; ${failed.length} failed)`,
        target: "—",
        verdict: "info",
      },
      {
        metric: "Raw better-sqlite3, same rows (Event + EventRollup + Device + EventBatch)",
        value: `${formatRate(rawFullRate)} (${rawFull.seconds.toFixed(2)} s)`,
        target: "baseline",
        verdict: "info",
      },
      {
        metric: "Ingestion HTTP / raw (same rows)",
        value: `${(ratio * 100).toFixed(1)} %`,
        target: "≥ 30 %",
        verdict: ratio >= TARGET_INGEST_RATIO && failed.length === 0 ? "pass" : "FAIL",
      },
      {
        metric: "Raw better-sqlite3, Event rows only",
        value: `${formatRate(rawEventsRate)} (HTTP is ${((httpRate / rawEventsRate) * 100).toFixed(1)} % of it)`,
        target: "—",
        verdict: "info",
      },
    );
    context.push(
      `Ingestion: ${opts.batches} timed batches over ${Math.min(opts.batches, ingestDevices.length)} devices of ${ingestWorkerIds.size} workers with no pauses, ${opts.concurrency} in flight, mean body ${formatBytes(meanBodyBytes)} (identity encoding); server CPU ${ingestCpu.toFixed(2)} s in ${ingestSeconds.toFixed(2)} s; JSON.parse + Zod of one batch takes ${formatMs(parseMs)} in the bench process; Event rows in the server database afterwards: ${eventRows.toLocaleString("en-US")} (incl. ${warmup} warm-up batches).`,
    );
    if (failed.length) {
      context.push(
        `Ingestion failures: ${failed.length}, first: ${failed[0]!.status} ${failed[0]!.body}`,
      );
    }
  }

  // Server log -------------------------------------------------------------
  const logText = serverLog && existsSync(serverLog) ? readFileSync(serverLog, "utf8") : "";
  const errorLines = logText.split("\n").filter((l) => /error|refused|warn/i.test(l));
  if (errorLines.length) {
    context.push(
      `Server log: ${errorLines.length} error/warning lines, e.g. \`${errorLines[0]!.slice(0, 200)}\`.`,
    );
  }

  const profileSection: string[] = [];
  if (opts.serverCpuProf) {
    await stopServer();
    const file = existsSync(profileDir)
      ? readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"))
      : undefined;
    if (file) {
      const p = summarizeCpuProfile(
        path.join(profileDir, file),
        ingestWindowUs.toUs ? ingestWindowUs : undefined,
      );
      const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
      profileSection.push(
        `## Server CPU profile (${p.windowed ? "timed ingestion only" : "whole server lifetime"}, idle excluded)`,
        "",
        `Busy CPU: ${(p.busyMs / 1000).toFixed(2)} s.`,
        "",
        "| Area | CPU | Share |",
        "| --- | --- | --- |",
        ...p.areas.map((a) => `| ${a.name} | ${formatMs(a.ms)} | ${pct(a.share)} |`),
        "",
        "| Function (self time) | CPU | Share |",
        "| --- | --- | --- |",
        ...p.functions.map(
          (f) => `| \`${f.name.replace(/\|/g, "\\|")}\` | ${formatMs(f.ms)} | ${pct(f.share)} |`,
        ),
        "",
      );
    } else {
      profileSection.push("No server CPU profile was written.", "");
    }
  }

  const markdown = [
    "# Agent API benchmark",
    "",
    markdownTable(rows),
    "",
    ...context.map((c) => `- ${c}`),
    ...notes.map((n) => `- ${n}`),
    "",
    ...profileSection,
    `Command: \`npx tsx bench/agents.ts ${process.argv.slice(2).join(" ")}\``.replace(/ `$/, "`"),
    "",
  ].join("\n");
  return { markdown };
}

function propagationRows(label: string, tracker: PropagationTracker, rounds: number): Row[] {
  const s: Summary = summarize(tracker.latencies);
  const post = summarize(tracker.postMs);
  const complete = tracker.missing === 0 && tracker.failures.length === 0 && s.count > 0;
  const rows: Row[] = [
    {
      metric: `${label} propagation, pause → every agent of the worker`,
      value: `p50 ${formatMs(s.p50)} · p95 ${formatMs(s.p95)} · p99 ${formatMs(s.p99)} · max ${formatMs(s.max)} (${s.count}/${tracker.expected} agents, ${rounds} rounds${tracker.missing ? `, ${tracker.missing} never saw it` : ""})`,
      target: "p99 < 1 s",
      verdict: complete && s.p99 < TARGET_P99_MS ? "pass" : "FAIL",
    },
    {
      metric: `${label} rounds: POST /pauses response time`,
      value: `p50 ${formatMs(post.p50)} · max ${formatMs(post.max)}; state events to other workers' agents during rounds: ${tracker.spurious}`,
      target: "—",
      verdict: "info",
    },
  ];
  if (tracker.failures.length) {
    const f = tracker.failures[0]!;
    rows.push({
      metric: `${label} rounds refused by the server`,
      value: `${tracker.failures.length}; first: ${f.status} for ${f.worker}: ${f.body.replace(/\s+/g, " ").slice(0, 160)}`,
      target: "0",
      verdict: "FAIL",
    });
  }
  return rows;
}

try {
  // Formatted like the rest of the repository, so `prettier --check .` passes.
  const markdown = await format((await main()).markdown, { parser: "markdown" });
  console.log(markdown);
  const resultsDir = path.join(ROOT, "bench/results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, "agents-latest.md"), markdown);
  log(
    `wrote bench/results/agents-latest.md in ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`,
  );
  await cleanup();
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  printServerLogTail();
  await cleanup();
  process.exit(1);
}
