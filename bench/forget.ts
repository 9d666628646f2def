/**
 * "Forget the last minutes" at the scale one worker reaches (ADR 0041): a worker with 1,000
 * agents, each holding an event every 10 s of the last 30 minutes (with their hourly and daily
 * rollups), forgets the last 15 minutes through the app's own `forgetRecent` — the rules, the
 * events deleted on every device, the rollups adjusted, the window, the state version and the
 * signed receipt in one transaction — against a same-run baseline: better-sqlite3 deleting the
 * same worker-and-span's Event rows alone, on an identical worker.
 *
 *   npx tsx bench/forget.ts [--devices 1000] [--rounds 5]
 *
 * Target: a forget commits within 1 s (the command's transaction may hold the write lock no
 * longer; agents learn the window within a second after it).
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { int, runBench } from "./lib/harness.ts";
import { fmtInt, formatMs, summarize } from "./lib/stats.ts";

const TYPES = ["keystroke", "click", "scroll", "app_focus"] as const;
const APPS = ["Code editor", "Browser", "Terminal", "Chat", "Spreadsheet", "Mail"] as const;
const TARGET_MS = 1000;

await runBench({
  name: "forget",
  title: "Forget the last minutes: one worker's 1,000 agents",
  about:
    "A worker with N agents forgets the last 15 minutes through the app's forgetRecent (events of every device, rollups, window, receipt, one transaction), against better-sqlite3 deleting the same Event rows alone.",
  maxMinutes: 15,
  flags: {
    devices: int("agents of the worker", 1000, 1, "N"),
    rounds: int("forgets timed (one fresh worker each)", 5, 1, "R"),
    everySeconds: int("an event every S seconds on each agent", 10, 1, "S"),
  },
  async run(bench) {
    const f = bench.flags;
    const { dbFile } = bench.migratedDatabase();
    const now = new Date();
    const spanMs = 30 * 60_000;
    const db = new Database(dbFile, { fileMustExist: true });
    bench.onCleanup(() => db.close());

    /** A worker with `devices` agents and their last 30 minutes, rollups included. */
    const seedWorker = (label: string) => {
      const workerId = `bench-${label}-${randomUUID().slice(0, 8)}`;
      const stamp = toStoredDateTime(now);
      db.transaction(() => {
        db.prepare(
          `INSERT INTO "User" ("id","email","name","role","timezone","stateVersion","createdAt","updatedAt")
           VALUES (?, ?, ?, 'WORKER', 'UTC', 1, ?, ?)`,
        ).run(workerId, `${workerId}@lull.test`, `Bench ${label}`, stamp, stamp);
        const insertDevice = db.prepare(
          `INSERT INTO "Device" ("id","workerId","name","platform","agentVersion","tokenHash","createdAt")
           VALUES (?, ?, ?, 'linux', '1', ?, ?)`,
        );
        const insertEvent = db.prepare(
          `INSERT INTO "Event" ("workerId","deviceId","type","at","app","data","receivedAt") VALUES (?, ?, ?, ?, ?, '{}', ?)`,
        );
        const hourly = new Map<string, number>();
        const daily = new Map<string, number>();
        for (let d = 0; d < f.devices; d++) {
          const deviceId = `${workerId}-d${d}`;
          insertDevice.run(deviceId, workerId, `Agent ${d}`, randomUUID(), stamp);
          let i = d;
          for (let t = now.getTime() - spanMs; t < now.getTime(); t += f.everySeconds * 1000, i++) {
            const type = TYPES[i % TYPES.length]!;
            const app = APPS[(i >> 2) % APPS.length]!;
            insertEvent.run(workerId, deviceId, type, toStoredDateTime(t), app, stamp);
            const hour = toStoredDateTime(Math.floor(t / 3_600_000) * 3_600_000);
            const day = toStoredDateTime(Math.floor(t / 86_400_000) * 86_400_000);
            const key = `${deviceId}\u0000${type}\u0000${app}\u0000`;
            hourly.set(key + hour, (hourly.get(key + hour) ?? 0) + 1);
            daily.set(key + day, (daily.get(key + day) ?? 0) + 1);
          }
        }
        for (const [table, column, counts] of [
          ["EventRollup", "hour", hourly],
          ["EventRollupDay", "day", daily],
        ] as const) {
          const insert = db.prepare(
            `INSERT INTO "${table}" ("workerId","deviceId","type","app","${column}","count") VALUES (?, ?, ?, ?, ?, ?)`,
          );
          for (const [key, count] of counts) {
            const [deviceId, type, app, at] = key.split("\u0000");
            insert.run(workerId, deviceId, type, app, at, count);
          }
        }
      })();
      return workerId;
    };

    bench.log(
      `seeding ${f.rounds} × 2 workers with ${fmtInt(f.devices)} agents and 30 minutes each`,
    );
    const pairs = Array.from({ length: f.rounds }, (_, r) => ({
      app: seedWorker(`app-${r}`),
      raw: seedWorker(`raw-${r}`),
    }));
    const eventsPerWorker = (
      db.prepare(`SELECT COUNT(*) AS n FROM "Event" WHERE "workerId" = ?`).get(pairs[0]!.app) as {
        n: number;
      }
    ).n;

    // The app's modules read DATABASE_URL when first imported (set by migratedDatabase).
    const { forgetRecent } = await import("#app/models/forget.server.ts");
    const { prisma } = await import("#app/utils/db.server.ts");
    bench.onCleanup(() => prisma.$disconnect());

    const appMs: number[] = [];
    const rawMs: number[] = [];
    let deleted = 0;
    let rollupRows = 0;
    const deleteRaw = db.prepare(
      `DELETE FROM "Event" WHERE "workerId" = ? AND "at" >= ? AND "at" < ?`,
    );
    for (const { app, raw } of pairs) {
      const at = new Date();
      const t0 = performance.now();
      const result = await forgetRecent({ workerId: app, timeZone: "UTC", minutes: 15, now: at });
      appMs.push(performance.now() - t0);
      if (!result.ok) throw new Error(`forget refused: ${result.refusal.message}`);
      deleted = result.events;
      rollupRows = result.hourlyRollupRows + result.dailyRollupRows;
      const t1 = performance.now();
      deleteRaw.run(
        raw,
        toStoredDateTime(at.getTime() - 15 * 60_000),
        toStoredDateTime(at.getTime()),
      );
      rawMs.push(performance.now() - t1);
    }
    const app = summarize(appMs);
    const raw = summarize(rawMs);
    return {
      rows: [
        {
          metric: `Forget the last 15 minutes, ${fmtInt(f.devices)} agents (forgetRecent)`,
          value: `p50 ${formatMs(app.p50)} · max ${formatMs(app.max)} (${f.rounds} forgets; ${fmtInt(deleted)} events and ${fmtInt(rollupRows)} rollup rows each)`,
          target: `< ${fmtInt(TARGET_MS)} ms`,
          verdict: app.max < TARGET_MS ? "pass" : "FAIL",
        },
        {
          metric: "Raw better-sqlite3: DELETE the same Event rows only",
          value: `p50 ${formatMs(raw.p50)} · max ${formatMs(raw.max)} (forgetRecent is ${(app.p50 / raw.p50).toFixed(1)}× it)`,
          target: "baseline",
          verdict: "info",
        },
      ],
      notes: [
        `Each worker: ${fmtInt(f.devices)} agents, an event every ${f.everySeconds} s on each over the last 30 minutes (${fmtInt(eventsPerWorker)} events, ${TYPES.length} types × ${APPS.length} applications, hourly and daily rollups); the forget removes half of them.`,
        "Each round forgets on a fresh worker through the app (SQLite, Prisma with the better-sqlite3 adapter, in this process), then deletes an identical worker's span with one raw statement.",
      ],
    };
  },
});
