/**
 * One SQLite connection serves every request. A command's transaction that
 * is rolled back (a refusal, an error) must take only its own writes with it:
 * another request's write made while it was open lands on its own.
 *
 * SQLite only, by nature: it is about the one shared better-sqlite3
 * connection of a process (ADR 0002); on PostgreSQL each transaction has a
 * connection of its own from the pool, so this file is not in
 * vitest.postgres.config.ts.
 */
import { describe, expect, test } from "vitest";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma, runSqliteTransaction } from "#app/utils/db.server.ts";
import { createUser } from "#test/fixtures.ts";

/**
 * A command that renames the worker, then stays open until `release()`, then
 * ends as `end` says (a refusal or an error): either way it is rolled back.
 */
async function openCommand(workerId: string, end: "refuse" | "throw") {
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const outcome = runCommand(new Date(), async ({ tx }) => {
    await tx.user.update({ where: { id: workerId }, data: { name: "Inside" } });
    entered();
    await held; // another request runs now
    if (end === "throw") throw new Error("the command fails");
    return { ok: false as const, message: "refused" };
  }).catch((error: Error) => error.message);
  await inside;
  return { release, outcome };
}

describe("one connection, many requests", () => {
  test("a write made while another request's command is open survives that command's rollback", async () => {
    const worker = await createUser();
    const command = await openCommand(worker.id, "refuse");
    // Another request writes while the command is open (given time to run, were it let in)…
    // (A create is one INSERT … RETURNING, with no transaction of its own.)
    const other = prisma.notification.create({
      data: { userId: worker.id, title: "Written outside", body: "by another request" },
    });
    await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 300))]);
    command.release();
    expect(await command.outcome).toEqual({ ok: false, message: "refused" });
    await other;

    // …and keeps its write when the command is rolled back.
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: worker.id } });
    expect(stored.name).not.toBe("Inside");
    expect(await prisma.notification.count({ where: { userId: worker.id } })).toBe(1);
  });

  test("ingestion's synchronous transaction waits for an open command instead of joining it", async () => {
    const worker = await createUser();
    const command = await openCommand(worker.id, "throw");
    const raw = runSqliteTransaction((db) =>
      db.prepare(`UPDATE "User" SET "timezone" = 'Asia/Tokyo' WHERE "id" = ?`).run(worker.id),
    );
    command.release();
    expect(await command.outcome).toBe("the command fails");
    await raw;
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: worker.id } });
    expect(stored.name).not.toBe("Inside");
    expect(stored.timezone).toBe("Asia/Tokyo");
  });
});
