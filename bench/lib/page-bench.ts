/**
 * Pages over HTTP with a same-run SQL baseline, for the page benchmarks
 * (bench/admin.ts, bench/data.ts). A bench lists its pages (URL, the
 * loader's model calls, what the page must show); this module:
 * 1. runs each page's model calls in this process through Prisma while the
 *    driver adapter records their SQL (sql-capture.ts), then times them;
 * 2. requests each URL from the production server as a document (a
 *    browser's navigation: HTML, compressed) and as a single fetch
 *    (`….data`, a client-side navigation): a warm-up, each page checked
 *    against the database on its first answers, optionally a wait for the
 *    server's first retention run, then timed rounds, one request per URL
 *    and variant per round, timed to the last byte of the body;
 * 3. replays the recorded statements on better-sqlite3 against the same
 *    file (the baseline), each timed, with its query plan;
 * 4. reports three rows per page: document, `.data`, and the baseline.
 * The machine may be shared: a round (HTTP, in process or raw SQL) during
 * which other processes used much CPU is run again.
 */
import { performance } from "node:perf_hooks";
import type Database from "better-sqlite3";
import { bool, int, type BenchServer, type FlagValues, type Row } from "./harness.ts";
import {
  DOCUMENT_HEADERS,
  SINGLE_FETCH_HEADERS,
  decodeBody,
  type HttpResult,
  type PageSession,
} from "./http.ts";
import { capturingAdapter, type CaptureSink, type CapturedQuery } from "./sql-capture.ts";
import {
  fmtInt,
  formatBytes,
  formatMs,
  formatSummary,
  machineCpuSeconds,
  monotonicUs,
  sleep,
  summarize,
  type Summary,
} from "./stats.ts";

export type Expectation = { label: string; value: number | string[] };

export type Page = {
  key: string;
  label: string;
  path: string;
  dataPath: string;
  /** What the page holds at this scale, for the notes. */
  what: string;
  /** The loader's model calls, in process. */
  run: () => Promise<unknown>;
  /** What the page must show, from the database; computed right after its first answer. */
  expect: () => Expectation[];
  /** Reads the same facts from the page's HTML, in the same order. */
  read: (html: string) => (number | string[] | undefined)[];
};

export function pageFlags(d: { requests: number; warmup: number; retentionWaitSeconds: number }) {
  return {
    requests: int("timed sequential requests per URL and variant", d.requests, 1, "R"),
    warmup: int("untimed requests per URL first", d.warmup, 0, "K"),
    otherCpuLimit: int(
      "run a timed round again when other processes used more than P % of one CPU (0 = never)",
      20,
      0,
      "P",
    ),
    retentionWaitSeconds: int(
      "before timing, wait up to S s for the server's first retention run (60 s after start) and report it (0 = no wait)",
      d.retentionWaitSeconds,
      0,
      "S",
    ),
    skipSingleFetch: bool("only document requests, no ….data requests"),
  };
}

type PageFlags = FlagValues<ReturnType<typeof pageFlags>>;
type Context = {
  flags: PageFlags;
  log: (message: string) => void;
  onCleanup(task: () => unknown): void;
  profileWindow?: { fromUs: number; toUs: number; label: string };
};

/**
 * A Prisma client on the app's own adapter, made the app's client (db.server.ts
 * keeps one per process on globalThis), recording the SQL it sends into
 * `sink` while `sink.queries` is set; recording costs nothing otherwise.
 */
export async function capturingPrisma(ctx: Context, databaseUrl: string) {
  const { PrismaClient } = await import("#app/generated/prisma/client.ts");
  const { createSqliteAdapter } = await import("#app/utils/sqlite-adapter.server.ts");
  const sink: CaptureSink = {};
  const adapter = capturingAdapter(createSqliteAdapter(databaseUrl, "app"), sink);
  const client = new PrismaClient({ adapter });
  globalThis.__lullAdapter = adapter;
  globalThis.__lullPrisma = client;
  ctx.onCleanup(() => client.$disconnect());
  return { sink, client };
}

// ---------------------------------------------------------------- rounds

type RoundStats = {
  repeated: number;
  disturbedKept: number;
  keptOtherSeconds: number;
  keptSeconds: number;
};

/** Rounds shorter than this are kept whatever /proc/stat says (its 10 ms ticks are too coarse). */
const MIN_JUDGED_ROUND_SECONDS = 0.25;

/**
 * `count` timed rounds. A round during which other processes (neither this
 * one nor the server) used more than --other-cpu-limit of one CPU is
 * dropped and run again, at most `count` times in all. `round` does the
 * work and returns what keeps its samples.
 */
async function timedRounds(
  ctx: Context,
  server: BenchServer | undefined,
  count: number,
  label: string,
  round: () => Promise<() => void>,
): Promise<RoundStats> {
  const limit = ctx.flags.otherCpuLimit / 100;
  const serverCpu = () => (server?.running() ? server.cpuSeconds() : 0);
  const stats: RoundStats = { repeated: 0, disturbedKept: 0, keptOtherSeconds: 0, keptSeconds: 0 };
  for (let kept = 0; kept < count;) {
    const m0 = machineCpuSeconds();
    const s0 = serverCpu();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const keep = await round();
    const seconds = (performance.now() - t0) / 1000;
    const c1 = process.cpuUsage(c0);
    const other = machineCpuSeconds() - m0 - (serverCpu() - s0) - (c1.user + c1.system) / 1e6;
    const disturbed = seconds >= MIN_JUDGED_ROUND_SECONDS && other / seconds > limit;
    if (disturbed && limit > 0 && stats.repeated < count) {
      stats.repeated++;
      continue;
    }
    if (disturbed) stats.disturbedKept++;
    stats.keptOtherSeconds += Math.max(0, other);
    stats.keptSeconds += seconds;
    keep();
    kept++;
    if (kept % 10 === 0 && kept < count) {
      ctx.log(`${label}: ${kept}/${count} rounds (${stats.repeated} repeated so far)`);
    }
  }
  return stats;
}

function describeRounds(ctx: Context, stats: RoundStats): string {
  if (ctx.flags.otherCpuLimit === 0) return "every round kept";
  const share = (stats.keptOtherSeconds / Math.max(stats.keptSeconds, 1e-9)) * 100;
  return `${stats.repeated} rounds run again${stats.disturbedKept ? `, ${stats.disturbedKept} disturbed ones kept (repeat budget spent)` : ""}; other processes used ${share.toFixed(0)} % of one CPU in the kept rounds`;
}

// ---------------------------------------------------------------- in process

export type InProcess = {
  captured: Map<string, CapturedQuery[]>;
  times: Map<string, Summary>;
  rounds: RoundStats;
};

/** Step 1: each page's SQL recorded, then its model calls timed in rounds (server idle or not started). */
export async function timeInProcess(
  ctx: Context,
  pages: readonly Page[],
  sink: CaptureSink,
  server?: BenchServer,
): Promise<InProcess> {
  ctx.log("capturing the app's SQL at the driver adapter");
  const captured = new Map<string, CapturedQuery[]>();
  for (const p of pages) {
    sink.queries = [];
    await p.run();
    captured.set(
      p.key,
      sink.queries.filter((c) => !/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(c.sql)),
    );
    sink.queries = undefined;
  }
  const { warmup, requests } = ctx.flags;
  ctx.log(`in-process app data functions: ${warmup} warm-up and ${requests} timed rounds`);
  for (let i = 0; i < warmup; i++) for (const p of pages) await p.run();
  const samples = new Map<string, number[]>(pages.map((p) => [p.key, []]));
  const rounds = await timedRounds(ctx, server, requests, "in process", async () => {
    const times: number[] = [];
    for (const p of pages) {
      const t0 = performance.now();
      await p.run();
      times.push(performance.now() - t0);
    }
    return () => pages.forEach((p, i) => samples.get(p.key)!.push(times[i]!));
  });
  const times = new Map(pages.map((p) => [p.key, summarize(samples.get(p.key)!)]));
  return { captured, times, rounds };
}

// ---------------------------------------------------------------- HTTP and baseline

type Series = {
  page: Page;
  variant: "document" | ".data";
  path: string;
  headers: Record<string, string>;
  times: number[];
  failures: number;
  firstFailure?: string;
  first?: HttpResult;
  last?: HttpResult;
};

export type StatementTiming = {
  what: string;
  sql: string;
  args: unknown[];
  rows: number;
  p50: number;
  plan: string[];
};

/** The first page answers against the database: what is wrong, in words. */
function checkAnswer(s: Series, res: HttpResult): string[] {
  if (res.status !== 200) {
    return [`${s.variant} answered ${res.status}: ${decodeBody(res).slice(0, 120)}`];
  }
  const body = decodeBody(res);
  const expected = s.page.expect();
  const show = (v: unknown) =>
    Array.isArray(v) ? `${v.slice(0, 2).join(", ")}… (${v.length})` : String(v);
  if (s.variant === ".data") {
    return expected.flatMap((e) => {
      const needle = Array.isArray(e.value) ? e.value[0] : String(e.value);
      return needle !== undefined && !body.includes(needle)
        ? [`.data answer lacks the ${e.label} (${needle})`]
        : [];
    });
  }
  const shown = s.page.read(body);
  return expected.flatMap((e, k) => {
    const got = shown[k];
    const same = Array.isArray(e.value)
      ? Array.isArray(got) && got.join() === e.value.join()
      : got === e.value;
    return same ? [] : [`${e.label}: page shows ${show(got)}, database has ${show(e.value)}`];
  });
}

/**
 * Steps 2–4 on a running server with a signed-in session; `inProcess` is
 * step 1's result. Returns the table rows, the notes and a section listing
 * each page's slowest statements with their plans.
 */
export async function measurePages(
  ctx: Context,
  o: {
    server: BenchServer;
    session: PageSession;
    /** Who the session is, for the notes. */
    signedInAs: string;
    raw: Database.Database;
    pages: readonly Page[];
    inProcess: InProcess;
    targetMs: number;
    /** What the retention job had to go through, e.g. "for 15,000 devices and their workers". */
    retentionScope?: string;
    /** What a statement does, in a few words (default: its first 60 characters). */
    describe?: (sql: string) => string | undefined;
  },
): Promise<{
  rows: Row[];
  notes: string[];
  section: string[];
  statements: Map<string, StatementTiming[]>;
}> {
  const { flags, log } = ctx;
  const { server, session, raw, pages } = o;
  const series: Series[] = pages.flatMap((page) =>
    (flags.skipSingleFetch ? ["document" as const] : ["document" as const, ".data" as const]).map(
      (variant) => ({
        page,
        variant,
        path: variant === "document" ? page.path : page.dataPath,
        headers: variant === "document" ? DOCUMENT_HEADERS : SINGLE_FETCH_HEADERS,
        times: [],
        failures: 0,
      }),
    ),
  );

  // The server runs retention 60 s after it starts (then hourly): its audit
  // row (dated when the run started) appears when the run ends.
  const since = new Date(server.startedAt - 1000).toISOString().replace("Z", "+00:00");
  const retentionRuns = () =>
    (
      raw
        .prepare(
          `SELECT "at" FROM "AuditEvent" WHERE "action" = 'retention.run' AND "at" >= ? ORDER BY "at"`,
        )
        .all(since) as { at: string }[]
    ).map((r) => new Date(r.at).getTime());
  let firstRun: { startedAt: number; endedBy: number } | undefined;
  const watch = () => {
    const at = firstRun ? undefined : retentionRuns()[0];
    if (at !== undefined) firstRun = { startedAt: at, endedBy: Date.now() };
  };
  const watcher = flags.retentionWaitSeconds > 0 ? setInterval(watch, 100) : undefined;

  log(`HTTP warm-up: ${flags.warmup} requests to each of ${series.length} URLs`);
  const checks = new Map<string, string[]>(pages.map((p) => [p.key, []]));
  for (const s of series) {
    for (let i = 0; i < Math.max(1, flags.warmup); i++) {
      const res = await session.get(s.path, s.headers);
      if (!s.first) checks.get(s.page.key)!.push(...checkAnswer(s, (s.first = res)));
    }
  }

  // Wait for the first retention run to end (probing a light page while it
  // runs), so the timed rounds do not include it; it is reported on its own.
  if (watcher) {
    const probe = series[series.length - 1]!;
    const deadline = server.startedAt + (60 + flags.retentionWaitSeconds) * 1000;
    if (!firstRun) log("waiting for the server's first retention run (60 s after start)");
    while (!firstRun && Date.now() < deadline) {
      if (Date.now() >= server.startedAt + 59_000) await session.get(probe.path, probe.headers);
      else await sleep(200);
      watch();
    }
    clearInterval(watcher);
    log(
      firstRun
        ? `retention ran for about ${((firstRun.endedBy - firstRun.startedAt) / 1000).toFixed(1)} s`
        : "retention did not finish in the wait; timing anyway",
    );
    session.reconnect();
  }

  log(`HTTP: ${flags.requests} timed rounds of ${series.length} requests`);
  const fromUs = monotonicUs();
  const cpuBefore = server.cpuSeconds();
  const machineBefore = machineCpuSeconds();
  const selfBefore = process.cpuUsage();
  const httpStarted = performance.now();
  const httpRounds = await timedRounds(ctx, server, flags.requests, "HTTP", async () => {
    const samples: { s: Series; res: HttpResult }[] = [];
    for (const s of series) samples.push({ s, res: await session.get(s.path, s.headers) });
    return () => {
      for (const { s, res } of samples) {
        s.times.push(res.ms);
        if (res.status !== 200) {
          s.failures++;
          s.firstFailure ??= `${res.status} ${decodeBody(res).slice(0, 200)}`;
        }
        s.last = res;
      }
    };
  });
  const httpSeconds = (performance.now() - httpStarted) / 1000;
  ctx.profileWindow = { fromUs, toUs: monotonicUs(), label: "timed HTTP requests" };
  const cpuSeconds = server.cpuSeconds() - cpuBefore;
  const selfUsage = process.cpuUsage(selfBefore);
  const selfSeconds = (selfUsage.user + selfUsage.system) / 1e6;
  const otherSeconds = machineCpuSeconds() - machineBefore - cpuSeconds - selfSeconds;
  const rssAfter = server.rssBytes();
  session.close();

  // Baseline: the statements Prisma sent, on better-sqlite3.
  const replays = pages.map((p) => {
    const statements = (o.inProcess.captured.get(p.key) ?? []).map((c) => ({
      c,
      stmt: raw.prepare(c.sql),
    }));
    return {
      page: p,
      statements,
      each: statements.map(() => [] as number[]),
      totals: [] as number[],
      rows: statements.map(() => 0),
    };
  });
  const replayRound = () =>
    replays.map((r) =>
      r.statements.map(({ c, stmt }, k) => {
        const t0 = performance.now();
        r.rows[k] = stmt.reader ? stmt.all(...c.args).length : (stmt.run(...c.args), 0);
        return performance.now() - t0;
      }),
    );
  log(`raw SQL baseline: ${flags.warmup} warm-up and ${flags.requests} timed rounds`);
  for (let i = 0; i < flags.warmup; i++) replayRound();
  const sqlRounds = await timedRounds(ctx, server, flags.requests, "raw SQL", () => {
    const times = replayRound();
    return Promise.resolve(() =>
      replays.forEach((r, i) => {
        times[i]!.forEach((ms, k) => r.each[k]!.push(ms));
        r.totals.push(times[i]!.reduce((a, b) => a + b, 0));
      }),
    );
  });
  const describe = (sql: string) =>
    o.describe?.(sql) ??
    sql
      .replace(/`main`\./g, "")
      .replace(/[`"]/g, "")
      .replace(/\s+/g, " ")
      .slice(0, 60);
  const statements = new Map(
    replays.map((r) => [
      r.page.key,
      r.statements
        .map(({ c }, k): StatementTiming => ({
          what: describe(c.sql),
          sql: c.sql,
          args: c.args,
          rows: r.rows[k]!,
          p50: summarize(r.each[k]!).p50,
          plan: (
            raw.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.args) as { detail: string }[]
          ).map((d) => d.detail),
        }))
        .sort((a, b) => b.p50 - a.p50),
    ]),
  );

  // Rows ------------------------------------------------------------------
  const target = `p95 < ${o.targetMs} ms`;
  const rows: Row[] = [];
  for (const page of pages) {
    const problems = checks.get(page.key)!;
    const wrong = problems.length ? `; wrong: ${problems.join("; ")}` : "";
    let docP50 = Number.NaN;
    for (const s of series.filter((x) => x.page === page)) {
      const summary = summarize(s.times);
      const ok = s.failures === 0 && summary.p95 < o.targetMs && problems.length === 0;
      const sample = s.last ?? s.first!;
      const size =
        s.variant === "document"
          ? `${formatBytes(sample.raw.length)} ${String(sample.headers["content-encoding"] ?? "identity")}, ${formatBytes(Buffer.byteLength(decodeBody(sample)))} HTML`
          : formatBytes(Buffer.byteLength(decodeBody(sample)));
      if (s.variant === "document") docP50 = summary.p50;
      rows.push({
        metric: `${page.label}: ${s.variant === "document" ? "document" : "`.data`"}`,
        value: `${formatSummary(summary)} (${size})${s.failures ? `; ${s.failures} errors: ${s.firstFailure}` : ""}${wrong}`,
        target,
        verdict: ok ? "pass" : "FAIL",
      });
    }
    const prisma = o.inProcess.times.get(page.key)!;
    const total = summarize(replays.find((r) => r.page === page)!.totals);
    const list = statements.get(page.key)!;
    const top = list[0];
    rows.push({
      metric: `${page.label}: same SQL on better-sqlite3 / app data functions (Prisma)`,
      value: `raw SQL p50 ${formatMs(total.p50)} · p95 ${formatMs(total.p95)} (${list.length} statements${top ? `; slowest: ${top.what}, ${formatMs(top.p50)}, ${fmtInt(top.rows)} rows` : ""}); Prisma in process p50 ${formatMs(prisma.p50)} · p95 ${formatMs(prisma.p95)}; the document takes ${formatMs(Math.max(0, docP50 - total.p50))} more than its SQL at p50`,
      target: "baseline",
      verdict: "info",
    });
  }
  const runs = retentionRuns();
  if (flags.retentionWaitSeconds > 0) {
    const run = firstRun;
    // The requests that were in flight while it ran (warm-up or probes).
    const during = run
      ? session.requests.filter(
          (r) => r.startedAt < run.endedBy && r.startedAt + r.ms > run.startedAt,
        )
      : [];
    const slowest = during.reduce<(typeof during)[number] | undefined>(
      (a, b) => (a && a.ms >= b.ms ? a : b),
      undefined,
    );
    rows.push({
      metric: "Server's retention job (first run, 60 s after start; then hourly)",
      value: run
        ? `${((run.endedBy - run.startedAt) / 1000).toFixed(1)} s${o.retentionScope ? ` ${o.retentionScope}` : ""}, with nothing to delete (its audit row appeared within 0.1 s of the end); ${during.length} requests in flight meanwhile${slowest ? `, p50 ${formatMs(summarize(during.map((r) => r.ms)).p50)}, slowest \`${slowest.path}\` ${formatMs(slowest.ms)}` : ""}`
        : `not finished ${flags.retentionWaitSeconds} s after it was due`,
      target: "—",
      verdict: "info",
    });
  }

  // Notes and statements ---------------------------------------------------
  const hits = runs.map((at) => {
    const hit = session.requests.find((r) => r.startedAt + r.ms >= at);
    const when = `${new Date(at).toISOString().slice(11, 19)} (${Math.round((at - server.startedAt) / 1000)} s after start)`;
    return hit && hit.startedAt <= at + 1000
      ? `${when}, during a request to \`${hit.path}\` that took ${formatMs(hit.ms)}`
      : `${when}, outside any request`;
  });
  const notes = [
    `Pages: ${pages.map((p) => `${p.label}: ${p.what}`).join("; ")}.`,
    `Timing: ${flags.warmup} warm-up requests per URL, then ${flags.requests} rounds of one request to each of the ${series.length} URLs in turn (sequential, one keep-alive connection, signed in as ${o.signedInAs}, browser headers with Accept-Encoding: gzip, deflate, br, zstd); time from sending the request to the last byte of the body. Document = a browser navigation (HTML); \`.data\` = Remix single fetch (a client-side navigation; all the route's loaders, root included). Timed requests took ${httpSeconds.toFixed(0)} s: server CPU ${cpuSeconds.toFixed(1)} s, this client ${selfSeconds.toFixed(1)} s, other processes ${Math.max(0, otherSeconds).toFixed(1)} s. Rounds during which other processes used more than ${flags.otherCpuLimit} % of one CPU were run again (rounds under ${MIN_JUDGED_ROUND_SECONDS} s are not judged): HTTP ${describeRounds(ctx, httpRounds)}; Prisma in process ${describeRounds(ctx, o.inProcess.rounds)}; raw SQL ${describeRounds(ctx, sqlRounds)}. Server RSS afterwards ${formatBytes(rssAfter)}.`,
    `Baseline: the statements Prisma sent for each page's model calls (recorded at the driver adapter with their bound arguments), replayed one after another on better-sqlite3 on the same file, reading every row. Prisma in process = the loaders' model calls in this process through Prisma, without HTTP, session, root loader or rendering.`,
    `Retention ran ${runs.length === 1 ? "once" : `${runs.length} times`} in the server during the run${hits.length ? `: ${hits.join("; ")}` : ""}.`,
  ];
  if (session.retried.length) {
    notes.push(
      `${session.retried.length} request(s) found their kept-alive connection closed and were sent again (timed as the second attempt): ${session.retried.slice(0, 5).join(", ")}.`,
    );
  }
  const section = ["## Statements behind each page (better-sqlite3 p50, EXPLAIN QUERY PLAN)", ""];
  for (const p of pages) {
    const list = statements.get(p.key)!;
    section.push(`${p.label} (${list.length} statements, slowest first):`, "");
    for (const s of list.slice(0, 3)) {
      section.push(
        `- ${s.what}: ${formatMs(s.p50)}, ${fmtInt(s.rows)} rows`,
        "",
        "  ```sql",
        `  ${s.sql
          .replace(/`main`\./g, "")
          .replace(/`/g, '"')
          .replace(/\s*\n\s*/g, " ")}`,
        `  -- ${s.plan.join("\n  -- ")}`,
        "  ```",
        "",
      );
    }
  }
  return { rows, notes, section, statements };
}
