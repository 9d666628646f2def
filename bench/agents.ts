/**
 * Agent API benchmark: one server process (the production build) with N
 * simulated agents (default 1,000) connected over SSE, then the same agents
 * on long-poll, then batch ingestion next to raw better-sqlite3 in the same run.
 * With --nodes N (N ≥ 2; issue 18) it runs N nodes on one PostgreSQL
 * database instead (default 2,000 agents): agent i streams from node i mod N,
 * every pause is posted to node 0 (so receptions on the other nodes go
 * through LISTEN/NOTIFY; those on node 0 are the same-run baseline), batches
 * go round the nodes, and the raw baseline is `pg` on a copy of the database.
 *
 *   npm run bench:agents                  (builds first)
 *   npm run bench:agents -- --nodes 2
 *   npx tsx bench/agents.ts --agents 40 --rounds 3 --idle-seconds 10 --longpoll-idle-seconds 10 --longpoll-wait 10 --batches 10 --batch-size 200
 *
 * Measures, against the issue's targets:
 * - propagation: a worker's "pause now" (POST /pauses, as the web app sends it)
 *   until each of that worker's agents has a state with collecting=false;
 *   p50/p95/p99 over every agent reception (target p99 < 1 s);
 * - idle cost: socket bytes (read + written: HTTP headers, bodies, chunk
 *   framing; not TCP/IP headers) per idle agent per hour (target < 2 KB);
 * - ingestion: events/s for 1,000-event batches over HTTP vs better-sqlite3
 *   (PostgreSQL: `pg`) writing the same rows into a copy of the same
 *   database (target ≥ 30 %).
 *
 * Open files: this process holds one socket per agent and so do the
 * servers (each its share), so each needs `ulimit -n` above N (plus some
 * spare); checked first.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import {
  EventBatchSchema,
  type AgentState,
  type EventBatchResult,
} from "#app/agent-protocol/v1.ts";
import {
  LongPollAgent,
  SocketLedger,
  SseConnection,
  buildEvents,
  enrollAgents,
  uploadBatch,
  type BenchDevice,
} from "./lib/agent-clients.ts";
import { ROOT, bool, int, runBench, text, type BenchServer, type Row } from "./lib/harness.ts";
import { httpRequest, signIn, type HttpResult } from "./lib/http.ts";
import { copyRows, rawIngestPostgres } from "./lib/raw-ingest-postgres.ts";
import { rawIngest, snapshotDatabase, type RawBatch } from "./lib/raw-ingest.ts";
import { enrollmentCodes } from "./lib/seed.ts";
import {
  fmtInt,
  formatBytes,
  formatMs,
  formatRate,
  mapPool,
  monotonicUs,
  sleep,
  summarize,
} from "./lib/stats.ts";

const DEMO_PASSWORD = "lull-demo-password";
const TARGET_P99_MS = 1000;
const TARGET_IDLE_BYTES_PER_HOUR = 2000;
const TARGET_INGEST_RATIO = 0.3;

type BenchWorker = {
  id: string;
  email: string;
  name: string;
  devices: BenchDevice[];
  cookie?: string;
};

/** Event rows in the servers' database. */
async function countEvents(databaseUrl: string, dbFile: string): Promise<number> {
  if (dbFile) {
    const check = new Database(dbFile, { readonly: true });
    const { n } = check.prepare(`SELECT count(*) AS n FROM "Event"`).get() as { n: number };
    check.close();
    return n;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Event"`);
  await client.end();
  return rows[0]!.n;
}

/**
 * Replaces the organisation-wide private-app list with `n` patterns (half exact names, half
 * `*` patterns) that match none of the bench's applications.
 */
async function setOrganisationPrivateApps(databaseUrl: string, dbFile: string, n: number) {
  const patterns = Array.from({ length: n }, (_, i) =>
    i % 2 === 0 ? `private tool ${i}` : `*private-portal-${i}*`,
  );
  const now = new Date().toISOString();
  if (dbFile) {
    const stored = now.replace("Z", "+00:00"); // as the app's adapter writes times
    const db = new Database(dbFile);
    db.pragma("busy_timeout = 10000");
    db.transaction(() => {
      db.prepare(`DELETE FROM "PrivateApp" WHERE "workerId" IS NULL`).run();
      const insert = db.prepare(
        `INSERT INTO "PrivateApp" ("id", "workerId", "pattern", "label", "createdAt") VALUES (?, NULL, ?, ?, ?)`,
      );
      for (const p of patterns) insert.run(randomUUID(), p, p, stored);
    })();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`DELETE FROM "PrivateApp" WHERE "workerId" IS NULL`);
  for (const p of patterns) {
    await client.query(
      `INSERT INTO "PrivateApp" ("id", "workerId", "pattern", "label", "createdAt") VALUES ($1, NULL, $2, $2, $3::timestamp(3))`,
      [randomUUID(), p, now],
    );
  }
  await client.query("COMMIT");
  await client.end();
}

/** Resolves after `ms`; never keeps the process alive. */
function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Times rounds of "worker starts a pause" → "each of the worker's agents has
 * a state with collecting=false". State events outside a round are ignored;
 * inside a round, a state for any other worker's agent is counted as spurious.
 */
class PropagationTracker {
  latencies: number[] = [];
  /** With several nodes: the receptions on node 0 (where pauses are posted) and on the others. */
  sameNode: number[] = [];
  otherNodes: number[] = [];
  postMs: number[] = [];
  expected = 0;
  missing = 0;
  spurious = 0;
  failures: { worker: string; status: number; body: string }[] = [];
  private current:
    { workerId: string; t0: number; pending: Set<string>; done: () => void } | undefined;

  /** `nodeOf(device)`: the node the device is connected to (0 = the one pauses are posted to). */
  constructor(private readonly nodeOf: (device: BenchDevice) => number = () => 0) {}

  readonly onState = (device: BenchDevice, state: AgentState, receivedAt: number) => {
    const c = this.current;
    if (!c) return;
    if (device.workerId !== c.workerId) {
      this.spurious++;
      return;
    }
    if (!state.collecting && c.pending.delete(device.deviceId)) {
      this.latencies.push(receivedAt - c.t0);
      (this.nodeOf(device) === 0 ? this.sameNode : this.otherNodes).push(receivedAt - c.t0);
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

  rows(label: string, rounds: number, nodes = 1): Row[] {
    const s = summarize(this.latencies);
    const post = summarize(this.postMs);
    const complete = this.missing === 0 && this.failures.length === 0 && s.count > 0;
    const percentiles = (x: ReturnType<typeof summarize>) =>
      `p50 ${formatMs(x.p50)} · p95 ${formatMs(x.p95)} · p99 ${formatMs(x.p99)} · max ${formatMs(x.max)}`;
    const rows: Row[] = [
      {
        metric: `${label} propagation, pause → every agent of the worker${nodes > 1 ? `, agents on ${nodes} nodes` : ""}`,
        value: `${percentiles(s)} (${s.count}/${this.expected} agents, ${rounds} rounds${this.missing ? `, ${this.missing} never saw it` : ""})`,
        target: "p99 < 1 s",
        verdict: complete && s.p99 < TARGET_P99_MS ? "pass" : "FAIL",
      },
    ];
    if (nodes > 1) {
      const same = summarize(this.sameNode);
      const other = summarize(this.otherNodes);
      rows.push(
        {
          metric: `${label} baseline: agents on node 0, where the pause is posted (in process)`,
          value: `${percentiles(same)} (${same.count} receptions, same rounds)`,
          target: "baseline",
          verdict: "info",
        },
        {
          metric: `${label}: agents on ${nodes > 2 ? `nodes 1…${nodes - 1}` : "node 1"} (through LISTEN/NOTIFY)`,
          value: `${percentiles(other)} (${other.count} receptions; p50 ${formatMs(other.p50 - same.p50)} over the baseline)`,
          target: "p99 < 1 s",
          verdict: other.count > 0 && other.p99 < TARGET_P99_MS ? "pass" : "FAIL",
        },
      );
    }
    rows.push({
      metric: `${label} rounds: POST /pauses response time`,
      value: `p50 ${formatMs(post.p50)} · max ${formatMs(post.max)}; state events to other workers' agents during rounds: ${this.spurious}`,
      target: "—",
      verdict: "info",
    });
    const f = this.failures[0];
    if (f) {
      rows.push({
        metric: `${label} rounds refused by the server`,
        value: `${this.failures.length}; first: ${f.status} for ${f.worker}: ${f.body.replace(/\s+/g, " ").slice(0, 160)}`,
        target: "0",
        verdict: "FAIL",
      });
    }
    return rows;
  }
}

await runBench({
  name: "agents",
  title: "Agent API benchmark",
  about:
    "N simulated agents against one production server (or --nodes N on PostgreSQL): pause propagation over SSE and long-poll (p99 < 1 s), idle SSE bytes per agent per hour (< 2 KB), and ingestion over HTTP against raw better-sqlite3 (or pg) writing the same rows (≥ 30 %).",
  serverRoute: "routes/api.agent.v1.events",
  maxMinutes: 12,
  flags: {
    nodes: int(
      "app nodes; 2 or more run on PostgreSQL (agent i on node i mod N, pauses posted to node 0)",
      1,
      1,
    ),
    postgres: bool("one node on PostgreSQL (what --nodes 2+ implies)"),
    agents: int("simulated agents (default 1,000; 2,000 on several nodes)", undefined, 1),
    devicesPerWorker: int("agents per worker", 4, 1, "D"),
    rounds: int("pause rounds per transport (needs 2R+1 workers)", 20, 0, "R"),
    idleSeconds: int("SSE idle window (a whole number of 60 s heartbeats)", 180, 1, "S"),
    longpollIdleSeconds: int("long-poll idle window (one cycle)", 60, 1, "S"),
    longpollWait: int("wait= of the long-poll", 60, 1, "S"),
    longpollStaggerSeconds: int(
      "spread the long-poll agents' first request over S s (default: the wait, i.e. random phases; 0 = all at once)",
      undefined,
      0,
      "S",
    ),
    batches: int("timed ingestion batches", 100, 1, "M"),
    batchSize: int("events per batch", 1000, 1, "B"),
    concurrency: int("batches in flight", 4, 1, "C"),
    roundTimeoutSeconds: int("give up on an agent after T s", 10, 1, "T"),
    phases: text("phases to run", "sse,longpoll,ingest,private-apps", "LIST"),
    privateApps: int(
      "organisation-wide private-app patterns in the private-apps phase (ADR 0041)",
      50,
      1,
      "N",
    ),
    privateAppRounds: int(
      "A/B rounds of the private-apps phase (each: no list, then the list)",
      4,
      1,
      "K",
    ),
    gzip: bool("SSE clients send Accept-Encoding: gzip"),
  },
  async run(bench) {
    const f = bench.flags;
    const log = bench.log;
    const onPostgres = f.nodes > 1 || f.postgres;
    const agentCount = f.agents ?? (f.nodes > 1 ? 2000 : 1000);
    const phases = new Set(f.phases.split(",").map((p) => p.trim()));
    const stagger = f.longpollStaggerSeconds ?? f.longpollWait;
    const rows: Row[] = [];
    const notes: string[] = [];

    const ulimit = execFileSync("sh", ["-c", "ulimit -n"]).toString().trim();
    const fdLimit = ulimit === "unlimited" ? Number.POSITIVE_INFINITY : Number(ulimit);
    const fdNeeded = agentCount + 256;
    if (fdLimit < fdNeeded) {
      throw new Error(
        `ulimit -n is ${fdLimit}, but ${agentCount} agents need about ${fdNeeded} open files in this ` +
          `process and their share again in each server (separate processes, same limit). ` +
          `Raise it first, e.g. \`ulimit -n ${Math.max(4096, fdNeeded * 2)}\`, or pass --agents ${Math.max(1, fdLimit - 256)}.`,
      );
    }
    const workerCount = Math.ceil(agentCount / f.devicesPerWorker);
    let rounds = f.rounds;
    if (workerCount < 2 * rounds + 1) {
      rounds = Math.max(0, Math.floor((workerCount - 1) / 2));
      notes.push(
        `Only ${workerCount} workers: ${rounds} rounds per transport instead of ${f.rounds} (each round needs a fresh worker).`,
      );
      log(notes[notes.length - 1]!);
    }

    // Database: migrated, the demo seed, the bench's workers and their codes ------
    const postgres = onPostgres ? await bench.migratedPostgres() : undefined;
    const dbFile = postgres ? "" : bench.migratedDatabase().dbFile;
    const databaseUrl = process.env.DATABASE_URL!;
    execFileSync("npx", ["tsx", "prisma/seed.ts"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "test", DATABASE_URL: databaseUrl },
      stdio: "pipe",
    });
    const { prisma } = await import("#app/utils/db.server.ts");
    const { hashPassword } = await import("#app/utils/password.server.ts");
    log(`creating ${workerCount} workers`);
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const workers: BenchWorker[] = [];
    for (let start = 0; start < workerCount; start += 50) {
      const chunk = Array.from({ length: Math.min(50, workerCount - start) }, (_, k) => {
        const i = start + k;
        return prisma.user.create({
          data: {
            email: `bench-worker-${String(i).padStart(4, "0")}@lull.test`,
            name: `Bench Worker ${i}`,
            role: "WORKER",
            timezone: "UTC",
            password: { create: { hash: passwordHash } },
          },
          select: { id: true, email: true, name: true },
        });
      });
      for (const user of await prisma.$transaction(chunk)) workers.push({ ...user, devices: [] });
    }
    // The demo seed publishes the monitoring notice, and nothing is collected from a worker
    // who has not signed it (the acknowledgement gate): the bench's workers sign it first.
    const { MONITORING_NOTICE_SLUG } = await import("#app/domain/acknowledgement-rules.ts");
    const { getCurrentDocument } = await import("#app/models/policy-document.server.ts");
    const { signDocument } = await import("#app/models/acknowledgement.server.ts");
    const notice = await getCurrentDocument(MONITORING_NOTICE_SLUG);
    for (const w of notice ? workers : []) {
      const signed = await signDocument({
        worker: w,
        documentId: notice!.id,
        signedName: w.name,
        ip: null,
        userAgent: "bench",
        now: new Date(),
      });
      if (!signed.ok)
        throw new Error(`${w.email} could not sign the notice: ${signed.refusal.message}`);
    }
    const owners = Array.from(
      { length: agentCount },
      (_, i) => workers[Math.floor(i / f.devicesPerWorker)]!,
    );
    log(`creating ${agentCount} enrollment codes`);
    const codes = await enrollmentCodes(owners.map((w) => w.id));
    // The raw pg baselines' copies: PostgreSQL copies a database nobody is connected to.
    if (postgres) await (await import("#app/utils/db.server.ts")).postgresPool()?.end();
    const rawUrls =
      postgres && phases.has("ingest")
        ? {
            full: await postgres.copyDatabase("lull_raw_full"),
            unnest: await postgres.copyDatabase("lull_raw_unnest"),
            events: await postgres.copyDatabase("lull_raw_events"),
          }
        : undefined;

    // Servers, enrollment, sign-in --------------------------------------------------
    const servers: BenchServer[] = [];
    for (let i = 0; i < f.nodes; i++) {
      servers.push(await bench.startServer({ TRUST_PROXY: "loopback" }));
    }
    const server = servers[0]!;
    const port = server.port;
    /** The node an agent talks to: agent i on node i mod N. */
    const nodeIndex = (d: BenchDevice) => d.index % servers.length;
    const portOf = (d: BenchDevice) => servers[nodeIndex(d)]!.port;
    const serversCpu = () => servers.reduce((n, s) => n + s.cpuSeconds(), 0);
    const serversRss = () => servers.reduce((n, s) => n + s.rssBytes(), 0);
    log(`enrolling ${agentCount} devices`);
    const enrollStarted = performance.now();
    const devices = await enrollAgents(
      port,
      owners.map((w, i) => ({ workerId: w.id, code: codes[i]! })),
    );
    devices.forEach((d, i) => owners[i]!.devices.push(d));
    const enrollSeconds = (performance.now() - enrollStarted) / 1000;
    log(`enrolled ${devices.length} devices in ${enrollSeconds.toFixed(1)} s`);

    const sseWorkers = workers.slice(0, rounds);
    const longPollWorkers = workers.slice(rounds, 2 * rounds);
    const ingestWorkerIds = new Set(workers.slice(2 * rounds).map((w) => w.id));
    // Sign in the workers who will pause (argon2 on the server: outside any timing).
    const pausing = [
      ...(phases.has("sse") ? sseWorkers : []),
      ...(phases.has("longpoll") ? longPollWorkers : []),
    ];
    log(`signing in ${pausing.length} workers`);
    await mapPool(pausing, 2, async (w) => {
      w.cookie = await signIn(port, w.email, DEMO_PASSWORD);
    });
    const startPause = (worker: BenchWorker) =>
      httpRequest({
        port,
        method: "POST",
        path: "/pauses",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Cookie: worker.cookie ?? "",
          Origin: server.origin,
        },
        body: "intent=start&durationMinutes=30",
        timeoutMs: 15_000,
      });
    const context = [
      ...(postgres
        ? [
            `PostgreSQL (${f.nodes} node${f.nodes > 1 ? "s" : ""}): a throwaway cluster on this machine (test/postgres-cluster.ts: fsync off, synchronous_commit off), migrated with \`npm run db:migrate\` in ${postgres.migrateSeconds.toFixed(1)} s and seeded; every node with the same SESSION_SECRET, RECEIPT_SIGNING_KEY and EXPORT_DIR and the default pool (DATABASE_POOL_SIZE 10). Agent i talks to node i mod ${f.nodes}; enrollment, sign-in and every POST /pauses go to node 0.`,
          ]
        : []),
      `Agents: ${devices.length} (${workerCount} workers × up to ${f.devicesPerWorker} devices), driven from this one client process.`,
      `Enrollment: ${devices.length} devices in ${enrollSeconds.toFixed(1)} s (8 at a time).`,
    ];

    // SSE -----------------------------------------------------------------------------
    if (phases.has("sse")) {
      const ledger = new SocketLedger();
      const tracker = new PropagationTracker(nodeIndex);
      const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
      const connections = devices.map(
        (d) => new SseConnection(d, portOf(d), agent, ledger, tracker.onState, f.gzip),
      );
      log(`opening ${connections.length} SSE streams${f.gzip ? " (Accept-Encoding: gzip)" : ""}`);
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
        `SSE: ${connected.length}/${connections.length} streams connected in ${connectSeconds.toFixed(1)} s (Content-Encoding: ${encodings}); ${servers.length > 1 ? `servers' RSS with all streams open ${formatBytes(serversRss())} (${servers.length} nodes; streams per node: ${servers.map((_, n) => connected.filter((c) => nodeIndex(c.device) === n).length).join(", ")})` : `server RSS with all streams open ${formatBytes(serversRss())}`}.` +
          (pausedAtStart ? ` ${pausedAtStart} agents were not collecting at connect.` : ""),
      );
      if (connected.length === 0) throw new Error("No SSE stream connected.");

      log(`SSE propagation: ${sseWorkers.length} rounds`);
      for (const worker of sseWorkers) {
        await tracker.round(worker, startPause, f.roundTimeoutSeconds * 1000);
        await sleep(250);
      }
      rows.push(...tracker.rows("SSE", sseWorkers.length, servers.length));

      log(`SSE idle window: ${f.idleSeconds} s`);
      await sleep(2000);
      const sum = (g: (c: SseConnection) => number) => connected.reduce((n, c) => n + g(c), 0);
      const bytes0 = ledger.totalBytes();
      const chunks0 = ledger.readChunks;
      const heartbeats0 = sum((c) => c.heartbeats);
      const states0 = sum((c) => c.stateEvents);
      const cpu0 = serversCpu();
      await sleep(f.idleSeconds * 1000);
      const idleBytes = ledger.totalBytes() - bytes0;
      const idleChunks = ledger.readChunks - chunks0;
      const heartbeats = sum((c) => c.heartbeats) - heartbeats0;
      const idleStates = sum((c) => c.stateEvents) - states0;
      const idleCpu = serversCpu() - cpu0;
      const alive = connected.filter((c) => !c.closedByServer).length;
      const perAgentHour = (idleBytes / connected.length) * (3600 / f.idleSeconds);
      const segmentsPerAgentHour = (idleChunks / connected.length) * (3600 / f.idleSeconds);
      rows.push({
        metric: "Idle SSE agent: bytes per hour",
        value: `${formatBytes(perAgentHour)} (${Math.round(perAgentHour)} B; ${connected.length} streams × ${f.idleSeconds} s; ${(heartbeats / connected.length).toFixed(2)} heartbeats and ${(idleStates / connected.length).toFixed(2)} state events per stream in the window)`,
        target: `< 2 KB (${TARGET_IDLE_BYTES_PER_HOUR} B)`,
        verdict: perAgentHour < TARGET_IDLE_BYTES_PER_HOUR ? "pass" : "FAIL",
      });
      notes.push(
        `Idle bytes are socket bytes read + written by the client (TCP payload: HTTP chunk framing and SSE text${f.gzip ? ", gzip-compressed" : ""}). ` +
          `TCP/IP headers are not included: the idle SSE stream received about ${segmentsPerAgentHour.toFixed(0)} segments per agent per hour, which with ACKs adds roughly ${formatBytes(segmentsPerAgentHour * 2 * 52)} per agent per hour of IPv4/TCP headers on a real network (52 B per segment, one ACK each).`,
      );
      context.push(
        `SSE idle window: ${alive}/${connected.length} streams still open at the end; server CPU ${idleCpu.toFixed(2)} s over ${f.idleSeconds} s (${((idleCpu / f.idleSeconds) * 100).toFixed(1)} % of one core).`,
      );
      for (const c of connections) c.close();
      agent.destroy();
      await sleep(1000);
    }

    // Long-poll --------------------------------------------------------------------
    if (phases.has("longpoll")) {
      const ledger = new SocketLedger();
      const tracker = new PropagationTracker(nodeIndex);
      const agents = devices.map(
        (d) => new LongPollAgent(d, portOf(d), ledger, tracker.onState, f.longpollWait, 1000),
      );
      log(
        `starting ${agents.length} long-poll agents (wait=${f.longpollWait}, first requests spread over ${stagger} s)`,
      );
      const startedAt = performance.now();
      // Real agents poll with random phases; starting them all at once would
      // line every poll up into one burst a minute (what a server restart does:
      // --longpoll-stagger-seconds 0 measures that).
      const starters = agents.map((a, i) =>
        setTimeout(() => a.start(), (i / agents.length) * stagger * 1000),
      );
      await Promise.race([
        Promise.all(agents.map((a) => a.ready)),
        timeout(stagger * 1000 + 30_000),
      ]);
      const ready = agents.filter((a) => a.etag !== undefined);
      log(
        `${ready.length}/${agents.length} long-poll agents have a state after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
      );
      if (ready.length === 0) throw new Error("No long-poll agent got a state.");

      log(`long-poll idle window: ${f.longpollIdleSeconds} s`);
      await sleep(2000);
      const polls = () => agents.reduce((n, a) => n + a.counters.notModified + a.counters.ok, 0);
      const bytes0 = ledger.totalBytes();
      const written0 = ledger.writtenBytes();
      const polls0 = polls();
      const cpu0 = serversCpu();
      await sleep(f.longpollIdleSeconds * 1000);
      const idleBytes = ledger.totalBytes() - bytes0;
      const idleWritten = ledger.writtenBytes() - written0;
      const answered = polls() - polls0;
      const idleCpu = serversCpu() - cpu0;
      const perAgentHour = (idleBytes / agents.length) * (3600 / f.longpollIdleSeconds);
      const perPoll = (bytes: number) => Math.round(answered ? bytes / answered : Number.NaN);
      rows.push({
        metric: "Idle long-poll agent: bytes per hour",
        value: `${formatBytes(perAgentHour)} (${Math.round(perAgentHour)} B; ${agents.length} agents × ${f.longpollIdleSeconds} s, ${(answered / agents.length).toFixed(2)} answers per agent, ${perPoll(idleBytes)} B per cycle: request ${perPoll(idleWritten)} B + answer ${perPoll(idleBytes - idleWritten)} B)`,
        target: "2 KB target is for SSE; shown for comparison",
        verdict: "info",
      });
      context.push(
        `Long-poll: first requests spread over ${stagger} s; idle window server CPU ${idleCpu.toFixed(2)} s over ${f.longpollIdleSeconds} s (${((idleCpu / f.longpollIdleSeconds) * 100).toFixed(1)} % of one core, ${formatMs(answered ? (idleCpu * 1000) / answered : Number.NaN)} per answered poll incl. the next request).`,
      );

      log(`long-poll propagation: ${longPollWorkers.length} rounds`);
      for (const worker of longPollWorkers) {
        await tracker.round(worker, startPause, f.roundTimeoutSeconds * 1000);
        await sleep(250);
      }
      rows.push(...tracker.rows("Long-poll", longPollWorkers.length, servers.length));
      for (const t of starters) clearTimeout(t);
      await Promise.all(agents.map((a) => a.stop()));
      const errors = agents.reduce((n, a) => n + a.counters.errors, 0);
      if (errors) {
        const example = agents.find((a) => a.counters.errors)?.counters.lastError;
        context.push(`Long-poll: ${errors} failed requests (e.g. ${example}).`);
      }
    }

    // Ingestion --------------------------------------------------------------------
    if (phases.has("ingest")) {
      const ingestDevices = devices.filter((d) => ingestWorkerIds.has(d.workerId));
      if (ingestDevices.length === 0) throw new Error("No devices left for ingestion.");
      const rawFullFile = path.join(bench.tmpDir, "raw-full.db");
      const rawEventsFile = path.join(bench.tmpDir, "raw-events.db");
      if (rawUrls) {
        // The copies were made before the nodes started: they need the devices enrolled since.
        for (const url of Object.values(rawUrls)) await copyRows(databaseUrl, url, "Device");
      } else {
        snapshotDatabase(dbFile, rawFullFile);
        snapshotDatabase(dbFile, rawEventsFile);
      }

      const nowMs = Date.now();
      const warmup = 2;
      const batches: (RawBatch & { device: BenchDevice })[] = Array.from(
        { length: warmup + f.batches },
        (_, i) => {
          const device = ingestDevices[i % ingestDevices.length]!;
          return {
            device,
            deviceId: device.deviceId,
            workerId: device.workerId,
            batchId: randomUUID(),
            events: buildEvents(f.batchSize, nowMs),
          };
        },
      );
      const bodies = batches.map((b) => JSON.stringify({ batchId: b.batchId, events: b.events }));
      const meanBodyBytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / bodies.length;

      // The server's own CPU work per batch before it touches the database, in this process.
      for (const body of bodies.slice(0, 3)) EventBatchSchema.parse(JSON.parse(body));
      const parseStarted = performance.now();
      for (const body of bodies.slice(0, 10)) EventBatchSchema.parse(JSON.parse(body));
      const parseMs = (performance.now() - parseStarted) / Math.min(10, bodies.length);

      const agent = new http.Agent({ keepAlive: true, maxSockets: f.concurrency });
      const post = async (index: number) => {
        const res = await uploadBatch(
          servers[index % servers.length]!.port,
          batches[index]!.device,
          bodies[index]!,
          agent,
        );
        const stored = res.status === 200 ? (JSON.parse(res.body) as EventBatchResult).stored : 0;
        return { status: res.status, ms: res.ms, stored, body: res.body.slice(0, 300) };
      };
      log(
        `ingestion: ${warmup} warm-up batches, then ${f.batches} × ${f.batchSize} events, ${f.concurrency} in flight`,
      );
      for (let i = 0; i < warmup; i++) await post(i);
      const cpu0 = serversCpu();
      const fromUs = monotonicUs();
      const ingestStarted = performance.now();
      const results = await mapPool(
        Array.from({ length: f.batches }, (_, i) => warmup + i),
        f.concurrency,
        post,
      );
      const ingestSeconds = (performance.now() - ingestStarted) / 1000;
      bench.profileWindow = { fromUs, toUs: monotonicUs(), label: "timed ingestion only" };
      const ingestCpu = serversCpu() - cpu0;
      agent.destroy();
      const stored = results.reduce((n, r) => n + r.stored, 0);
      const failed = results.filter((r) => r.status !== 200);
      const httpRate = stored / ingestSeconds;
      const latency = summarize(results.map((r) => r.ms));

      const raw = rawUrls ? "Raw pg" : "Raw better-sqlite3";
      log(`${raw} baseline`);
      const timed = batches.slice(warmup);
      // pg: multi-row VALUES and unnest arrays both, the faster is the baseline.
      const rawValues = rawUrls
        ? await rawIngestPostgres(rawUrls.full, timed, "full", f.concurrency, "values")
        : rawIngest(rawFullFile, timed, "full");
      const rawUnnest = rawUrls
        ? await rawIngestPostgres(rawUrls.unnest, timed, "full", f.concurrency, "unnest")
        : undefined;
      const rawFull =
        rawUnnest && rawUnnest.seconds < rawValues.seconds
          ? { ...rawUnnest, form: "unnest" as const }
          : { ...rawValues, form: "values" as const };
      const rawEvents = rawUrls
        ? await rawIngestPostgres(rawUrls.events, timed, "events", f.concurrency, rawFull.form)
        : rawIngest(rawEventsFile, timed, "events");
      const rawFullRate = rawFull.events / rawFull.seconds;
      const rawEventsRate = rawEvents.events / rawEvents.seconds;
      const ratio = httpRate / rawFullRate;
      const eventRows = await countEvents(databaseUrl, dbFile);

      rows.push(
        {
          metric: `Ingestion over HTTP (${f.batchSize}-event batches${servers.length > 1 ? `, round the ${servers.length} nodes` : ""})`,
          value: `${formatRate(httpRate)} (${fmtInt(stored)} events stored in ${ingestSeconds.toFixed(2)} s; batch latency p50 ${formatMs(latency.p50)}, p95 ${formatMs(latency.p95)}; ${failed.length} failed)`,
          target: "—",
          verdict: "info",
        },
        {
          metric: `${raw}, same rows (Event + EventRollup + EventRollupDay + Device + DeviceUsageHour + EventBatch${rawUrls ? " + IngestDay" : ""})`,
          value: `${formatRate(rawFullRate)} (${rawFull.seconds.toFixed(2)} s${rawUnnest ? `; a transaction per batch, ${f.concurrency} connections; the faster of multi-row VALUES ${formatRate(rawValues.events / rawValues.seconds)} and unnest arrays ${formatRate(rawUnnest.events / rawUnnest.seconds)}` : ""})`,
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
          metric: `${raw}, Event rows only`,
          value: `${formatRate(rawEventsRate)} (HTTP is ${((httpRate / rawEventsRate) * 100).toFixed(1)} % of it)`,
          target: "—",
          verdict: "info",
        },
      );
      context.push(
        `Ingestion: ${f.batches} timed batches over ${Math.min(f.batches, ingestDevices.length)} devices of ${ingestWorkerIds.size} workers with no pauses, ${f.concurrency} in flight, mean body ${formatBytes(meanBodyBytes)} (identity encoding); server CPU ${ingestCpu.toFixed(2)} s${servers.length > 1 ? ` (all ${servers.length} nodes)` : ""} in ${ingestSeconds.toFixed(2)} s; JSON.parse + Zod of one batch takes ${formatMs(parseMs)} in the bench process; Event rows in the server database afterwards: ${fmtInt(eventRows)} (incl. ${warmup} warm-up batches).`,
      );
      if (failed.length) {
        context.push(
          `Ingestion failures: ${failed.length}, first: ${failed[0]!.status} ${failed[0]!.body}`,
        );
      }
    }
    // Ingestion with a private-app list (ADR 0041) -----------------------------------------
    // Alternating rounds on the same server and devices: no list, then N organisation-wide
    // patterns that match none of the bench's applications (the worst case: every pattern is
    // tried for every event), so the two rates differ only by the list.
    if (phases.has("private-apps")) {
      const abDevices = devices.filter((d) => ingestWorkerIds.has(d.workerId));
      if (abDevices.length === 0) throw new Error("No devices left for ingestion.");
      const perRound = Math.max(f.concurrency, Math.floor(f.batches / f.privateAppRounds));
      const agent = new http.Agent({ keepAlive: true, maxSockets: f.concurrency });
      const round = async () => {
        const nowMs = Date.now();
        const bodies = Array.from({ length: perRound }, () =>
          JSON.stringify({ batchId: randomUUID(), events: buildEvents(f.batchSize, nowMs) }),
        );
        const started = performance.now();
        const cpuBefore = serversCpu();
        const results = await mapPool(
          bodies.map((body, i) => ({ body, device: abDevices[i % abDevices.length]! })),
          f.concurrency,
          async ({ body, device }) => {
            const res = await uploadBatch(servers[0]!.port, device, body, agent);
            if (res.status !== 200)
              throw new Error(`upload ${res.status}: ${res.body.slice(0, 200)}`);
            const r = JSON.parse(res.body) as EventBatchResult;
            return { stored: r.stored, discarded: r.discardedPrivateApp };
          },
        );
        const seconds = (performance.now() - started) / 1000;
        return {
          stored: results.reduce((n, r) => n + r.stored, 0),
          discarded: results.reduce((n, r) => n + r.discarded, 0),
          seconds,
          cpu: serversCpu() - cpuBefore,
        };
      };
      log(
        `private apps: ${f.privateAppRounds} A/B rounds of ${perRound} × ${f.batchSize} events, without and with ${f.privateApps} patterns`,
      );
      await setOrganisationPrivateApps(databaseUrl, dbFile, 0);
      await round(); // warm-up
      const without = { stored: 0, seconds: 0, discarded: 0, cpu: 0 };
      const withList = { stored: 0, seconds: 0, discarded: 0, cpu: 0 };
      for (let r = 0; r < f.privateAppRounds; r++) {
        // A then B, then B then A: a drift of the machine's speed cancels out.
        const measure = async (n: number) => {
          await setOrganisationPrivateApps(databaseUrl, dbFile, n);
          return round();
        };
        let a: Awaited<ReturnType<typeof round>>;
        let b: Awaited<ReturnType<typeof round>>;
        if (r % 2 === 0) {
          a = await measure(0);
          b = await measure(f.privateApps);
        } else {
          b = await measure(f.privateApps);
          a = await measure(0);
        }
        for (const [total, one] of [
          [without, a],
          [withList, b],
        ] as const) {
          total.stored += one.stored;
          total.seconds += one.seconds;
          total.discarded += one.discarded;
          total.cpu += one.cpu;
        }
      }
      await setOrganisationPrivateApps(databaseUrl, dbFile, 0);
      agent.destroy();
      const rateWithout = without.stored / without.seconds;
      const rateWith = withList.stored / withList.seconds;
      const ratio = rateWith / rateWithout;
      rows.push(
        {
          metric: "Ingestion over HTTP, no private-app list (A/B rounds)",
          value: `${formatRate(rateWithout)} (${fmtInt(without.stored)} events in ${without.seconds.toFixed(2)} s; server CPU ${((without.cpu / without.stored) * 1e6).toFixed(1)} µs per event)`,
          target: "baseline",
          verdict: "info",
        },
        {
          metric: `Ingestion over HTTP, ${f.privateApps} organisation-wide private-app patterns (A/B rounds)`,
          value: `${formatRate(rateWith)} (${fmtInt(withList.stored)} events in ${withList.seconds.toFixed(2)} s; ${(ratio * 100).toFixed(1)} % of the no-list rate; server CPU ${((withList.cpu / withList.stored) * 1e6).toFixed(1)} µs per event, ${((withList.cpu / withList.stored / (without.cpu / without.stored) - 1) * 100).toFixed(1)} % more; ${fmtInt(withList.discarded)} discarded as private)`,
          target: "≥ 90 % (unchanged within noise)",
          verdict: ratio >= 0.9 && withList.discarded === 0 ? "pass" : "FAIL",
        },
      );
      context.push(
        `Private apps: ${f.privateAppRounds} rounds of ${perRound} batches each without and with the list, in ABBA order (${f.concurrency} in flight) on the first server; the list is ${Math.ceil(f.privateApps / 2)} exact names and ${Math.floor(f.privateApps / 2)} \`*\` patterns, none matching the bench's applications, so every event is checked against all of them.`,
      );
    }
    return { rows, notes: [...context, ...notes] };
  },
});
