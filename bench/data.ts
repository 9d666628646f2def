/**
 * My-data benchmark (issue 5): the server response time of the /data
 * overview for each period and of the first and a deep page of
 * /data/events, for one worker with a year of realistic activity (default
 * 2,000,000 events on 2 devices, bench/lib/year-of-activity.ts), against
 * the production build, with the same SQL on better-sqlite3 as the
 * same-run baseline (bench/lib/page-bench.ts). Target: p95 under 100 ms.
 *
 *   npm run bench:data                       (builds first)
 *   npx tsx bench/data.ts --events 20000 --other-events 1000 --requests 10 --warmup 3
 *
 * The deep page's cursor is the app's own: the "Older →" link of the list
 * filtered to a day ~6 months back, then opened without the filter. Every
 * page query's plan is checked: a full scan of Event, EventRollup or
 * EventRollupDay stops the bench. The year (365 days) is also read the way
 * it was before the daily rollups, hourly rows only, on better-sqlite3 in the
 * same run (ADR 0030).
 */
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { periodRange, type PeriodQuery } from "#app/domain/data-period.ts";
import { decodeCursor, type EventCursor } from "#app/domain/event-query.ts";
import { formatDay, localDateKey } from "#app/domain/local-time.ts";
import { toStoredDateTime as stored } from "#app/utils/sqlite-adapter.server.ts";
import { int, runBench, text } from "./lib/harness.ts";
import { DOCUMENT_HEADERS, PageSession, decodeBody, signIn } from "./lib/http.ts";
import {
  capturingPrisma,
  measurePages,
  pageFlags,
  timeInProcess,
  type Page,
} from "./lib/page-bench.ts";
import { DAY_MS, seededRandom, words } from "./lib/seed.ts";
import { fmtInt, formatBytes, formatMs, summarize } from "./lib/stats.ts";
import { LAPTOP_AND_DESKTOP, seedWorker, seedYearOfActivity } from "./lib/year-of-activity.ts";

const PASSWORD = "lull-bench-password";
/** Long enough to keep the whole seeded year (the policy allows 7–730 days). */
const RETENTION_DAYS = 400;
const OTHER_TIMEZONES = words(`Asia/Kolkata America/New_York Europe/London Asia/Tokyo
  America/Sao_Paulo Australia/Sydney Africa/Nairobi America/Los_Angeles`);

function minusDays(dateKey: string, days: number): string {
  const [y, m, d] = dateKey.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}

const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

await runBench({
  name: "data",
  title: "My data benchmark",
  about:
    "One worker with a year of activity: /data for each period and the first and a deep page of /data/events, p95 < 100 ms as a document and as .data, with the same SQL on better-sqlite3 as the same-run baseline.",
  serverRoute: "routes/data.events",
  maxMinutes: 20,
  flags: {
    events: int("events of the measured worker, on 2 devices", 2_000_000, 1000),
    days: int("days of activity ending now", 365, 2, "D"),
    timezone: text("the worker's time zone", "Europe/Berlin", "TZ"),
    otherWorkers: int("other workers, one device each", 6),
    otherEvents: int("events per other worker", 50_000, 100),
    deepDays: int("how far back the deep records page starts", 182, 1, "D"),
    seed: int("PRNG seed of the data", 20261127),
    ...pageFlags({ requests: 100, warmup: 10, retentionWaitSeconds: 0 }),
  },
  checkFlags: (f) => (f.deepDays >= f.days ? "--deep-days must be less than --days." : undefined),
  async run(bench) {
    const f = bench.flags;
    const tz = f.timezone;
    const { dbFile, databaseUrl, migrateSeconds } = bench.migratedDatabase();
    const { hashPassword } = await import("#app/utils/password.server.ts");
    const passwordHash = await hashPassword(PASSWORD);

    // Seed --------------------------------------------------------------------
    const random = seededRandom(f.seed);
    const worker = seedWorker(
      random,
      {
        email: "bench-data-worker@lull.test",
        name: "Bench Data Worker",
        timezone: tz,
        passwordHash,
        events: f.events,
      },
      LAPTOP_AND_DESKTOP,
    );
    const others = Array.from({ length: f.otherWorkers }, (_, i) =>
      seedWorker(
        random,
        {
          email: `bench-data-other-${i}@lull.test`,
          name: `Bench Other Worker ${i}`,
          timezone: OTHER_TIMEZONES[i % OTHER_TIMEZONES.length]!,
          passwordHash,
          events: f.otherEvents,
        },
        [["Laptop", "laptop", "linux"]],
      ),
    );
    bench.log(
      `seeding ${fmtInt(f.events)} events for one worker (2 devices, ${f.days} days, ${tz}) and ${fmtInt(f.otherEvents)} for each of ${f.otherWorkers} others`,
    );
    const seed = seedYearOfActivity(dbFile, {
      workers: [worker, ...others],
      now: new Date(),
      days: f.days,
      seed: f.seed,
      retentionDays: RETENTION_DAYS,
    });
    const dbBytes = statSync(dbFile).size;
    bench.log(
      `seeded ${fmtInt(seed.events)} events, ${fmtInt(seed.rollups)} rollup rows, ${seed.pauses} pauses in ${seed.seconds.toFixed(1)} s (${formatBytes(dbBytes)})`,
    );
    const mine = seed.perWorker[0]!;

    // Consistency checks (untimed) ---------------------------------------------
    const raw = new Database(dbFile, { readonly: true, fileMustExist: true });
    bench.onCleanup(() => raw.close());
    const one = (sql: string, ...args: unknown[]) =>
      (raw.prepare(sql).get(...args) as { n: number }).n;
    bench.log("checking rollups against events and pauses against events");
    const checkStarted = performance.now();
    const mismatched = one(
      `SELECT COUNT(*) AS n FROM (
         SELECT * FROM (SELECT "workerId", "deviceId", "type", "app", substr("at", 1, 13) AS h, COUNT(*) AS c
                        FROM "Event" GROUP BY 1, 2, 3, 4, 5)
         EXCEPT SELECT "workerId", "deviceId", "type", "app", substr("hour", 1, 13), "count" FROM "EventRollup")`,
    );
    const rollupRows = one(`SELECT COUNT(*) AS n FROM "EventRollup"`);
    const dailyMismatched = one(
      `SELECT COUNT(*) AS n FROM (
         SELECT * FROM (SELECT "workerId", "deviceId", "type", "app", substr("hour", 1, 10), SUM("count")
                        FROM "EventRollup" GROUP BY 1, 2, 3, 4, 5)
         EXCEPT SELECT "workerId", "deviceId", "type", "app", substr("day", 1, 10), "count" FROM "EventRollupDay")`,
    );
    const dailyRows = one(`SELECT COUNT(*) AS n FROM "EventRollupDay"`);
    const myDailyRows = one(
      `SELECT COUNT(*) AS n FROM "EventRollupDay" WHERE "workerId" = ?`,
      worker.id,
    );
    const eventsInPauses = one(
      `SELECT COUNT(*) AS n FROM "Pause" p JOIN "Event" e
         ON e."workerId" = p."workerId" AND e."at" >= p."startsAt"
        AND e."at" < CASE WHEN p."endedEarlyAt" IS NOT NULL AND p."endedEarlyAt" < p."endsAt"
                          THEN p."endedEarlyAt" ELSE p."endsAt" END
       WHERE p."cancelledAt" IS NULL`,
    );
    if (
      mismatched !== 0 ||
      rollupRows !== seed.rollups ||
      dailyMismatched !== 0 ||
      dailyRows !== seed.dailyRollups ||
      eventsInPauses !== 0
    ) {
      throw new Error(
        `Seed inconsistent: ${mismatched} (worker, device, type, app, hour) groups differ between Event and EventRollup, ` +
          `${rollupRows} rollup rows for ${seed.rollups} groups, ${dailyMismatched} daily rollups differ from their hours, ` +
          `${eventsInPauses} events inside pauses.`,
      );
    }
    const checkSeconds = (performance.now() - checkStarted) / 1000;

    // The server, and the deep page's cursor from its "Older →" link -------------
    const server = await bench.startServer();
    bench.log(`signing in as ${worker.email}`);
    const session = new PageSession(server.port, await signIn(server.port, worker.email, PASSWORD));
    const deepDay = localDateKey(new Date(Date.now() - f.deepDays * DAY_MS), tz);
    const filtered = await session.get(`/data/events?to=${deepDay}`, DOCUMENT_HEADERS);
    const nextLink = /<a\b[^>]*\brel="next"[^>]*>/.exec(decodeBody(filtered))?.[0];
    const nextHref = nextLink ? /\bhref="([^"]*)"/.exec(nextLink)?.[1] : undefined;
    const cursorParam = nextHref
      ? new URLSearchParams(nextHref.replace(/&amp;/g, "&").replace(/^[^?]*\?/, "")).get("cursor")
      : null;
    const deepCursor = decodeCursor(cursorParam ?? undefined);
    if (filtered.status !== 200 || !cursorParam || !deepCursor) {
      throw new Error(
        `No "Older →" link on /data/events?to=${deepDay} (status ${filtered.status}); cannot build a deep cursor.`,
      );
    }
    const olderThanDeep = one(
      `SELECT COUNT(*) AS n FROM "Event" WHERE "workerId" = ? AND "at" < ?`,
      worker.id,
      stored(deepCursor.at),
    );

    // The pages and what each must show ------------------------------------
    const { sink } = await capturingPrisma(bench, databaseUrl);
    const { getActivitySeries, getDataOverview } =
      await import("#app/models/data-overview.server.ts");
    const { countEvents, listDeviceChoices, listEvents } =
      await import("#app/models/event.server.ts");
    const today = localDateKey(new Date(), tz);
    const overview = (key: string, query: PeriodQuery, label: string): Page => {
      const search = new URLSearchParams(query as Record<string, string>).toString();
      const range = periodRange(query, new Date(), tz);
      const total = one(
        `SELECT COUNT(*) AS n FROM "Event" WHERE "workerId" = ? AND "at" >= ? AND "at" < ?`,
        worker.id,
        stored(range.start),
        stored(range.end),
      );
      const days = Math.round((range.end.getTime() - range.start.getTime()) / DAY_MS);
      return {
        key,
        label,
        path: `/data?${search}`,
        dataPath: `/data.data?${search}`,
        what: `${days} day${days === 1 ? "" : "s"}, ${fmtInt(total)} events`,
        run: () =>
          Promise.all([
            getDataOverview(worker.id, range.start, range.end),
            getActivitySeries(worker.id, range.start, range.end, tz),
          ]),
        expect: () => [{ label: "events in the period", value: total }],
        read: (html) => {
          const shown = /data-testid="data-total"[^>]*>\s*<strong[^>]*>([\d,]+)<\/strong>/.exec(
            html,
          )?.[1];
          return [shown === undefined ? undefined : Number(shown.replace(/,/g, ""))];
        },
      };
    };
    const recordIds = (cursor: EventCursor | null) =>
      (cursor
        ? raw
            .prepare(
              `SELECT "id" FROM "Event" WHERE "workerId" = ? AND "at" <= ? AND ("at" < ? OR "id" < ?)
               ORDER BY "at" DESC, "id" DESC LIMIT 50`,
            )
            .all(worker.id, stored(cursor.at), stored(cursor.at), cursor.id)
        : raw
            .prepare(
              `SELECT "id" FROM "Event" WHERE "workerId" = ? ORDER BY "at" DESC, "id" DESC LIMIT 50`,
            )
            .all(worker.id)
      ).map((r) => String((r as { id: number }).id));
    const records = (key: string, label: string, cursor: EventCursor | null, what: string) => {
      const query = cursor ? `?cursor=${encodeURIComponent(cursorParam)}` : "";
      const ids = recordIds(cursor);
      return {
        key,
        label,
        path: `/data/events${query}`,
        dataPath: `/data/events.data${query}`,
        what,
        run: async () => {
          await listDeviceChoices(worker.id);
          await listEvents(worker.id, {}, cursor ? { before: cursor } : {});
          await countEvents(worker.id, {});
        },
        expect: () => [{ label: "records listed", value: ids }],
        read: (html: string) => [
          [...html.matchAll(/href="\/data\/events\/(\d+)"/g)].map((m) => m[1]!),
        ],
      } satisfies Page;
    };
    const pages: Page[] = [
      overview("today", { period: "today" }, "`/data?period=today`"),
      overview("7d", { period: "7d" }, "`/data?period=7d`"),
      overview("30d", { period: "30d" }, "`/data?period=30d`"),
      overview(
        "custom-90",
        { period: "custom", from: minusDays(today, 89), to: today },
        "`/data?period=custom` (90 days)",
      ),
      overview(
        "custom-92",
        { period: "custom", from: minusDays(today, 91), to: today },
        "`/data?period=custom` (92 days)",
      ),
      overview(
        "custom-365",
        { period: "custom", from: minusDays(today, 364), to: today },
        "`/data?period=custom` (365 days)",
      ),
      records("events-first", "`/data/events` (first page)", null, "50 newest records"),
      records(
        "events-deep",
        `\`/data/events?cursor=…\` (${f.deepDays} days back)`,
        deepCursor,
        `50 records from ${formatDay(deepCursor.at, tz)} (page ${fmtInt(Math.ceil((mine.events - olderThanDeep) / 50))} of ${fmtInt(Math.ceil(mine.events / 50))})`,
      ),
    ];

    // Measure ------------------------------------------------------------------
    const inProcess = await timeInProcess(bench, pages, sink, server);
    const measured = await measurePages(bench, {
      server,
      session,
      signedInAs: "the worker",
      raw,
      pages,
      inProcess,
      targetMs: 100,
    });

    // Query plans: no full scan, and every time condition on Event bounds the index.
    const plans = [...measured.statements.values()]
      .flat()
      .filter((s) => /[`"](Event|EventRollup|EventRollupDay)[`"]/.test(s.sql));
    const fullScans = plans.filter((p) =>
      p.plan.some((line) => /^SCAN (main\.)?(Event|EventRollup|EventRollupDay)\b/.test(line)),
    );
    const unbounded = plans.filter(
      (p) =>
        /`Event`\.`at` (<|<=|>|>=) \?/.test(p.sql) &&
        p.plan.some((line) =>
          /^SEARCH (main\.)?Event USING (COVERING )?INDEX \S+ \(workerId=\?\)$/.test(line),
        ),
    );

    // Retention's lookup, as the server's job sends it device by device, on this database.
    const lookup = raw.prepare(
      `SELECT "id" FROM "Event" WHERE "deviceId" = ? AND "at" < ? LIMIT ?`,
    );
    const deviceIds = (raw.prepare(`SELECT "id" FROM "Device"`).all() as { id: string }[]).map(
      (d) => d.id,
    );
    const cutoff = stored(Date.now() - RETENTION_DAYS * DAY_MS);
    const lookupTimes = Array.from({ length: 5 }, () => {
      const t0 = performance.now();
      for (const id of deviceIds) lookup.all(id, cutoff, 5000);
      return performance.now() - t0;
    });
    const lookupPlan = (
      raw.prepare(`EXPLAIN QUERY PLAN ${lookup.source}`).all(deviceIds[0], cutoff, 5000) as {
        detail: string;
      }[]
    ).map((p) => p.detail);

    // Before the daily rollups (ADR 0030) a year was read from the hourly rows alone: the totals'
    // and the chart's statements as they were, replayed on better-sqlite3 in this run.
    const year = periodRange(
      { period: "custom", from: minusDays(today, 364), to: today },
      new Date(),
      tz,
    );
    const hourlyTotals = raw.prepare(
      `SELECT "type", "deviceId", "app", SUM("count") AS "n" FROM "EventRollup"
       WHERE "workerId" = ? AND "hour" >= ? AND "hour" < ? GROUP BY "type", "deviceId", "app"`,
    );
    const hourlySeries = raw.prepare(
      `SELECT "type", "hour", SUM("count") AS "n" FROM "EventRollup"
       WHERE "workerId" = ? AND "hour" >= ? AND "hour" < ? GROUP BY "type", "hour"`,
    );
    const hourOf = (t: Date, round: (x: number) => number) =>
      stored(round(t.getTime() / 3_600_000) * 3_600_000);
    const hourlyYearTimes = Array.from({ length: 30 }, () => {
      const t0 = performance.now();
      hourlyTotals.all(worker.id, hourOf(year.start, Math.ceil), hourOf(year.end, Math.floor));
      hourlySeries.all(worker.id, hourOf(year.start, Math.floor), stored(year.end));
      return performance.now() - t0;
    });
    const hourlyYear = summarize(hourlyYearTimes);

    const share = (counts: Record<string, number>) =>
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${pct(v, mine.events)}`)
        .join(", ");
    return {
      rows: measured.rows,
      notes: [
        `Data: ${fmtInt(mine.events)} events of one worker (${tz}) over ${f.days} days, ${mine.byDevice.map((d) => `${d.name} ${fmtInt(d.events)} on ${d.activeDays} days`).join(", ")}; ${fmtInt(mine.rollups)} hourly and ${fmtInt(myDailyRows)} daily rollup rows; ${mine.pauses} pauses. Types: ${share(mine.byType)}. Apps: ${share(mine.byApp)}. Plus ${f.otherWorkers} other workers with ${fmtInt(f.otherEvents)} events each: ${fmtInt(seed.events)} events and ${fmtInt(seed.rollups)} rollup rows in all; database ${formatBytes(dbBytes)}; retention set to ${RETENTION_DAYS} days so the year is kept.`,
        `Seed: ${seed.seconds.toFixed(1)} s with better-sqlite3 (migrations ${migrateSeconds.toFixed(1)} s before it); checked in ${checkSeconds.toFixed(1)} s that every (worker, device, type, app, hour) rollup equals its events, every daily rollup the sum of its hours, and that no event lies inside a pause.`,
        `Deep page: the cursor of the "Older →" link on \`/data/events?to=${deepDay}\`, opened without the filter (${fmtInt(olderThanDeep)} of the worker's events are older, ${fmtInt(mine.events - olderThanDeep)} newer).`,
        ...measured.notes,
        `The year read from hourly rollups only, as before ADR 0030 (the totals' and the chart's two statements on ${fmtInt(mine.rollups)} hourly rows, better-sqlite3, 30 runs): p50 ${formatMs(hourlyYear.p50)} · p95 ${formatMs(hourlyYear.p95)}; compare the 365-day same-SQL row above.`,
        `Retention's lookup, device by device (\`SELECT "id" FROM "Event" WHERE "deviceId" = ? AND "at" < ? LIMIT 5000\`, plan: ${lookupPlan.join(" / ")}), takes ${formatMs(summarize(lookupTimes).p50)} for all devices on this database when nothing is old.`,
        fullScans.length
          ? `❌ ${fullScans.length} page queries scan Event, EventRollup or EventRollupDay in full.`
          : `Query plans: no page query scans Event, EventRollup or EventRollupDay (${plans.length} statements on them checked).`,
        unbounded.length
          ? `⚠️ ${unbounded.length} statement(s) on Event with a time condition use the \`(workerId, at)\` index for workerId only, walking the worker's index entries until the page is full: ${unbounded.map((u) => u.sql.slice(0, 120)).join("; ")}.`
          : "Every time condition on Event bounds the index range.",
      ],
      sections: measured.section,
      failure: fullScans.length
        ? `Full scan in a page query:\n${fullScans.map((s) => `${s.plan.join(" / ")}\n  ${s.sql}`).join("\n")}`
        : undefined,
    };
  },
});
