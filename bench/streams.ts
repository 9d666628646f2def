/**
 * Scale of one node (issue 17): one server process (the production build)
 * on a seeded organisation of 10,000 workers, each with an agent on SSE,
 * plus workers with 1,000 agents each.
 *
 *   npm run bench:streams                 (builds first)
 *   npx tsx bench/streams.ts --workers 500 --agents-per-worker 100 --rounds 2 --idle-seconds 60
 *
 * Measures, against the issue's targets, each with a same-run baseline:
 * - one worker with 1,000 agents: "pause now" (POST /pauses as the web app
 *   sends it) → every agent has collecting=false, p50/p95/p99, and the POST's
 *   own response time; baseline: a worker with 10 agents, same rounds;
 * - broadcast: the admin publishes a monitoring notice (a change of every
 *   worker's state) → every one of the 10,000 workers' agents has the new
 *   version, p50/p99/max; a worker's page (/) loaded over and over meanwhile,
 *   p95; baseline: the same page loads with nothing happening;
 * - idle streams: RSS, V8 heap after a collection, open handles, server CPU
 *   over the idle window, bytes per agent-hour; baseline: the same server
 *   before any stream was opened.
 *
 * Devices are seeded with known tokens (no enrollment), so the run is about
 * the streams. Open files: client and server each hold one socket per agent.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import type { AgentState } from "#app/agent-protocol/v1.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { SocketLedger, SseConnection, type BenchDevice } from "./lib/agent-clients.ts";
import { ROOT, int, runBench, text, type Row } from "./lib/harness.ts";
import { DOCUMENT_HEADERS, PageSession, httpRequest, signIn } from "./lib/http.ts";
import { organisationPeople, seedOrganisation } from "./lib/organisation.ts";
import { fakeCuid, seededRandom } from "./lib/seed.ts";
import {
  fmtInt,
  formatBytes,
  formatMs,
  formatSummary,
  mapPool,
  monotonicUs,
  sleep,
  summarize,
} from "./lib/stats.ts";

const PASSWORD = "lull-bench-password";
const ADMIN_EMAIL = "bench-admin@lull.test";
const TARGET_ONE_WORKER_P99_MS = 250;
const TARGET_POST_MS = 100;
const TARGET_BROADCAST_P99_MS = 5000;
const TARGET_PAGE_P95_MS = 300;
const TARGET_RSS_BYTES = 1024 ** 3;
const TARGET_IDLE_CPU_SHARE = 0.05;
const TARGET_IDLE_BYTES_PER_HOUR = 2000;

type Memory = {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  resources: Record<string, number>;
};

await runBench({
  name: "streams",
  title: "Scale of one node: agents' streams",
  about:
    "10,000 workers' agents on SSE and workers with 1,000 agents each, on one server process: propagation to 1,000 agents of one worker, a broadcast to every agent, and the cost of idle streams, each against a same-run baseline.",
  serverRoute: "routes/api.agent.v1.state_.stream",
  maxMinutes: 40,
  flags: {
    workers: int("active workers of the organisation, one agent each on SSE", 10000, 10),
    agentsPerWorker: int("agents of each worker who pauses", 1000, 1),
    baselineAgents: int("agents of the baseline worker who pauses", 10, 1),
    rounds: int("pause rounds (each a fresh worker with --agents-per-worker agents)", 3, 1),
    idleSeconds: int("idle window (whole minutes of heartbeats)", 300, 60, "S"),
    roundTimeoutSeconds: int("give up on an agent after T s", 20, 1, "T"),
    seed: int("PRNG seed of the organisation", 20261202),
    profile: text(
      "with --server-cpu-prof: the window to summarise (connect, pauses, broadcast, idle)",
      "broadcast",
      "WINDOW",
    ),
  },
  async run(bench) {
    const f = bench.flags;
    const log = bench.log;
    const { dbFile } = bench.migratedDatabase();
    const { hashPassword } = await import("#app/utils/password.server.ts");
    const passwordHash = await hashPassword(PASSWORD);
    log(`seeding an organisation of ${fmtInt(f.workers)} workers`);
    const org = seedOrganisation(dbFile, {
      now: new Date(),
      seed: f.seed,
      ...organisationPeople(f.workers),
      devices: Math.round(f.workers * 1.5),
      pauses: f.workers * 30,
      exemptions: Math.round(f.workers / 2),
      acknowledgedShare: 0.9,
      ingestDays: 14,
      policyChanges: 40,
      auditEvents: f.workers * 5,
      admin: { email: ADMIN_EMAIL, name: "Bench Admin", timezone: "UTC", passwordHash },
    });

    // Seeded devices' tokens are known (organisation.ts); one active device per active person.
    const db = new Database(dbFile, { fileMustExist: true });
    const orgDevices = (
      db
        .prepare(
          `SELECT MIN(d.id) AS id, d.workerId AS workerId FROM Device d JOIN User u ON u.id = d.workerId
           WHERE d.revokedAt IS NULL AND u.deactivatedAt IS NULL GROUP BY d.workerId ORDER BY MIN(d.id)`,
        )
        .all() as { id: string; workerId: string }[]
    ).map((d, index): BenchDevice => ({
      deviceId: d.id,
      workerId: d.workerId,
      token: `bench-admin-token-${d.id}`,
      index,
    }));
    // Workers who pause: fresh people with a password and many agents each.
    const random = seededRandom(f.seed + 1);
    const now = toStoredDateTime(new Date());
    const pausing: { id: string; email: string; devices: BenchDevice[] }[] = [];
    const insertUser = db.prepare(
      `INSERT INTO "User" ("id", "email", "name", "role", "timezone", "stateVersion", "stateVersionAt", "createdAt", "updatedAt")
       VALUES (?, ?, ?, 'WORKER', 'UTC', 1, ?, ?, ?)`,
    );
    const insertPassword = db.prepare(`INSERT INTO "Password" ("hash", "userId") VALUES (?, ?)`);
    const insertDevice = db.prepare(
      `INSERT INTO "Device" ("id", "workerId", "name", "platform", "agentVersion", "tokenHash", "createdAt")
       VALUES (?, ?, ?, 'linux', '1.0.0', ?, ?)`,
    );
    db.transaction(() => {
      for (let w = 0; w <= f.rounds; w++) {
        const agents = w === 0 ? f.baselineAgents : f.agentsPerWorker;
        const id = fakeCuid(random);
        const email = `bench-pauser-${w}@lull.test`;
        insertUser.run(id, email, `Pauser ${w}`, now, now, now);
        insertPassword.run(passwordHash, id);
        const devices: BenchDevice[] = [];
        for (let i = 0; i < agents; i++) {
          const deviceId = fakeCuid(random);
          const token = `bench-streams-token-${deviceId}`;
          insertDevice.run(
            deviceId,
            id,
            `Agent ${i}`,
            createHash("sha256").update(token).digest("hex"),
            now,
          );
          devices.push({ deviceId, workerId: id, token, index: i });
        }
        pausing.push({ id, email, devices });
      }
    })();
    // The admin's next monitoring notice, ready to publish.
    const notice = db
      .prepare(
        `SELECT slug, version, title, body FROM PolicyDocument WHERE slug = 'monitoring-notice' AND publishedAt IS NOT NULL ORDER BY version DESC LIMIT 1`,
      )
      .get() as { slug: string; version: number; title: string; body: string };
    const draftId = fakeCuid(random);
    db.prepare(
      `INSERT INTO "PolicyDocument" ("id", "slug", "version", "title", "body", "summaryOfChanges", "requiresAcknowledgement", "createdAt")
       VALUES (?, ?, ?, ?, ?, 'Clarifies what is collected.', 1, ?)`,
    ).run(
      draftId,
      notice.slug,
      notice.version + 1,
      notice.title,
      `${notice.body}\n\nUpdated.`,
      now,
    );
    db.close();
    log(
      `seeded ${fmtInt(org.people.total)} people; ${fmtInt(orgDevices.length)} agents of the organisation, ${pausing.length} pausing workers`,
    );

    const memoryFile = path.join(bench.tmpDir, "memory.jsonl");
    const probe = path.join(ROOT, "bench/lib/memory-probe.mjs");
    const server = await bench.startServer({
      NODE_OPTIONS: `--import ${probe}`,
      LULL_BENCH_MEMORY_FILE: memoryFile,
    });
    const port = server.port;
    const memory = async (): Promise<Memory> => {
      const before = readLines(memoryFile).length;
      process.kill(server.pid!, "SIGUSR2");
      for (let i = 0; i < 100; i++) {
        const lines = readLines(memoryFile);
        if (lines.length > before) return JSON.parse(lines[lines.length - 1]!) as Memory;
        await sleep(100);
      }
      throw new Error("the server wrote no memory report");
    };
    await sleep(2000);
    const memoryBefore = await memory();
    const rssBefore = server.rssBytes();

    // Open every stream -------------------------------------------------------------
    const ledger = new SocketLedger();
    // No TCP keep-alive probes (a keep-alive agent sends one a second per idle socket): 13,000
    // sockets probing each other on one machine's loopback time out, which real agents never see.
    const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
    let onState: (device: BenchDevice, state: AgentState, at: number) => void = () => {};
    const connect = (d: BenchDevice) =>
      new SseConnection(d, port, agent, ledger, (...a) => onState(...a), false);
    const orgStreams = orgDevices.map(connect);
    const pauserStreams = pausing.map((w) => w.devices.map(connect));
    const all = [...orgStreams, ...pauserStreams.flat()];
    log(`opening ${fmtInt(all.length)} SSE streams`);
    const windows: Record<string, { fromUs: number; toUs: number }> = {};
    const mark = (name: string, fromUs: number) =>
      (windows[name] = { fromUs, toUs: monotonicUs() });
    const phaseStarts: Record<string, number> = { connect: performance.now() };
    let windowStart = monotonicUs();
    const connectStarted = performance.now();
    const errors: string[] = [];
    await mapPool(all, 100, (c) =>
      c.connect(60_000).catch((e: unknown) => void errors.push(String(e))),
    );
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    mark("connect", windowStart);
    const up = all.filter((c) => c.stateEvents > 0).length;
    log(`${fmtInt(up)}/${fmtInt(all.length)} streams up in ${connectSeconds.toFixed(1)} s`);
    if (up < all.length) throw new Error(`${all.length - up} streams failed: ${errors[0]}`);

    const rows: Row[] = [];
    const notes: string[] = [];

    // One worker, many agents --------------------------------------------------------
    // Steady state: the connections' last-contact writes and collections settle first.
    phaseStarts.settle = performance.now();
    await sleep(5000);
    phaseStarts.pauses = performance.now();
    const cookies = await Promise.all(pausing.map((w) => signIn(port, w.email, PASSWORD)));
    windowStart = monotonicUs();
    const roundResults: { agents: number; latencies: number[]; postMs: number }[] = [];
    for (let w = 0; w < pausing.length; w++) {
      const worker = pausing[w]!;
      const streams = pauserStreams[w]!;
      const waiting = new Set(streams.map((s) => s.device.deviceId));
      const latencies: number[] = [];
      let sentAt = 0;
      const allSeen = new Promise<void>((resolve) => {
        onState = (device, state, at) => {
          if (device.workerId !== worker.id || state.collecting) return;
          if (!waiting.delete(device.deviceId)) return;
          latencies.push(at - sentAt);
          if (waiting.size === 0) resolve();
        };
      });
      await sleep(1000);
      sentAt = performance.now();
      const post = await httpRequest({
        port,
        method: "POST",
        path: "/pauses",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Cookie: cookies[w]!,
          Origin: server.origin,
        },
        body: "intent=start&durationMinutes=30",
        timeoutMs: 30_000,
      });
      if (post.status >= 400) throw new Error(`POST /pauses answered ${post.status}`);
      await Promise.race([allSeen, sleep(f.roundTimeoutSeconds * 1000)]);
      onState = () => {};
      if (waiting.size > 0) throw new Error(`${waiting.size} agents never saw the pause`);
      roundResults.push({ agents: streams.length, latencies, postMs: post.ms });
      log(
        `pause round ${w}: ${streams.length} agents, p99 ${formatMs(summarize(latencies).p99)}, POST ${formatMs(post.ms)}`,
      );
    }
    mark("pauses", windowStart);
    const [baseline, ...big] = roundResults;
    const bigLatencies = summarize(big.flatMap((r) => r.latencies));
    const bigPosts = summarize(big.map((r) => r.postMs));
    rows.push(
      {
        metric: `${fmtInt(f.agentsPerWorker)} agents of one worker: pause → every agent`,
        value: `${formatSummary(bigLatencies)} (${big.length} rounds, ${fmtInt(bigLatencies.count)} receptions)`,
        target: `p99 < ${TARGET_ONE_WORKER_P99_MS} ms`,
        verdict: bigLatencies.p99 < TARGET_ONE_WORKER_P99_MS ? "pass" : "FAIL",
      },
      {
        metric: `${fmtInt(f.agentsPerWorker)} agents of one worker: the POST's response time`,
        value: `p50 ${formatMs(bigPosts.p50)} · max ${formatMs(bigPosts.max)}`,
        target: `< ${TARGET_POST_MS} ms`,
        verdict: bigPosts.max < TARGET_POST_MS ? "pass" : "FAIL",
      },
      {
        metric: `Baseline: ${baseline!.agents} agents of one worker, same run`,
        value: `${formatSummary(summarize(baseline!.latencies))}; POST ${formatMs(baseline!.postMs)}`,
        target: "baseline",
        verdict: "info",
      },
    );

    // Broadcast ------------------------------------------------------------------------
    const workerCookie = cookies[0]!;
    const pageSession = new PageSession(port, workerCookie);
    const loadPages = async (until: () => boolean, atMost: number) => {
      const times: number[] = [];
      while (!until() && times.length < atMost) {
        const res = await pageSession.get("/", DOCUMENT_HEADERS);
        if (res.status !== 200) throw new Error(`/ answered ${res.status}`);
        times.push(res.ms);
      }
      return times;
    };
    await loadPages(() => false, 10); // warm-up
    const idlePages = await loadPages(() => false, 40);
    const adminCookie = await signIn(port, ADMIN_EMAIL, PASSWORD);
    const previous = new Map(orgStreams.map((s) => [s.device.deviceId, s.lastState!.stateVersion]));
    const pending = new Set(previous.keys());
    const broadcastLatencies: number[] = [];
    let publishedAt = 0;
    let broadcastDone = false;
    const everyone = new Promise<void>((resolve) => {
      onState = (device, state, at) => {
        const before = previous.get(device.deviceId);
        if (before === undefined || Number(state.stateVersion) <= Number(before)) return;
        if (!pending.delete(device.deviceId)) return;
        broadcastLatencies.push(at - publishedAt);
        if (pending.size === 0) {
          broadcastDone = true;
          resolve();
        }
      };
    });
    log(`publishing a monitoring notice to ${fmtInt(orgStreams.length)} agents`);
    publishedAt = performance.now();
    phaseStarts.broadcast = publishedAt;
    windowStart = monotonicUs();
    const publishing = httpRequest({
      port,
      method: "POST",
      path: `/admin/documents/${draftId}`,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: adminCookie,
        Origin: server.origin,
      },
      body: new URLSearchParams({
        intent: "publish",
        confirmed: `publish-document:${draftId}`,
      }).toString(),
      timeoutMs: 60_000,
    });
    const duringPages = loadPages(() => broadcastDone, 10_000);
    await Promise.race([everyone, sleep(60_000)]);
    broadcastDone = true;
    mark("broadcast", windowStart);
    const publish = await publishing;
    const pagesDuring = await duringPages;
    onState = () => {};
    if (publish.status >= 400) throw new Error(`publishing answered ${publish.status}`);
    if (pending.size > 0) throw new Error(`${pending.size} agents never got the new notice`);
    const broadcast = summarize(broadcastLatencies);
    const during = summarize(pagesDuring);
    const idle = summarize(idlePages);
    rows.push(
      {
        metric: `Broadcast: a notice published → every agent of ${fmtInt(orgStreams.length)} workers`,
        value: `${formatSummary(broadcast)}; the publish POST answered in ${formatMs(publish.ms)}`,
        target: `p99 < ${TARGET_BROADCAST_P99_MS / 1000} s`,
        verdict: broadcast.p99 < TARGET_BROADCAST_P99_MS ? "pass" : "FAIL",
      },
      {
        metric: "Broadcast: a worker's page (/) loaded meanwhile",
        value: `p50 ${formatMs(during.p50)} · p95 ${formatMs(during.p95)} · max ${formatMs(during.max)} (${during.count} loads)`,
        target: `p95 < ${TARGET_PAGE_P95_MS} ms`,
        verdict: during.count > 0 && during.p95 < TARGET_PAGE_P95_MS ? "pass" : "FAIL",
      },
      {
        metric: "Baseline: the same page with nothing happening, same run",
        value: `p50 ${formatMs(idle.p50)} · p95 ${formatMs(idle.p95)} (${idle.count} loads)`,
        target: "baseline",
        verdict: "info",
      },
    );

    // Idle -----------------------------------------------------------------------------
    pageSession.close();
    await sleep(5000);
    log(`idle window: ${f.idleSeconds} s with ${fmtInt(all.length)} streams`);
    const bytesStart = ledger.totalBytes();
    const cpuStart = server.cpuSeconds();
    const idleStarted = performance.now();
    phaseStarts.idle = idleStarted;
    windowStart = monotonicUs();
    await sleep(f.idleSeconds * 1000);
    mark("idle", windowStart);
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const cpuShare = (server.cpuSeconds() - cpuStart) / idleSeconds;
    const bytesPerHour = ((ledger.totalBytes() - bytesStart) / all.length) * (3600 / idleSeconds);
    const memoryAfter = await memory();
    const rss = server.rssBytes();
    const stillOpen = all.filter((c) => !c.closedByServer).length;
    const endings = new Map<string, number>();
    for (const c of all) {
      if (!c.ended) continue;
      const phase = Object.entries(phaseStarts)
        .filter(([, at]) => at <= c.ended!.at)
        .pop()?.[0];
      const key = `${c.ended.reason} (during ${phase ?? "connect"})`;
      endings.set(key, (endings.get(key) ?? 0) + 1);
    }
    if (endings.size > 0) {
      notes.push(
        `Streams that ended without the client closing them: ${[...endings].map(([k, n]) => `${fmtInt(n)} ${k}`).join("; ")}.`,
      );
    }
    const perStream = (a: number, b: number) => formatBytes((a - b) / all.length);
    rows.push(
      {
        metric: `${fmtInt(all.length)} idle streams: server RSS`,
        value: `${formatBytes(rss)} (${perStream(rss, rssBefore)} a stream over the baseline)`,
        target: `< ${formatBytes(TARGET_RSS_BYTES)}`,
        verdict: rss < TARGET_RSS_BYTES ? "pass" : "FAIL",
      },
      {
        metric: `${fmtInt(all.length)} idle streams: V8 heap after a collection`,
        value: `${formatBytes(memoryAfter.heapUsed)} used (${perStream(memoryAfter.heapUsed, memoryBefore.heapUsed)} a stream); external ${formatBytes(memoryAfter.external)}; handles ${JSON.stringify(memoryAfter.resources)}`,
        target: "—",
        verdict: "info",
      },
      {
        metric: `${fmtInt(all.length)} idle streams: server CPU`,
        value: `${(cpuShare * 100).toFixed(2)} % of one core over ${Math.round(idleSeconds)} s`,
        target: `< ${TARGET_IDLE_CPU_SHARE * 100} %`,
        verdict: cpuShare < TARGET_IDLE_CPU_SHARE ? "pass" : "FAIL",
      },
      {
        metric: "Idle stream: bytes per agent-hour",
        value: `${fmtInt(Math.round(bytesPerHour))} B (${fmtInt(stillOpen)}/${fmtInt(all.length)} streams still open)`,
        target: `< ${formatBytes(TARGET_IDLE_BYTES_PER_HOUR)}`,
        verdict: bytesPerHour < TARGET_IDLE_BYTES_PER_HOUR ? "pass" : "FAIL",
      },
      {
        metric: "Baseline: the same server before any stream was opened",
        value: `RSS ${formatBytes(rssBefore)}; heap ${formatBytes(memoryBefore.heapUsed)} used; external ${formatBytes(memoryBefore.external)}`,
        target: "baseline",
        verdict: "info",
      },
    );
    notes.push(
      `Organisation: ${fmtInt(org.people.total)} people (${fmtInt(org.people.active)} active), ${fmtInt(org.devices.total)} devices, ${fmtInt(org.pauses.total)} pauses, ${fmtInt(org.exemptions.total)} exemption requests; one agent each for ${fmtInt(orgStreams.length)} active people.`,
      `Pausing workers: 1 with ${f.baselineAgents} agents (baseline) and ${f.rounds} with ${fmtInt(f.agentsPerWorker)} agents, one round each; a round's latency is from sending POST /pauses to each agent's reception of collecting=false.`,
      `Streams: ${fmtInt(all.length)} connected in ${connectSeconds.toFixed(1)} s from this one client process (identity encoding).`,
      `Broadcast: the admin publishes monitoring notice v${notice.version + 1} (requires acknowledgement: every active worker's state version moves); latency from sending the POST to each agent's reception of a newer version; pages: GET / as a document, one at a time, signed in as a pausing worker.`,
      `Memory: the server reports process.memoryUsage() after a full garbage collection (bench/lib/memory-probe.mjs, loaded with --import); RSS from /proc.`,
    );
    const profiled = windows[f.profile];
    if (profiled) bench.profileWindow = { ...profiled, label: `the ${f.profile} window only` };
    agent.destroy();
    for (const c of all) c.close();
    return { rows, notes };
  },
});

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}
