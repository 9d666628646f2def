/**
 * The import checks its rows before its write transaction; these tests make
 * a change land in between (inside the transaction's own look-up, so the
 * timing is exact) and show the write refuses rather than import a file that
 * is no longer right.
 */
import type BetterSqlite3 from "better-sqlite3";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { applyImport } from "#app/models/user-import.server.ts";
import type * as ImportSql from "#app/models/user-import-sqlite.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { createUser } from "#test/fixtures.ts";

const between = vi.hoisted(() => ({
  lookups: 0,
  /** Runs just before the second look-up: the one inside the write transaction. */
  change: undefined as undefined | ((db: BetterSqlite3.Database) => void),
}));

vi.mock("#app/models/user-import-sqlite.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof ImportSql>();
  return {
    ...real,
    findPeopleByEmail: (db: BetterSqlite3.Database, emails: string[]) => {
      if (++between.lookups === 2) between.change?.(db);
      return real.findPeopleByEmail(db, emails);
    },
  };
});

beforeEach(() => {
  between.lookups = 0;
  between.change = undefined;
});

function someoneElseCreates(email: string) {
  return (db: BetterSqlite3.Database) => {
    const at = toStoredDateTime(new Date());
    db.prepare(
      `INSERT INTO "User" ("id", "email", "name", "updatedAt", "createdAt") VALUES (?, ?, 'Quick', ?, ?)`,
    ).run(`quick-${email}`, email, at, at);
  };
}

describe("a change between the import's check and its write", () => {
  test("an email taken meanwhile: nobody is imported and the row says why", async () => {
    const admin = await createUser({ role: "ADMIN" });
    between.change = someoneElseCreates("second@race.test");
    const users = await prisma.user.count();
    const outcome = await applyImport({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      csv: "name,email\nFirst,first@race.test\nSecond,second@race.test\n",
      now: new Date(),
    });
    expect(between.lookups).toBe(2);
    if (outcome.ok) throw new Error("expected a refusal");
    expect(outcome.refusal.code).toBe("import_invalid");
    expect(outcome.check.rows.map((r) => r.errors)).toEqual([
      [],
      ["Email: second@race.test already has an account."],
    ]);
    expect(await prisma.user.count()).toBe(users + 1); // only the other request's account
    expect(await prisma.user.findUnique({ where: { email: "first@race.test" } })).toBeNull();
    expect(await prisma.auditEvent.count({ where: { action: "user.import" } })).toBe(0);
  });

  test("a manager deactivated meanwhile: nobody is imported", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const boss = await createUser({ email: "boss@race.test" });
    between.change = (db) =>
      db
        .prepare(`UPDATE "User" SET "deactivatedAt" = ? WHERE "id" = ?`)
        .run(toStoredDateTime(new Date()), boss.id);
    const outcome = await applyImport({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      csv: "name,email,manager email\nReport,report@race.test,boss@race.test\n",
      now: new Date(),
    });
    if (outcome.ok) throw new Error("expected a refusal");
    expect(outcome.check.rows[0]!.errors).toEqual([
      "Manager email: nobody with boss@race.test has an active account or is in this file.",
    ]);
    expect(await prisma.user.findUnique({ where: { email: "report@race.test" } })).toBeNull();
  });

  test("a change to nobody the file names: everyone is imported, under the manager who exists", async () => {
    const admin = await createUser({ role: "ADMIN" });
    between.change = someoneElseCreates("unrelated@race.test");
    const boss = await createUser({ email: "chief@race.test" });
    const outcome = await applyImport({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      csv: "name,email,manager email\nReport,direct@race.test,chief@race.test\n",
      now: new Date(),
    });
    expect(outcome.ok).toBe(true);
    expect(
      await prisma.user.findUniqueOrThrow({ where: { email: "direct@race.test" } }),
    ).toMatchObject({ managerId: boss.id });
  });
});
