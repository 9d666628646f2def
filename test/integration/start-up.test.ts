/**
 * A server starts only on a database that is there and migrated (ADR 0019,
 * ADR 0035), on either provider: otherwise it exits 1 saying why and how to
 * migrate (`npm run setup`). Real processes, making the server's own
 * start-up check (test/processes/start-server.ts).
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { isPostgres, prisma } from "#app/utils/db.server.ts";
import { killClaimingProcesses, startServer } from "#test/claiming-process.ts";
import { POSTGRES_MIGRATIONS_TABLE, readMigrationNames } from "#app/utils/migrations.server.ts";

afterEach(killClaimingProcesses);

/** Databases of this provider to break without disturbing the other tests. */
const databases = isPostgres() ? postgresDatabases() : sqliteDatabases();
afterAll(() => databases.cleanUp());

function sqliteDatabases() {
  const dir = mkdtempSync(path.join(tmpdir(), "lull-start-up-"));
  return {
    latest: readMigrationNames("sqlite").at(-1)!,
    missing: () => `file:${path.join(dir, `${randomUUID()}.db`)}`,
    isThere: (url: string) => existsSync(url.replace(/^file:/, "")),
    async migratedCopy() {
      const file = path.join(dir, `${randomUUID()}.db`);
      await prisma.$executeRawUnsafe(`VACUUM INTO '${file}'`);
      return `file:${file}`;
    },
    forget(url: string, migration: string) {
      const db = new Database(url.replace(/^file:/, ""));
      db.prepare(`DELETE FROM "_prisma_migrations" WHERE "migration_name" = ?`).run(migration);
      db.close();
      return Promise.resolve();
    },
    cleanUp: () => Promise.resolve(),
  };
}

function postgresDatabases() {
  const admin = process.env.LULL_TEST_POSTGRES_ADMIN_URL!;
  const urlOf = (name: string) => Object.assign(new URL(admin), { pathname: `/${name}` }).href;
  const made: string[] = [];
  const withClient = async <T>(url: string, work: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    latest: readMigrationNames("postgresql").at(-1)!,
    missing: () => urlOf(`lull_missing_${randomUUID().replaceAll("-", "")}`),
    async isThere(url: string) {
      const name = new URL(url).pathname.slice(1);
      const { rowCount } = await withClient(admin, (c) =>
        c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]),
      );
      return rowCount === 1;
    },
    async migratedCopy() {
      const name = `lull_${randomUUID().replaceAll("-", "")}`;
      // The migrated template every test file's database is made from.
      await withClient(admin, (c) =>
        c.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.LULL_TEST_POSTGRES_TEMPLATE}`),
      );
      made.push(name);
      return urlOf(name);
    },
    async forget(url: string, migration: string) {
      await withClient(url, (c) =>
        c.query(`DELETE FROM "${POSTGRES_MIGRATIONS_TABLE}" WHERE "name" = $1`, [migration]),
      );
    },
    async cleanUp() {
      await withClient(admin, async (c) => {
        for (const name of made) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

describe("a server starts only on a migrated database", () => {
  test("refuses a database that is not there, saying how to make it, and creates none", async () => {
    const url = databases.missing();
    const refused = await startServer(url).exited;
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/Lull did not start: .*(no database at|Cannot reach)/);
    expect(refused.stderr).toContain("npm run setup");
    expect(await databases.isThere(url)).toBe(false);
  }, 60_000);

  test("refuses a database that lacks a migration, naming it; starts once migrated", async () => {
    const broken = await databases.migratedCopy();
    await databases.forget(broken, databases.latest);
    const refused = await startServer(broken).exited;
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(
      `not at the latest schema: 1 migration(s) not applied (${databases.latest})`,
    );
    expect(refused.stderr).toContain("npm run setup");

    const migrated = await databases.migratedCopy();
    expect(await startServer(migrated).claimed).toBeGreaterThan(0);
  }, 60_000);
});
