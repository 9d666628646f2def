/**
 * The import checks its rows before its write transactions; these tests make
 * a change land in between (just before the look-up made once the import
 * holds the people directory, so the timing is exact) and show the write
 * refuses rather than import a file that is no longer right. The change is
 * made through the app's own client, on either provider.
 */
import { beforeEach, describe, expect, test, vi } from "vitest";
import { applyImport } from "#app/models/user-import.server.ts";
import type * as PostgresStore from "#app/models/user-import-postgres.server.ts";
import type * as SqliteStore from "#app/models/user-import-sqlite.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser } from "#test/fixtures.ts";

const between = vi.hoisted(() => {
  const state = {
    lookups: 0,
    /** Runs just before the second look-up of people by email. */
    change: undefined as undefined | (() => Promise<unknown>),
    /** The store with its look-up counted, the change made before the second. */
    counted<S extends { findPeopleByEmail: (emails: readonly string[]) => Promise<unknown> }>(
      real: S,
    ): S {
      return {
        ...real,
        findPeopleByEmail: async (emails: readonly string[]) => {
          if (++state.lookups === 2) await state.change?.();
          return real.findPeopleByEmail(emails);
        },
      };
    },
  };
  return state;
});

vi.mock("#app/models/user-import-sqlite.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof SqliteStore>();
  return { ...real, userImportStore: between.counted(real.userImportStore) };
});
vi.mock("#app/models/user-import-postgres.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof PostgresStore>();
  return { ...real, userImportStore: between.counted(real.userImportStore) };
});

beforeEach(() => {
  between.lookups = 0;
  between.change = undefined;
});

function someoneElseCreates(email: string) {
  return () => prisma.user.create({ data: { id: `quick-${email}`, email, name: "Quick" } });
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
    between.change = () =>
      prisma.user.update({ where: { id: boss.id }, data: { deactivatedAt: new Date() } });
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
