import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "#app/generated/prisma/client.ts";
import { PrismaClient as PostgresPrismaClient } from "#app/generated/prisma-postgres/client.ts";
import { getEnv } from "./env.server.ts";
import { createSqliteAdapter, type SqliteAdapterFactory } from "./sqlite-adapter.server.ts";
import type BetterSqlite3 from "better-sqlite3";

/**
 * The app's one Prisma client. Both providers' clients are generated from the
 * same schema (prisma/schema.prisma, ADR 0032), so they offer the same model
 * API; the SQLite client's type describes both. Provider-specific SQL lives
 * behind each aggregate's own interface, never in routes.
 */
export type { PrismaClient };
/** The client handed to `$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

declare global {
  // One client per process, kept across module reloads in development.
  var __lullPrisma: PrismaClient | undefined;
  var __lullAdapter: SqliteAdapterFactory | undefined;
  var __lullPgPool: pg.Pool | undefined;
}

/**
 * PostgreSQL text cannot hold a NUL character (SQLite's can): a parameter
 * with one fails the whole statement (22021). Every connection of the pool
 * sends U+FFFD in its place, so a hostile id in a URL finds nothing (404)
 * and a stray NUL in a text is stored visibly instead of answering 500.
 */
function withoutNul(value: unknown): unknown {
  if (typeof value === "string")
    return value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  return value;
}
class NulSafeClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [first, second] = args;
    if (Array.isArray(second)) args[1] = second.map(withoutNul);
    else if (
      first &&
      typeof first === "object" &&
      Array.isArray((first as { values?: unknown }).values)
    ) {
      args[0] = { ...first, values: (first as { values: unknown[] }).values.map(withoutNul) };
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** PostgreSQL's TIMESTAMP (without time zone) columns hold UTC; read them as such. */
const TIMESTAMP_OID = 1114;
function parseUtcTimestamp(value: string): Date {
  return new Date(`${value.replace(" ", "T")}Z`);
}

function createClient(): PrismaClient {
  const env = getEnv();
  if (env.databaseProvider === "postgresql") {
    globalThis.__lullAdapter = undefined;
    // One pool per process, shared by Prisma and the few hot paths that use `pg` directly.
    globalThis.__lullPgPool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: env.DATABASE_POOL_SIZE,
      application_name: "lull",
      Client: NulSafeClient,
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === TIMESTAMP_OID
            ? parseUtcTimestamp
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server closed (restart, failover) is dropped by the pool and
    // replaced on next use; without a listener its error would end the process.
    globalThis.__lullPgPool.on("error", (error) => {
      console.error(
        `PostgreSQL: an idle connection failed (${error.message}); it is replaced on next use.`,
      );
    });
    const adapter = new PrismaPg(globalThis.__lullPgPool);
    return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  globalThis.__lullAdapter = createSqliteAdapter(env.DATABASE_URL, "app");
  return new PrismaClient({ adapter: globalThis.__lullAdapter });
}

globalThis.__lullPrisma ??= createClient();

export const prisma: PrismaClient = globalThis.__lullPrisma;

/** The pool of connections on PostgreSQL (shared with Prisma); undefined on SQLite. */
export function postgresPool(): pg.Pool | undefined {
  return globalThis.__lullPgPool;
}

/** The database this process runs on. */
export function isPostgres(): boolean {
  return getEnv().databaseProvider === "postgresql";
}

/**
 * Picks this process's implementation of an aggregate's provider-specific
 * store (`<aggregate>-sqlite.server.ts` / `<aggregate>-postgres.server.ts`),
 * once, on first use.
 */
export function byProvider<T>(implementations: { sqlite: () => T; postgresql: () => T }): () => T {
  let chosen: T | undefined;
  return () => (chosen ??= implementations[getEnv().databaseProvider]());
}

/**
 * Runs `work` in one PostgreSQL transaction on a connection of the app's
 * pool: committed when it resolves, rolled back when it throws. For the hot
 * paths that bypass Prisma's query layer on PostgreSQL (ADR 0032). Times are
 * sent as ISO strings (`toISOString()`): a TIMESTAMP column holds UTC.
 */
export async function runPostgresTransaction<T>(
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const pool = globalThis.__lullPgPool;
  if (!pool) throw new Error("This process does not run on PostgreSQL.");
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true; // a connection that cannot roll back is not given to the next caller
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `work` as one synchronous SQLite transaction on Prisma's own
 * connection, when no Prisma transaction is open on it (so the two never
 * mix). Synchronous means nothing else runs in between: it is atomic and
 * isolated within the process. Only for SQLite's hot paths; everything else
 * uses Prisma.
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
