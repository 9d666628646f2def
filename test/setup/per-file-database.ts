/**
 * Runs before each test file, before the app's modules load: gives the file
 * its own copy of the migrated base database, so files run in parallel
 * without sharing state.
 */
import { randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { afterAll } from "vitest";

const base = process.env.LULL_TEST_BASE_DB;
const dir = process.env.LULL_TEST_DIR;
if (!base || !dir) throw new Error("The global test setup did not prepare a base database.");

// A client left over from a previous file in this worker points at that file's database.
globalThis.__lullPrisma = undefined;
globalThis.__lullOutbox = undefined;

const file = path.join(dir, `${randomUUID()}.db`);
copyFileSync(base, file);
process.env.DATABASE_URL = `file:${file}`;
process.env.NODE_ENV = "test";

// As in the server: commands' after-commit effects are delivered in this process.
const { startOutboxDispatcher, stopOutboxDispatcher } =
  await import("#app/commands/outbox-dispatcher.server.ts");
await startOutboxDispatcher();

afterAll(async () => {
  await stopOutboxDispatcher();
  if (globalThis.__lullPrisma) await globalThis.__lullPrisma.$disconnect();
});
