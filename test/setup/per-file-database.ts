/**
 * Runs before each test file, before the app's modules load: gives the file
 * its own copy of the migrated base database, so files run in parallel
 * without sharing state. On SQLite a copy of the base file; on PostgreSQL
 * (vitest.postgres.config.ts) a database made from the migrated template.
 */
import { randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll } from "vitest";

// A client left over from a previous file in this worker points at that file's database.
globalThis.__lullPrisma = undefined;
globalThis.__lullOutbox = undefined;

const adminUrl = process.env.LULL_TEST_POSTGRES_ADMIN_URL;
let dropDatabase: (() => Promise<void>) | undefined;
if (adminUrl) {
  const name = `lull_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.LULL_TEST_POSTGRES_TEMPLATE}`);
  await admin.end();
  process.env.DATABASE_URL = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).href;
  dropDatabase = async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  };
} else {
  const base = process.env.LULL_TEST_BASE_DB;
  const dir = process.env.LULL_TEST_DIR;
  if (!base || !dir) throw new Error("The global test setup did not prepare a base database.");
  const file = path.join(dir, `${randomUUID()}.db`);
  copyFileSync(base, file);
  process.env.DATABASE_URL = `file:${file}`;
}
process.env.NODE_ENV = "test";

// As in the server: commands' after-commit effects are delivered in this process.
const { startOutboxDispatcher, stopOutboxDispatcher } =
  await import("#app/commands/outbox-dispatcher.server.ts");
await startOutboxDispatcher();

afterAll(async () => {
  await stopOutboxDispatcher();
  if (globalThis.__lullPrisma) await globalThis.__lullPrisma.$disconnect();
  await globalThis.__lullPgPool?.end();
  globalThis.__lullPgPool = undefined;
  await dropDatabase?.();
});
