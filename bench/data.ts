/**
 * My-data benchmark (issue 5): the server response time of the /data
 * overview for each period and of the first and a deep page of
 * /data/events, for one worker with a year of realistic activity
 * (default 2,000,000 events on 2 devices), against the production build.
 *
 *   npm run bench:data                       (builds first)
 *   npx tsx bench/data.ts --events 500000 --requests 30 --skip-build-check
 *
 * Steps:
 * 1. a fresh temporary SQLite file, migrated with `prisma migrate deploy`;
 * 2. seeded with raw better-sqlite3 (bench/lib/year-of-activity.ts): the
 *    worker, 2 devices, a year of events with exactly matching hourly
 *    rollups, pauses with no events inside them, and a few other workers;
 * 3. the app's own data functions (Prisma, in this process) run once per
 *    request with Prisma's query log on: their SQL is checked with EXPLAIN
 *    QUERY PLAN (a full scan of Event or EventRollup stops the bench), then
 *    timed in process;
 * 4. `node build/server.js` (NODE_ENV=production) on 127.0.0.1, signed in
 *    through POST /login; a warm-up per URL, then N rounds of sequential
 *    GETs, one per URL and variant: the document (what a browser's
 *    navigation gets: HTML, compressed) and the single fetch (`….data`, a
 *    client-side navigation), each timed to the last byte of the body; a
 *    round during which other processes used much CPU is run again;
 * 5. baseline in the same run: the statements Prisma sent (step 3),
 *    replayed on better-sqlite3 against the same file.
 *
 * The deep page's cursor is the app's own: the "Older →" link of the list
 * filtered to a day ~6 months back, then opened without the filter.
 * Everything runs on 127.0.0.1; the server child is killed at the end, on
 * errors, on SIGINT and by a watchdog, and the temporary files are removed.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
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
import { periodRange, type PeriodQuery } from "#app/domain/data-period.ts";
import { decodeCursor, type EventCursor } from "#app/domain/event-query.ts";
import { formatDay, localDateKey } from "#app/domain/local-time.ts";
import { HOST, httpRequest } from "./lib/agent-clients.ts";
import { summarizeCpuProfile } from "./lib/cpu-profile.ts";
import {
  DOCUMENT_HEADERS,
  SINGLE_FETCH_HEADERS,
  decodeBody,
  getPage,
  type PageResponse,
} from "./lib/page-client.ts";
import { formatBytes, formatMs, summarize, type Summary } from "./lib/stats.ts";
import {
  freePort,
  gitDescription,
  monotonicUs,
  processCpuSeconds,
  processRssBytes,
} from "./lib/process-info.ts";
import {
  createLogger,
  benchResources,
  migratedDatabase,
  printLogTail,
  requireFreshBuild,
  stopChild,
  waitForHealthy,
} from "./lib/lifecycle.ts";
import {
  fakeCuid,
  seedYearOfActivity,
  seededRandom,
  type SeedSummary,
  type SeedWorker,
} from "./lib/year-of-activity.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PASSWORD = "lull-bench-password";
const TARGET_P95_MS = 100;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** Long enough to keep the whole seeded year (the policy allows 7–730 days). */
const RETENTION_DAYS = 400;
const OTHER_TIMEZONES = [
  "Asia/Kolkata",
  "America/New_York",
  "Europe/London",
  "Asia/Tokyo",
  "America/Sao_Paulo",
  "Australia/Sydney",
  "Africa/Nairobi",
  "America/Los_Angeles",
];

// ---------------------------------------------------------------- options

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "2000000" },
    days: { type: "string", default: "365" },
    timezone: { type: "string", default: "Europe/Berlin" },
    "other-workers": { type: "string", default: "6" },
    "other-events": { type: "string", default: "50000" },
    requests: { type: "string", default: "100" },
    warmup: { type: "string", default: "10" },
    "deep-days": { type: "string", default: "182" },
    seed: { type: "string", default: "20261127" },
    "other-cpu-limit": { type: "string", default: "20" },
    "skip-single-fetch": { type: "boolean", default: false },
    "skip-build-check": { type: "boolean", default: false },
    "server-cpu-prof": { type: "boolean", default: false },
    "max-minutes": { type: "string", default: "20" },
    "keep-tmp": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (flags.help) {
  console.log(`Usage: npx tsx bench/data.ts [options]   (after npm run build)
  --events N             events of the measured worker (default 2000000, on 2 devices)
  --days D               days of activity ending now (default 365)
  --timezone TZ          the worker's time zone (default Europe/Berlin)
  --other-workers W      other workers, one device each (default 6)
  --other-events E       events per other worker (default 50000)
  --requests R           timed sequential requests per URL and variant (default 100)
  --warmup K             untimed requests first (default 10)
  --deep-days D          how far back the deep records page starts (default 182)
  --seed S               PRNG seed of the data (default 20261127)
  --other-cpu-limit P    repeat a timed round during which other processes used more than
                         P % of one CPU (default 20; 0 = keep every round)
  --skip-single-fetch    only document requests, no ….data requests
  --skip-build-check     do not refuse a build older than app/ (or without the /data routes)
  --server-cpu-prof      run the server with --cpu-prof and summarise the timed requests
  --max-minutes M        watchdog (default 20)
  --keep-tmp             keep the temporary database and server log`);
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
  events: intFlag("events", 1000),
  days: intFlag("days", 2),
  timezone: String(flags.timezone),
  otherWorkers: intFlag("other-workers", 0),
  otherEvents: intFlag("other-events", 100),
  requests: intFlag("requests", 1),
  warmup: intFlag("warmup", 0),
  deepDays: intFlag("deep-days", 1),
  seed: intFlag("seed", 0),
  otherCpuLimit: intFlag("other-cpu-limit", 0),
  singleFetch: !flags["skip-single-fetch"],
  buildCheck: !flags["skip-build-check"],
  serverCpuProf: Boolean(flags["server-cpu-prof"]),
  maxMinutes: intFlag("max-minutes", 1),
  keepTmp: Boolean(flags["keep-tmp"]),
};
if (opts.deepDays >= opts.days) {
  console.error("--deep-days must be less than --days.");
  process.exit(2);
}

// ---------------------------------------------------------------- process lifecycle

const benchStarted = performance.now();
const log = createLogger();

const { res, cleanup } = benchResources({
  keepTmp: opts.keepTmp,
  maxMinutes: opts.maxMinutes,
  log,
});

// ---------------------------------------------------------------- helpers

/** Stored DateTime text, as the app's adapter writes it ("…+00:00"). */
function stored(instant: Date | number): string {
  return new Date(instant).toISOString().replace("Z", "+00:00");
}

function minusDays(dateKey: string, days: number): string {
  const [y, m, d] = dateKey.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}

function fmtInt(n: number): string {
  return n.toLocaleString("en-US");
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)} %`;
}

function distribution(s: Summary): string {
  return `${formatMs(s.p50)} · ${formatMs(s.p95)} · ${formatMs(s.p99)} · ${formatMs(s.max)}`;
}

function table(headers: string[], rows: string[][]): string {
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${headers.map(escape).join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(escape).join(" | ")} |`),
  ].join("\n");
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, "&")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
}

// ---------------------------------------------------------------- query plans

type CapturedQuery = { sql: string; params: unknown[] };

/** Prisma's logged parameters, bound as its better-sqlite3 adapter binds them. */
function bindable(params: unknown[]): unknown[] {
  return params.map((p) => {
    if (typeof p === "string" && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(p))
      return p.replace("Z", "+00:00");
    if (typeof p === "string" && /^-?\d+$/.test(p)) return Number(p);
    return p;
  });
}

type PlanReport = { sql: string; plan: string[]; fullScan: boolean; unbounded: boolean };

function explain(db: Database.Database, q: CapturedQuery): PlanReport {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...bindable(q.params)) as {
    detail: string;
  }[];
  const plan = rows.map((r) => r.detail);
  const fullScan = plan.some((line) => /^SCAN (main\.)?(Event|EventRollup)\b/.test(line));
  // A time condition on Event that the index range does not use: every
  // index entry of the worker is walked until the page is full.
  const timeCondition = /`Event`\.`at` (<|<=|>|>=) \?/.test(q.sql);
  const unbounded =
    timeCondition &&
    plan.some((line) =>
      /^SEARCH (main\.)?Event USING (COVERING )?INDEX \S+ \(workerId=\?\)$/.test(line),
    );
  return { sql: q.sql, plan, fullScan, unbounded };
}

// ---------------------------------------------------------------- requests

type Request = {
  key: string;
  label: string;
  kind: "overview" | "events";
  path: string;
  dataPath: string;
  what: string;
  range?: { start: Date; end: Date };
  cursor?: EventCursor | null;
  expectedTotal?: number;
  expectedIds?: number[];
};

type HttpResult = {
  summary: Summary;
  wireBytes: number;
  decodedBytes: number;
  encoding: string;
  failures: number;
  firstFailure?: string;
  /** Wall-clock start and duration of each timed request. */
  log: [number, number][];
};

type RowResult = {
  request: Request;
  document: HttpResult;
  singleFetch?: HttpResult;
  prisma: Summary;
  sql: Summary;
  checks: string[];
};

// ---------------------------------------------------------------- main

async function main(): Promise<{ markdown: string; failedTargets: string[] }> {
  const notes: string[] = [];
  const failedTargets: string[] = [];
  // At the start: the code under test is the build and app/ as they are now.
  const commit = gitDescription(ROOT);

  // Preconditions ----------------------------------------------------------
  const serverEntry = path.join(ROOT, "build/server.js");
  requireFreshBuild({
    root: ROOT,
    route: "routes/data.events",
    script: "bench:data",
    check: opts.buildCheck,
  });

  // Database ---------------------------------------------------------------
  const fresh = migratedDatabase(ROOT, "lull-bench-data-");
  res.tmpDir = fresh.tmpDir;
  const { dbFile, databaseUrl, migrateSeconds } = fresh;
  log(`migrated ${dbFile}`);

  // The app modules read DATABASE_URL when first imported.
  process.env.DATABASE_URL = databaseUrl;
  const { hashPassword } = await import("#app/utils/password.server.ts");
  const passwordHash = await hashPassword(PASSWORD);

  const random = seededRandom(opts.seed);
  const device = (name: string, kind: "laptop" | "desktop", platform: "linux" | "windows") => ({
    id: fakeCuid(random),
    name,
    kind,
    platform,
  });
  const worker: SeedWorker = {
    id: fakeCuid(random),
    email: "bench-data-worker@lull.test",
    name: "Bench Data Worker",
    timezone: opts.timezone,
    passwordHash,
    devices: [
      device("Work laptop", "laptop", "linux"),
      device("Office desktop", "desktop", "windows"),
    ],
    events: opts.events,
  };
  const others: SeedWorker[] = Array.from({ length: opts.otherWorkers }, (_, i) => ({
    id: fakeCuid(random),
    email: `bench-data-other-${i}@lull.test`,
    name: `Bench Other Worker ${i}`,
    timezone: OTHER_TIMEZONES[i % OTHER_TIMEZONES.length]!,
    passwordHash,
    devices: [device("Laptop", "laptop", "linux")],
    events: opts.otherEvents,
  }));

  const seedNow = new Date();
  log(
    `seeding ${fmtInt(opts.events)} events for one worker (2 devices, ${opts.days} days, ${opts.timezone}) and ${fmtInt(opts.otherEvents)} for each of ${opts.otherWorkers} others`,
  );
  const seed: SeedSummary = seedYearOfActivity(dbFile, {
    workers: [worker, ...others],
    now: seedNow,
    days: opts.days,
    seed: opts.seed,
    retentionDays: RETENTION_DAYS,
  });
  const dbBytes = statSync(dbFile).size;
  log(
    `seeded ${fmtInt(seed.events)} events, ${fmtInt(seed.rollups)} rollup rows, ${seed.pauses} pauses in ${seed.seconds.toFixed(1)} s (${formatBytes(dbBytes)})`,
  );
  const mine = seed.perWorker[0]!;

  // Consistency checks (untimed) -------------------------------------------
  const raw = new Database(dbFile, { readonly: true, fileMustExist: true });
  log("checking rollups against events and pauses against events");
  const checkStarted = performance.now();
  const mismatched = (
    raw
      .prepare(
        `SELECT COUNT(*) AS n FROM (
           SELECT * FROM (SELECT "workerId", "deviceId", "type", "app", substr("at", 1, 13) AS h, COUNT(*) AS c
                          FROM "Event" GROUP BY 1, 2, 3, 4, 5)
           EXCEPT SELECT "workerId", "deviceId", "type", "app", substr("hour", 1, 13), "count" FROM "EventRollup")`,
      )
      .get() as { n: number }
  ).n;
  const rollupRows = (raw.prepare(`SELECT COUNT(*) AS n FROM "EventRollup"`).get() as { n: number })
    .n;
  const eventsInPauses = (
    raw
      .prepare(
        `SELECT COUNT(*) AS n FROM "Pause" p JOIN "Event" e
           ON e."workerId" = p."workerId" AND e."at" >= p."startsAt"
          AND e."at" < CASE WHEN p."endedEarlyAt" IS NOT NULL AND p."endedEarlyAt" < p."endsAt"
                            THEN p."endedEarlyAt" ELSE p."endsAt" END
         WHERE p."cancelledAt" IS NULL`,
      )
      .get() as { n: number }
  ).n;
  if (mismatched !== 0 || rollupRows !== seed.rollups || eventsInPauses !== 0) {
    throw new Error(
      `Seed inconsistent: ${mismatched} (worker, device, type, app, hour) groups differ between Event and EventRollup, ` +
        `${rollupRows} rollup rows for ${seed.rollups} groups, ${eventsInPauses} events inside pauses.`,
    );
  }
  const checkSeconds = (performance.now() - checkStarted) / 1000;
  log(`consistent (${checkSeconds.toFixed(1)} s)`);

  // What to request --------------------------------------------------------
  const tz = opts.timezone;
  const today = localDateKey(new Date(), tz);
  const countSql = raw.prepare(
    `SELECT COUNT(*) AS n FROM "Event" WHERE "workerId" = ? AND "at" >= ? AND "at" < ?`,
  );
  const overview = (key: string, query: PeriodQuery, label: string): Request => {
    const search = new URLSearchParams(query as Record<string, string>).toString();
    const range = periodRange(query, new Date(), tz);
    const expectedTotal = (
      countSql.get(worker.id, stored(range.start), stored(range.end)) as { n: number }
    ).n;
    const days = Math.round((range.end.getTime() - range.start.getTime()) / DAY_MS);
    return {
      key,
      label,
      kind: "overview",
      path: `/data?${search}`,
      dataPath: `/data.data?${search}`,
      what: `${days} day${days === 1 ? "" : "s"}, ${fmtInt(expectedTotal)} events`,
      range,
      expectedTotal,
    };
  };
  const requests: Request[] = [
    overview("today", { period: "today" }, "`/data?period=today`"),
    overview("7d", { period: "7d" }, "`/data?period=7d`"),
    overview("30d", { period: "30d" }, "`/data?period=30d`"),
    overview(
      "custom-90",
      { period: "custom", from: minusDays(today, 89), to: today },
      "`/data?period=custom` (90 days)",
    ),
    overview(
      "custom-max",
      { period: "custom", from: minusDays(today, 91), to: today },
      "`/data?period=custom` (92 days, the longest allowed)",
    ),
  ];
  const pageSql = raw.prepare(
    `SELECT "id" FROM "Event" WHERE "workerId" = ? AND "at" <= ? AND ("at" < ? OR "id" < ?)
     ORDER BY "at" DESC, "id" DESC LIMIT 50`,
  );
  const firstPageSql = raw.prepare(
    `SELECT "id" FROM "Event" WHERE "workerId" = ? ORDER BY "at" DESC, "id" DESC LIMIT 50`,
  );
  const expectedIds = (cursor: EventCursor | null): number[] =>
    (cursor
      ? (pageSql.all(worker.id, stored(cursor.at), stored(cursor.at), cursor.id) as {
          id: number;
        }[])
      : (firstPageSql.all(worker.id) as { id: number }[])
    ).map((r) => r.id);
  requests.push({
    key: "events-first",
    label: "`/data/events` (first page)",
    kind: "events",
    path: "/data/events",
    dataPath: "/data/events.data",
    what: "50 newest records",
    cursor: null,
    expectedIds: expectedIds(null),
  });

  // Capture the app's SQL and time its data functions in this process --------
  const { PrismaClient } = await import("#app/generated/prisma/client.ts");
  const { createSqliteAdapter } = await import("#app/utils/sqlite-adapter.server.ts");
  const adapter = createSqliteAdapter(databaseUrl, "app");
  const client = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  let capturing: CapturedQuery[] | undefined;
  client.$on("query", (e) => {
    capturing?.push({ sql: e.query, params: JSON.parse(e.params) as unknown[] });
  });
  // db.server.ts keeps one client per process on globalThis: make it this one.
  globalThis.__lullAdapter = adapter;
  globalThis.__lullPrisma = client;
  res.disconnectPrisma = () => client.$disconnect();
  const { getActivitySeries, getDataOverview } =
    await import("#app/models/data-overview.server.ts");
  const { listDeviceChoices, listEvents } = await import("#app/models/event.server.ts");
  const runModels = async (r: Request) => {
    if (r.kind === "overview") {
      await Promise.all([
        getDataOverview(worker.id, r.range!.start, r.range!.end),
        getActivitySeries(worker.id, r.range!.start, r.range!.end, tz),
      ]);
    } else {
      await listDeviceChoices(worker.id);
      await listEvents(worker.id, {}, r.cursor ?? null);
    }
  };

  // Server -----------------------------------------------------------------
  const port = await freePort(HOST);
  const serverLog = path.join(fresh.tmpDir, "server.log");
  res.serverLog = serverLog;
  const logFd = openSync(serverLog, "a");
  log(`starting node build/server.js on ${HOST}:${port}`);
  const profileDir = path.join(fresh.tmpDir, "cpu-profile");
  const nodeFlags = opts.serverCpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const serverStartedAt = Date.now();
  res.server = spawn(process.execPath, [...nodeFlags, serverEntry], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: randomBytes(32).toString("hex"),
    },
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  await waitForHealthy(res.server, port);

  log(`signing in as ${worker.email}`);
  const signIn = await httpRequest({
    port,
    method: "POST",
    path: "/login",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      email: worker.email,
      password: PASSWORD,
      redirectTo: "",
    }).toString(),
    timeoutMs: 15_000,
  });
  const setCookies = signIn.headers["set-cookie"] ?? [];
  if (signIn.status !== 302 || setCookies.length === 0) {
    throw new Error(`Sign-in answered ${signIn.status}: ${signIn.body.slice(0, 300)}`);
  }
  const cookie = setCookies.map((c) => c.split(";")[0]).join("; ");
  // One keep-alive connection per timed series (the server closes idle ones after 5 s).
  let httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const retried: string[] = [];
  const get = async (p: string, headers: Record<string, string>): Promise<PageResponse> => {
    const once = () =>
      getPage({
        port,
        path: p,
        headers: { ...headers, Cookie: cookie },
        agent: httpAgent,
        timeoutMs: 30_000,
      });
    try {
      return await once();
    } catch (error) {
      // The server closed the kept-alive connection as the request went out:
      // like a browser, send the GET again once on a new connection.
      if (!/socket hang up|ECONNRESET/.test(String(error))) throw error;
      retried.push(`${new Date().toISOString().slice(11, 23)} ${p.slice(0, 40)}`);
      httpAgent.destroy();
      httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      return once();
    }
  };

  // The deep page: the app's own "Older →" link of a day ~6 months back.
  const deepDay = localDateKey(new Date(Date.now() - opts.deepDays * DAY_MS), tz);
  const filtered = await get(`/data/events?to=${deepDay}`, DOCUMENT_HEADERS);
  const filteredHtml = decodeBody(filtered);
  const nextLink = /<a\b[^>]*\brel="next"[^>]*>/.exec(filteredHtml)?.[0];
  const nextHref = nextLink ? /\bhref="([^"]*)"/.exec(nextLink)?.[1] : undefined;
  const cursorParam = nextHref
    ? new URLSearchParams(decodeEntities(nextHref).replace(/^[^?]*\?/, "")).get("cursor")
    : null;
  const deepCursor = decodeCursor(cursorParam ?? undefined);
  if (filtered.status !== 200 || !cursorParam || !deepCursor) {
    throw new Error(
      `No "Older →" link on /data/events?to=${deepDay} (status ${filtered.status}); cannot build a deep cursor.`,
    );
  }
  const olderThanDeep = (
    raw
      .prepare(`SELECT COUNT(*) AS n FROM "Event" WHERE "workerId" = ? AND "at" < ?`)
      .get(worker.id, stored(deepCursor.at)) as { n: number }
  ).n;
  const newerThanDeep = mine.events - olderThanDeep;
  const deepQuery = `cursor=${encodeURIComponent(cursorParam)}`;
  requests.push({
    key: "events-deep",
    label: `\`/data/events?cursor=…\` (${opts.deepDays} days back)`,
    kind: "events",
    path: `/data/events?${deepQuery}`,
    dataPath: `/data/events.data?${deepQuery}`,
    what: `50 records from ${formatDay(deepCursor.at, tz)} (page ${fmtInt(Math.ceil(newerThanDeep / 50))} of ${fmtInt(Math.ceil(mine.events / 50))})`,
    cursor: deepCursor,
    expectedIds: expectedIds(deepCursor),
  });

  // Plans and in-process timings of the app's data functions ----------------
  log("capturing the app's SQL (Prisma query log) and its query plans");
  const plans = new Map<string, PlanReport[]>();
  const captured = new Map<string, CapturedQuery[]>();
  for (const r of requests) {
    capturing = [];
    await runModels(r);
    const queries = capturing;
    capturing = undefined;
    captured.set(r.key, queries);
    plans.set(
      r.key,
      queries.filter((q) => /`(Event|EventRollup)`/.test(q.sql)).map((q) => explain(raw, q)),
    );
  }
  const prismaTimes = new Map<string, Summary>();
  for (const r of requests) {
    log(`in-process app data functions: ${r.key}`);
    for (let i = 0; i < opts.warmup; i++) await runModels(r);
    const times: number[] = [];
    for (let i = 0; i < opts.requests; i++) {
      const t0 = performance.now();
      await runModels(r);
      times.push(performance.now() - t0);
    }
    prismaTimes.set(r.key, summarize(times));
  }
  // What-if for the deep page: listEvents' query with the cursor's time as an
  // upper bound the index can use (same rows, checked), through Prisma.
  const boundedDeepPage = () =>
    client.event.findMany({
      where: {
        workerId: worker.id,
        at: { lte: deepCursor.at },
        OR: [{ at: { lt: deepCursor.at } }, { id: { lt: deepCursor.id } }],
      },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: 51,
      select: { id: true, type: true, at: true, app: true, device: { select: { name: true } } },
    });
  const boundedIds = (await boundedDeepPage()).slice(0, 50).map((e) => e.id);
  const deepExpected = requests.find((r) => r.key === "events-deep")!.expectedIds!;
  const boundedSame =
    boundedIds.length === deepExpected.length &&
    boundedIds.every((id, i) => id === deepExpected[i]);
  const boundedPrismaTimes: number[] = [];
  for (let i = 0; i < opts.warmup + opts.requests; i++) {
    const t0 = performance.now();
    await boundedDeepPage();
    if (i >= opts.warmup) boundedPrismaTimes.push(performance.now() - t0);
  }
  const boundedPrisma = summarize(boundedPrismaTimes);
  await client.$disconnect();
  res.disconnectPrisma = undefined;

  // HTTP -------------------------------------------------------------------
  const validate = (r: Request, html: string, dataBody: string | undefined): string[] => {
    const problems: string[] = [];
    if (r.kind === "overview") {
      const total = /data-testid="data-total"[^>]*>\s*<strong[^>]*>([\d,]+)<\/strong>/.exec(
        html,
      )?.[1];
      const shown = total ? Number(total.replace(/,/g, "")) : Number.NaN;
      if (shown !== r.expectedTotal) {
        problems.push(`total shown ${total ?? "(none)"}, events in the period ${r.expectedTotal}`);
      }
      if (dataBody !== undefined && !dataBody.includes(String(r.expectedTotal))) {
        problems.push(".data answer lacks the total");
      }
    } else {
      const ids = [...html.matchAll(/href="\/data\/events\/(\d+)"/g)].map((m) => Number(m[1]));
      const expected = r.expectedIds ?? [];
      if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) {
        problems.push(
          `records ${ids.slice(0, 3).join(", ")}… (${ids.length}), expected ${expected.slice(0, 3).join(", ")}… (${expected.length})`,
        );
      }
      if (
        dataBody !== undefined &&
        expected[0] !== undefined &&
        !dataBody.includes(String(expected[0]))
      ) {
        problems.push(".data answer lacks the first record");
      }
    }
    return problems;
  };

  // Every URL and variant gets its warm-up; then the timed requests go in
  // rounds (one of each per round), so a passing disturbance (another
  // process, a retention run, GC) spreads over all URLs instead of one.
  type Series = {
    request: Request;
    variant: "document" | "single-fetch";
    path: string;
    headers: Record<string, string>;
    times: number[];
    failures: number;
    firstFailure?: string;
    first?: PageResponse;
    last?: PageResponse;
    /** Wall-clock start and duration of each timed request. */
    log: [number, number][];
  };
  const series: Series[] = requests.flatMap((request) => [
    {
      request,
      variant: "document" as const,
      path: request.path,
      headers: DOCUMENT_HEADERS,
      times: [],
      failures: 0,
      log: [],
    },
    ...(opts.singleFetch
      ? [
          {
            request,
            variant: "single-fetch" as const,
            path: request.dataPath,
            headers: SINGLE_FETCH_HEADERS,
            times: [],
            failures: 0,
            log: [],
          },
        ]
      : []),
  ]);
  httpAgent.destroy();
  httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  log(`HTTP warm-up: ${opts.warmup} requests to each of ${series.length} URLs`);
  for (const s of series) {
    for (let i = 0; i < Math.max(1, opts.warmup); i++) {
      const res = await get(s.path, s.headers);
      s.first ??= res;
    }
  }
  log(`HTTP: ${opts.requests} timed rounds of ${series.length} requests`);
  const cpuWindowUs = { fromUs: monotonicUs(), toUs: 0 };
  const cpuBefore = processCpuSeconds(res.server?.pid);
  const machineBefore = machineCpuSeconds();
  const selfBefore = process.cpuUsage();
  const httpStarted = performance.now();
  // This machine may be shared: a round during which other processes used
  // more than the limit is run again (at most --requests times in all), and
  // the repeats are reported.
  const otherLimit = opts.otherCpuLimit / 100;
  let repeated = 0;
  let disturbedKept = 0;
  let keptOtherSeconds = 0;
  let keptSeconds = 0;
  for (let round = 0; round < opts.requests;) {
    const m0 = machineCpuSeconds();
    const s0 = processCpuSeconds(res.server?.pid);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const samples: { s: Series; res: PageResponse; startedAt: number }[] = [];
    for (const s of series) {
      const startedAt = Date.now();
      samples.push({ s, res: await get(s.path, s.headers), startedAt });
    }
    const seconds = (performance.now() - t0) / 1000;
    const c1 = process.cpuUsage(c0);
    const other =
      machineCpuSeconds() -
      m0 -
      (processCpuSeconds(res.server?.pid) - s0) -
      (c1.user + c1.system) / 1e6;
    const disturbed = other / seconds > otherLimit;
    if (disturbed && opts.otherCpuLimit > 0 && repeated < opts.requests) {
      repeated++;
      continue;
    }
    if (disturbed) disturbedKept++;
    keptOtherSeconds += Math.max(0, other);
    keptSeconds += seconds;
    for (const { s, res, startedAt } of samples) {
      s.times.push(res.ms);
      s.log.push([startedAt, res.ms]);
      if (res.status !== 200) {
        s.failures++;
        s.firstFailure ??= `${res.status} ${decodeBody(res).slice(0, 200)}`;
      }
      s.last = res;
    }
    round++;
    if (round % 20 === 0) {
      log(`HTTP: ${round}/${opts.requests} rounds (${repeated} repeated so far)`);
    }
  }
  const httpSeconds = (performance.now() - httpStarted) / 1000;
  cpuWindowUs.toUs = monotonicUs();
  const cpuSeconds = processCpuSeconds(res.server?.pid) - cpuBefore;
  const selfUsage = process.cpuUsage(selfBefore);
  const selfSeconds = (selfUsage.user + selfUsage.system) / 1e6;
  const otherSeconds = machineCpuSeconds() - machineBefore - cpuSeconds - selfSeconds;
  const rssAfter = processRssBytes(res.server?.pid);
  httpAgent.destroy();

  const httpResult = (s: Series): HttpResult => {
    const sample = s.last ?? s.first!;
    return {
      summary: summarize(s.times),
      wireBytes: sample.wireBytes,
      decodedBytes: Buffer.byteLength(decodeBody(sample)),
      encoding: String(sample.headers["content-encoding"] ?? "identity"),
      failures: s.failures,
      firstFailure: s.firstFailure,
      log: s.log,
    };
  };
  const results: RowResult[] = requests.map((r) => {
    const doc = series.find((s) => s.request === r && s.variant === "document")!;
    const single = series.find((s) => s.request === r && s.variant === "single-fetch");
    const checks = validate(
      r,
      decodeBody(doc.first!),
      single ? decodeBody(single.first!) : undefined,
    );
    if (doc.first!.status !== 200) checks.push(`document answered ${doc.first!.status}`);
    if (single && single.first!.status !== 200) {
      checks.push(`.data answered ${single.first!.status}`);
    }
    return {
      request: r,
      document: httpResult(doc),
      singleFetch: single ? httpResult(single) : undefined,
      prisma: prismaTimes.get(r.key)!,
      sql: summarize([]),
      checks,
    };
  });

  // Raw SQL baseline ---------------------------------------------------------
  for (const row of results) {
    log(`raw SQL baseline: ${row.request.key}`);
    const statements = (captured.get(row.request.key) ?? []).map((q) => ({
      stmt: raw.prepare(q.sql),
      args: bindable(q.params),
    }));
    const run = () => {
      for (const { stmt, args } of statements) stmt.all(...args);
    };
    for (let i = 0; i < opts.warmup; i++) run();
    const times: number[] = [];
    for (let i = 0; i < opts.requests; i++) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
    }
    row.sql = summarize(times);
  }
  // The same deep page with the time condition the index can use.
  const boundedDeep = (() => {
    const stmt = raw.prepare(
      `SELECT e."id", e."type", e."at", e."app", d."name" FROM "Event" e JOIN "Device" d ON d."id" = e."deviceId"
       WHERE e."workerId" = ? AND e."at" <= ? AND (e."at" < ? OR e."id" < ?)
       ORDER BY e."at" DESC, e."id" DESC LIMIT 51`,
    );
    const args = [worker.id, stored(deepCursor.at), stored(deepCursor.at), deepCursor.id];
    const times: number[] = [];
    for (let i = 0; i < opts.warmup + opts.requests; i++) {
      const t0 = performance.now();
      stmt.all(...args);
      if (i >= opts.warmup) times.push(performance.now() - t0);
    }
    const plan = (
      raw.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...args) as { detail: string }[]
    ).map((p) => p.detail);
    return { summary: summarize(times), plan };
  })();

  // Retention: the server runs it 60 s after start and hourly; its lookup of
  // old events cannot use an index. Time the same lookup here (nothing is old).
  const retentionLookup = (() => {
    // The retention job's lookup, as runRetention sends it: device by device.
    const stmt = raw.prepare(`SELECT "id" FROM "Event" WHERE "deviceId" = ? AND "at" < ? LIMIT ?`);
    const devices = (raw.prepare(`SELECT "id" FROM "Device"`).all() as { id: string }[]).map(
      (d) => d.id,
    );
    const cutoff = stored(Date.now() - RETENTION_DAYS * DAY_MS);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      for (const id of devices) stmt.all(id, cutoff, 5000);
      times.push(performance.now() - t0);
    }
    const plan = (
      raw.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(devices[0], cutoff, 5000) as {
        detail: string;
      }[]
    ).map((p) => p.detail);
    return { summary: summarize(times), plan };
  })();
  const retentionRuns = (
    raw
      .prepare(`SELECT "at" FROM "AuditEvent" WHERE "action" = 'retention.run' AND "at" >= ?`)
      .all(stored(serverStartedAt)) as { at: string }[]
  ).map((r) => new Date(r.at).getTime());
  raw.close();

  // Verdicts -----------------------------------------------------------------
  const allPlans = [...plans.entries()].flatMap(([key, list]) => list.map((p) => ({ key, ...p })));
  const fullScans = allPlans.filter((p) => p.fullScan);
  const unbounded = allPlans.filter((p) => p.unbounded);

  const rows = results.map((row) => {
    const d = row.document;
    const s = row.singleFetch;
    const ok =
      d.failures === 0 &&
      d.summary.p95 < TARGET_P95_MS &&
      (!s || (s.failures === 0 && s.summary.p95 < TARGET_P95_MS)) &&
      row.checks.length === 0;
    if (!ok) failedTargets.push(row.request.label);
    return [
      row.request.label,
      row.request.what,
      distribution(d.summary),
      `${formatBytes(d.wireBytes)} ${d.encoding} (${formatBytes(d.decodedBytes)} HTML)`,
      s ? `${formatMs(s.summary.p50)} · ${formatMs(s.summary.p95)}` : "—",
      `${formatMs(row.prisma.p50)} · ${formatMs(row.prisma.p95)}`,
      `${formatMs(row.sql.p50)} · ${formatMs(row.sql.p95)}`,
      ok
        ? "✅ pass"
        : `❌ FAIL${row.checks.length ? ` (${row.checks.join("; ")})` : ""}${d.failures ? ` (${d.failures} errors: ${d.firstFailure})` : ""}`,
    ];
  });

  const mainTable = table(
    [
      "Request",
      "Data",
      "Document p50 · p95 · p99 · max",
      "Document size",
      "`.data` p50 · p95",
      "App data functions (Prisma) p50 · p95",
      "Raw SQL p50 · p95",
      `p95 < ${TARGET_P95_MS} ms`,
    ],
    rows,
  );

  // Context ------------------------------------------------------------------
  const share = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${pct(v, mine.events)}`)
      .join(", ");
  const context = [
    `Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown CPU"}), ${formatBytes(os.totalmem())} RAM, Node ${process.version}; one server process (\`node build/server.js\`, NODE_ENV=production) and this client on the same machine; commit ${commit}; ${new Date().toISOString()}.`,
    `Data: ${fmtInt(mine.events)} events of one worker (${opts.timezone}) over ${opts.days} days, ${mine.byDevice.map((d) => `${d.name} ${fmtInt(d.events)} on ${d.activeDays} days`).join(", ")}; ${fmtInt(mine.rollups)} hourly rollup rows; ${mine.pauses} pauses. Types: ${share(mine.byType)}. Apps: ${share(mine.byApp)}. Plus ${opts.otherWorkers} other workers with ${fmtInt(opts.otherEvents)} events each: ${fmtInt(seed.events)} events and ${fmtInt(seed.rollups)} rollup rows in all; database ${formatBytes(dbBytes)}; retention set to ${RETENTION_DAYS} days so the year is kept.`,
    `Seed: ${seed.seconds.toFixed(1)} s with better-sqlite3 (migrations ${migrateSeconds.toFixed(1)} s before it); checked in ${checkSeconds.toFixed(1)} s that every (worker, device, type, app, hour) rollup equals its events and that no event lies inside a pause.`,
    `Timing: ${opts.warmup} warm-up requests per URL, then ${opts.requests} rounds of one request to each URL in turn (sequential, one keep-alive connection, signed in, browser headers with Accept-Encoding: gzip, deflate, br, zstd); time from sending the request to the last byte of the body. Document = a browser navigation (HTML); \`.data\` = Remix single fetch (a client-side navigation). Timed requests took ${httpSeconds.toFixed(0)} s: server CPU ${cpuSeconds.toFixed(1)} s, this client ${selfSeconds.toFixed(1)} s, other processes on the machine ${Math.max(0, otherSeconds).toFixed(1)} s. ${opts.otherCpuLimit > 0 ? `Rounds during which other processes used more than ${opts.otherCpuLimit} % of one CPU were run again: ${repeated} repeated${disturbedKept ? `, ${disturbedKept} kept anyway (repeat budget spent)` : ""}; in the kept rounds other processes used ${((keptOtherSeconds / keptSeconds) * 100).toFixed(0)} % of one CPU on average.` : `Every round kept; other processes used ${((keptOtherSeconds / keptSeconds) * 100).toFixed(0)} % of one CPU on average.`} Server RSS afterwards ${formatBytes(rssAfter)}.`,
    `Deep page: the cursor of the "Older →" link on \`/data/events?to=${deepDay}\`, opened without the filter (${fmtInt(olderThanDeep)} of the worker's events are older, ${fmtInt(newerThanDeep)} newer).`,
    `App data functions = the loaders' model calls (getDataOverview + getActivitySeries; listDeviceChoices + listEvents) in this process through Prisma, without HTTP, session or rendering. Raw SQL = the very statements Prisma sent for them (from its query log), replayed one after another on better-sqlite3 with the same parameters on the same file, reading every row.`,
  ];
  for (const row of results) {
    if (row.checks.length) context.push(`${row.request.label}: ${row.checks.join("; ")}.`);
  }
  if (retried.length) {
    notes.push(
      `${retried.length} request(s) found their kept-alive connection closed by the server and were sent again on a new one (timed as the second attempt): ${retried.slice(0, 5).join(", ")}.`,
    );
  }
  const retentionHits = retentionRuns.map((at) => {
    // The timed request it started during (or the first one after it).
    const hit = results
      .flatMap((r) =>
        [
          ["", r.document] as const,
          ...(r.singleFetch ? [[" (.data)", r.singleFetch] as const] : []),
        ].flatMap(([suffix, h]) =>
          h.log.map(([startedAt, ms]) => ({ label: `${r.request.label}${suffix}`, startedAt, ms })),
        ),
      )
      .filter((x) => x.startedAt + x.ms >= at)
      .sort((x, y) => x.startedAt - y.startedAt)[0];
    const when = `${new Date(at).toISOString().slice(11, 19)} (${Math.round((at - serverStartedAt) / 1000)} s after start)`;
    return hit && hit.startedAt <= at + 1000
      ? `${when}, during a request to ${hit.label} that took ${formatMs(hit.ms)}`
      : `${when}, outside the timed requests`;
  });
  notes.push(
    `Retention ran ${retentionRuns.length === 1 ? "once" : `${retentionRuns.length} times`} in the server during the run${retentionHits.length ? `: ${retentionHits.join("; ")}` : ""}. Its lookup, device by device (\`SELECT "id" FROM "Event" WHERE "deviceId" = ? AND "at" < ? LIMIT 5000\`, plan: ${retentionLookup.plan.join(" / ")}), takes ${formatMs(retentionLookup.summary.p50)} for all devices on this database when nothing is old.`,
  );

  // Plans section ------------------------------------------------------------
  const planLines: string[] = [];
  for (const r of requests) {
    const list = plans.get(r.key) ?? [];
    if (r.kind !== "events" && r.key !== "custom-max") continue;
    planLines.push(`${r.label}:`, "");
    for (const p of list) {
      planLines.push(
        "```sql",
        p.sql.replace(/`main`\./g, "").replace(/`/g, '"'),
        `-- ${p.plan.join("\n-- ")}`,
        "```",
        "",
      );
    }
  }
  const planVerdict = [
    fullScans.length
      ? `❌ ${fullScans.length} page queries scan Event or EventRollup in full.`
      : `✅ No page query scans Event or EventRollup (${allPlans.length} queries on them checked, all requests).`,
    unbounded.length
      ? `⚠️ ${unbounded.length} quer${unbounded.length === 1 ? "y" : "ies"} on Event with a time condition use${unbounded.length === 1 ? "s" : ""} the \`(workerId, at)\` index for workerId only, walking the worker's index entries newest-first until the page is full (${[...new Set(unbounded.map((u) => u.key))].join(", ")}). The same deep page with \`"at" <= cursor.at AND ("at" < cursor.at OR "id" < cursor.id)\` takes ${formatMs(boundedDeep.summary.p50)} (p95 ${formatMs(boundedDeep.summary.p95)}) in raw SQL and ${formatMs(boundedPrisma.p50)} (p95 ${formatMs(boundedPrisma.p95)}) as a Prisma findMany (\`at: { lte: cursor.at }, OR: [{ at: { lt: cursor.at } }, { id: { lt: cursor.id } }]\`, ${boundedSame ? "same 50 records" : "❌ different records"}); plan: ${boundedDeep.plan.join(" / ")}.`
      : "✅ Every time condition on Event bounds the index range.",
  ];

  // Server CPU profile -------------------------------------------------------
  const profileSection: string[] = [];
  if (opts.serverCpuProf) {
    await stopChild(res.server);
    const file = existsSync(profileDir)
      ? readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"))
      : undefined;
    if (file) {
      const p = summarizeCpuProfile(path.join(profileDir, file), cpuWindowUs, 20);
      profileSection.push(
        `## Server CPU profile (${p.windowed ? "timed HTTP requests" : "whole server lifetime"}, idle excluded)`,
        "",
        `Busy CPU: ${(p.busyMs / 1000).toFixed(2)} s.`,
        "",
        table(
          ["Area", "CPU", "Share"],
          p.areas.map((a) => [a.name, formatMs(a.ms), `${(a.share * 100).toFixed(1)} %`]),
        ),
        "",
        table(
          ["Function (self time)", "CPU", "Share"],
          p.functions.map((f) => [
            `\`${f.name}\``,
            formatMs(f.ms),
            `${(f.share * 100).toFixed(1)} %`,
          ]),
        ),
        "",
      );
    }
  }

  const logText =
    res.serverLog && existsSync(res.serverLog) ? readFileSync(res.serverLog, "utf8") : "";
  const errorLines = logText.split("\n").filter((l) => /error|warn/i.test(l));
  if (errorLines.length) {
    notes.push(
      `Server log: ${errorLines.length} error/warning lines, e.g. \`${errorLines[0]!.slice(0, 200)}\`.`,
    );
  }

  const markdown = [
    "# My data benchmark",
    "",
    mainTable,
    "",
    ...context.map((c) => `- ${c}`),
    ...notes.map((n) => `- ${n}`),
    "",
    "## Query plans (EXPLAIN QUERY PLAN of the SQL Prisma sent)",
    "",
    ...planVerdict.map((v) => `- ${v}`),
    "",
    ...planLines,
    ...profileSection,
    `Command: \`npx tsx bench/data.ts ${process.argv.slice(2).join(" ")}\``.replace(/ `$/, "`"),
    "",
  ].join("\n");

  if (fullScans.length) {
    console.log(markdown);
    throw new Error(
      `Full scan in a page query:\n${fullScans.map((f) => `${f.key}: ${f.plan.join(" / ")}\n  ${f.sql}`).join("\n")}`,
    );
  }
  return { markdown, failedTargets };
}

/** CPU seconds used by everything on the machine so far (busy time of all CPUs), from /proc/stat. */
function machineCpuSeconds(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100
    );
  } catch {
    return Number.NaN;
  }
}

try {
  const { markdown: raw, failedTargets } = await main();
  // Formatted like the rest of the repository, so `prettier --check .` passes.
  const markdown = await format(raw, { parser: "markdown" });
  console.log(markdown);
  const resultsDir = path.join(ROOT, "bench/results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, "data-latest.md"), markdown);
  log(
    `wrote bench/results/data-latest.md in ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`,
  );
  if (failedTargets.length) {
    log(`p95 target (${TARGET_P95_MS} ms) missed by: ${failedTargets.join(", ")}`);
  }
  await cleanup();
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  printLogTail(res.serverLog);
  await cleanup();
  process.exit(1);
}
