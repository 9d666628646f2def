/**
 * One writer per SQLite database (ADR 0019): a second server on the same file
 * refuses to start, and a killed server leaves no stale lock. Real processes,
 * making the server's own start-up claim.
 *
 * SQLite only, by nature: on PostgreSQL several nodes share the database by
 * design and no lock is taken (ADR 0035). The start-up checks both providers
 * make (a missing or unmigrated database) are in start-up.test.ts.
 */
import { afterEach, describe, expect, test } from "vitest";
import { prisma } from "#app/utils/db.server.ts";
import {
  killClaimingProcesses,
  spawnTsx,
  startServer as startClaim,
} from "#test/claiming-process.ts";

const startServer = (databaseUrl = process.env.DATABASE_URL!) => startClaim(databaseUrl);

afterEach(killClaimingProcesses);

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
