/**
 * One writer per SQLite database (ADR 0019): a second server on the same file
 * refuses to start, and a killed server leaves no stale lock. Real processes,
 * making the server's own start-up claim.
 *
 * SQLite only, by nature: on PostgreSQL several nodes share the database by
 * design and no lock is taken (ADR 0035). The start-up checks both providers
 * make (a missing or unmigrated database) are in start-up.test.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, test } from "vitest";
import { prisma } from "#app/utils/db.server.ts";

type Exit = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
type Started = { child: ChildProcess; claimed: Promise<number>; exited: Promise<Exit> };

const running: Started[] = [];

function spawnTsx(script: string, databaseUrl: string): Started {
  const child = spawn("npx", ["tsx", script], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const claimed = new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const pid = /claimed (\d+)/.exec(stdout)?.[1];
      if (pid) resolve(Number(pid));
    });
    void exited.then((e) => reject(new Error(`exited before claiming: ${JSON.stringify(e)}`)));
  });
  claimed.catch(() => {});
  const started = { child, claimed, exited };
  running.push(started);
  return started;
}

const startServer = (databaseUrl = process.env.DATABASE_URL!) =>
  spawnTsx("test/processes/start-server.ts", databaseUrl);

// npx and tsx do not pass a SIGKILL on: the process holding the lock is killed by its own pid.
afterEach(async () => {
  for (const { child, claimed, exited } of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const pid = await Promise.race([claimed, exited.then(() => null)]).catch(() => null);
    if (pid) process.kill(pid, "SIGKILL");
    await exited;
  }
});

describe("one server per database", () => {
  test("a second server on the same database exits non-zero with a clear message; after kill -9 of the first, a new one starts", async () => {
    // The database is in WAL mode and open in this process too, as in production.
    const mode = await prisma.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    expect(mode[0]!.journal_mode).toBe("wal");

    const first = startServer();
    const firstPid = await first.claimed;

    const second = await startServer().exited;
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(
      /Lull did not start: Another Lull process is already using the database .+\. Only one server may run on a SQLite database/,
    );
    expect(first.child.exitCode).toBeNull();

    process.kill(firstPid, "SIGKILL");
    const killed = await first.exited;
    // npx relays its child's death as exit code 137 (128 + SIGKILL) or the signal itself.
    expect(killed.signal === "SIGKILL" || killed.code === 137, killed.stderr).toBe(true);

    // Nothing stale: the operating system released the lock with the process.
    const third = startServer();
    expect(await third.claimed).toBeGreaterThan(0);
  }, 60_000);

  test("npm run jobs:retention refuses while a server holds the database (the server runs retention itself)", async () => {
    const server = startServer();
    await server.claimed;
    const retention = await spawnTsx("app/jobs/run-retention.ts", process.env.DATABASE_URL!).exited;
    expect(retention.code, retention.stderr).toBe(1);
    expect(retention.stderr).toMatch(/Another Lull process is already using the database/);
  }, 60_000);
});
