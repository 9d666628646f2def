import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";

/**
 * SQLite settings for every connection the application opens:
 * WAL lets readers run while a writer writes; busy_timeout makes a writer
 * wait for the lock instead of failing at once; foreign keys are enforced.
 */
export const SQLITE_PRAGMAS = `
PRAGMA journal_mode = WAL;
PRAGMA busy_timeout = 5000;
PRAGMA foreign_keys = ON;
PRAGMA synchronous = NORMAL;
`;

/**
 * How the better-sqlite3 adapter stores a DateTime (ISO 8601 text with
 * "+00:00"), for the few raw statements that compare or write times.
 */
export function toStoredDateTime(instant: Date | number): string {
  return new Date(instant).toISOString().replace("Z", "+00:00");
}

/** Path of the SQLite file named by a `file:` URL, relative to the working directory. */
/**
 * Statements prepared once per connection (`prepare` runs on first use of each
 * connection): the hot paths that bypass Prisma's query layer (ADR 0007).
 */
export function statementCache<T>(
  prepare: (db: BetterSqlite3.Database) => T,
): (db: BetterSqlite3.Database) => T {
  const cache = new WeakMap<BetterSqlite3.Database, T>();
  return (db) => {
    let statements = cache.get(db);
    if (!statements) {
      statements = prepare(db);
      cache.set(db, statements);
    }
    return statements;
  };
}

export function sqlitePathFromUrl(url: string): string {
  return url.replace(/^file:/, "").replace(/\?.*$/, "");
}

async function withPragmas(adapter: SqlDriverAdapter): Promise<SqlDriverAdapter> {
  await adapter.executeScript(SQLITE_PRAGMAS);
  return adapter;
}

/**
 * Prisma's schema engine replays whole migration scripts on the shadow
 * database (`migrate dev`) through `executeRaw`, which better-sqlite3 runs
 * one statement at a time (P3006). Parameterless queries go through
 * `executeScript` instead, which runs a whole script. (`migrate reset` still
 * fails through this adapter; `npm run db:reset` deletes the file and
 * migrates instead: docs/decisions/0002.)
 */
function scriptAware(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      if (prop === "executeRaw") {
        return async (query: Parameters<SqlDriverAdapter["executeRaw"]>[0]) => {
          if (query.args.length === 0) {
            await target.executeScript(query.sql);
            return 0;
          }
          return target.executeRaw(query);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * One connection serves every request, so while a Prisma interactive
 * transaction is open (a command awaits between its statements), a query
 * from another request would run *inside* it and be committed or rolled back
 * with it: a refused command would undo someone else's write. This gate
 * makes queries outside a transaction, and the next transaction, wait until
 * the open one has committed or rolled back. (A query on the global client
 * inside a transaction's own work would wait for it: use the `tx` handed to
 * the work; Prisma's transaction timeout ends such a wait.)
 */
type TransactionGate = { open: Promise<void> | null };

function oneTransactionAtATime(adapter: SqlDriverAdapter, gate: TransactionGate): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      if (prop === "queryRaw" || prop === "executeRaw" || prop === "executeScript") {
        const run = (
          Reflect.get(target, prop, receiver) as (arg: unknown) => Promise<unknown>
        ).bind(target);
        return async (arg: unknown) => {
          while (gate.open) await gate.open;
          return run(arg);
        };
      }
      if (prop === "startTransaction") {
        return async (...args: Parameters<SqlDriverAdapter["startTransaction"]>) => {
          // No await between the check and taking the gate: two waiters cannot both take it.
          while (gate.open) await gate.open;
          let release!: () => void;
          gate.open = new Promise<void>((resolve) => (release = resolve));
          const done = () => {
            gate.open = null;
            release();
          };
          let tx: Awaited<ReturnType<SqlDriverAdapter["startTransaction"]>>;
          try {
            tx = await target.startTransaction(...args);
          } catch (error) {
            done();
            throw error;
          }
          return new Proxy(tx, {
            get(t, p, r) {
              if (p === "commit" || p === "rollback") {
                return async () => {
                  try {
                    return await (t[p] as () => Promise<void>).call(t);
                  } finally {
                    done();
                  }
                };
              }
              const value: unknown = Reflect.get(t, p, r);
              return typeof value === "function" ? value.bind(t) : value;
            },
          });
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The driver adapter factory for a `file:` database URL; creates the folder if needed.
 *
 * - `"app"`: the application's connection, with the pragmas above.
 * - `"cli"`: the Prisma CLI's connections (main and shadow), which replay
 *   migration scripts. They get no pragmas: the schema engine misreads a
 *   connection whose journal mode or foreign-key setting was changed under it,
 *   and migrations need neither (WAL mode is stored in the file once the app
 *   has set it).
 */
export type SqliteAdapterFactory = SqlMigrationAwareDriverAdapterFactory & {
  /**
   * The better-sqlite3 connection behind the app's adapter, once Prisma has
   * connected: for the one hot path (agent event ingestion) that runs its
   * statements synchronously on the same connection. See ADR 0007.
   */
  connection(): BetterSqlite3.Database | undefined;
  /** Resolves when no Prisma transaction is open on the app's connection. */
  noTransactionOpen(): Promise<void>;
};

export function createSqliteAdapter(
  databaseUrl: string,
  mode: "app" | "cli",
): SqliteAdapterFactory {
  const file = sqlitePathFromUrl(databaseUrl);
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const inner = new PrismaBetterSQLite3({ url: file, timeout: 5000 });
  let connection: BetterSqlite3.Database | undefined;
  const gate: TransactionGate = { open: null };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connection: () => connection,
    noTransactionOpen: async () => {
      while (gate.open) await gate.open;
    },
    connect: async () => {
      const adapter = await inner.connect();
      if (mode === "cli") return scriptAware(adapter);
      connection = (adapter as unknown as { client: BetterSqlite3.Database }).client;
      return oneTransactionAtATime(await withPragmas(adapter), gate);
    },
    connectToShadowDb: async () => scriptAware(await inner.connectToShadowDb()),
  };
}
