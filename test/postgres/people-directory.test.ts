/**
 * Account changes and CSV imports wait for each other across nodes (ADR
 * 0035): each holds the people directory's lock in the database for as long
 * as it runs, on a connection of its own, as two nodes would.
 */
import { describe, expect, test } from "vitest";
import { withPostgresPeopleDirectoryLock } from "#app/commands/people-directory-postgres.server.ts";
import { prisma } from "#app/utils/db.server.ts";

async function waitersOnAdvisoryLocks(): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS "n" FROM pg_locks WHERE "locktype" = 'advisory' AND NOT "granted"`;
  return Number(row!.n);
}

describe("the people directory across nodes", () => {
  test("a second node's change starts only once the first node's has ended, even when it failed", async () => {
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = withPostgresPeopleDirectoryLock(async () => {
      events.push("first starts");
      started();
      await held;
      events.push("first ends");
      throw new Error("the first change failed");
    });
    await running;
    const second = withPostgresPeopleDirectoryLock(async () => {
      events.push("second starts");
      return "second";
    });
    // The second node is waiting in the database, not running.
    while ((await waitersOnAdvisoryLocks()) === 0) await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(["first starts"]);
    release();
    await expect(first).rejects.toThrow("the first change failed");
    expect(await second).toBe("second");
    expect(events).toEqual(["first starts", "first ends", "second starts"]);
    expect(await waitersOnAdvisoryLocks()).toBe(0);
  });
});
