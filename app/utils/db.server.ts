import { PrismaClient } from "#app/generated/prisma/client.ts";
import { getEnv } from "./env.server.ts";
import { createSqliteAdapter, type SqliteAdapterFactory } from "./sqlite-adapter.server.ts";
import type BetterSqlite3 from "better-sqlite3";

export type { PrismaClient };
/** The client handed to `$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

declare global {
  // One client per process, kept across module reloads in development.
  var __lullPrisma: PrismaClient | undefined;
  var __lullAdapter: SqliteAdapterFactory | undefined;
}

if (!globalThis.__lullPrisma) {
  globalThis.__lullAdapter = createSqliteAdapter(getEnv().DATABASE_URL, "app");
  globalThis.__lullPrisma = new PrismaClient({ adapter: globalThis.__lullAdapter });
}

export const prisma: PrismaClient = globalThis.__lullPrisma;

/**
 * Runs `work` as one synchronous SQLite transaction on Prisma's own
 * connection, when no Prisma transaction is open on it (so the two never
 * mix). Synchronous means nothing else runs in between: it is atomic and
 * isolated within the process. Only for hot paths; everything else uses Prisma.
 */
export async function runSqliteTransaction<T>(work: (db: BetterSqlite3.Database) => T): Promise<T> {
  await prisma.$connect();
  const db = globalThis.__lullAdapter?.connection();
  if (!db) throw new Error("The SQLite connection is not open.");
  for (;;) {
    await globalThis.__lullAdapter?.noTransactionOpen();
    if (!db.inTransaction) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Synchronous from here: no Prisma transaction can start before this one commits.
  return db.transaction(() => work(db)).immediate();
}
