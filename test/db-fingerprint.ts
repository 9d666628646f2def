/**
 * Every row of every table of the test database, to show what a request
 * wrote: take a snapshot before and after, and `changedRows` lists each row
 * inserted, deleted or updated (with its values), so a test can say exactly
 * which writes it allows. The database of a test file holds a few hundred
 * rows. On SQLite the snapshot is read synchronously on the app's own
 * connection (when no Prisma transaction is open), so one costs about a
 * millisecond; on PostgreSQL in one REPEATABLE READ transaction on a
 * connection of the app's pool, each row keyed by its primary key (there is
 * no rowid).
 *
 * Request budgets (ADR 0036) are counters, kept in memory on SQLite and in
 * `lull_rate_limits` on PostgreSQL: not data, and left out on both.
 *
 * A session's sliding expiry (`Session.expiresAt`, moved at most every few
 * minutes by any signed-in request) is bookkeeping, not a write, and is left
 * out. Commands' after-commit effects are delivered before each snapshot, so
 * an outbox row written by one request is never counted against the next.
 */
import { deliverOutbox } from "#app/commands/outbox-dispatcher.server.ts";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { POSTGRES_MIGRATIONS_TABLE } from "../prisma/migrate.ts";
import { isPostgres, runPostgresTransaction, runSqliteTransaction } from "#app/utils/db.server.ts";
import { RATE_LIMIT_TABLE } from "#app/utils/rate-limit.server.ts";

/** table → the row's key (SQLite: its rowid; PostgreSQL: its primary key) → its values as JSON. */
export type DatabaseSnapshot = Map<string, Map<string, string>>;

export type RowChange = {
  table: string;
  kind: "insert" | "delete" | "update";
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

const LEFT_OUT: Record<string, readonly string[]> = { Session: ["expiresAt"] };

/** The app's connection reads integers as BigInt (safe integers). */
const bigIntAsText = (_key: string, value: unknown) =>
  typeof value === "bigint" ? value.toString() : value;

type Readers = {
  pendingEffects: BetterSqlite3.Statement;
  tables: [string, BetterSqlite3.Statement][];
};
const readersOf = new WeakMap<BetterSqlite3.Database, Readers>();

/** Statements prepared once per connection (the schema does not change during a test). */
function readers(db: BetterSqlite3.Database): Readers {
  let found = readersOf.get(db);
  if (!found) {
    const names = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    found = {
      pendingEffects: db.prepare(PENDING_EFFECTS).pluck(),
      tables: names.map((name) => [
        name,
        db.prepare(`SELECT rowid AS "__rowid", * FROM "${name}"`),
      ]),
    };
    readersOf.set(db, found);
  }
  return found;
}

const PENDING_EFFECTS = `SELECT count(*) AS "n" FROM "OutboxMessage" WHERE "failedAt" IS NULL AND ("importId" IS NULL OR "importId" IN (SELECT "id" FROM "UserImport" WHERE "finishedAt" IS NOT NULL))`;

/** The snapshot, or null while commands' effects are still to be delivered. */
function snapshotSqlite(): Promise<DatabaseSnapshot | null> {
  return runSqliteTransaction((db) => {
    const { pendingEffects, tables } = readers(db);
    if (Number(pendingEffects.get()) > 0) return null;
    const snapshot: DatabaseSnapshot = new Map();
    for (const [table, select] of tables) {
      const rows = new Map<string, string>();
      const leftOut = LEFT_OUT[table] ?? [];
      for (const row of select.all() as Record<string, unknown>[]) {
        const { __rowid, ...values } = row;
        for (const column of leftOut) delete values[column];
        rows.set(String(__rowid), JSON.stringify(values, bigIntAsText));
      }
      snapshot.set(table, rows);
    }
    return snapshot;
  });
}

/** Each table of the schema and its primary key's columns (none: the whole row is the key). */
async function postgresTables(client: pg.PoolClient): Promise<[string, string[]][]> {
  const { rows } = await client.query<{ table: string; key: string[] | null }>(
    `SELECT t.relname::text AS "table",
            (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
             WHERE i.indrelid = t.oid AND i.indisprimary) AS "key"
     FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema() AND t.relkind = 'r' AND t.relname <> ALL ($1::text[])
     ORDER BY t.relname`,
    [[POSTGRES_MIGRATIONS_TABLE, RATE_LIMIT_TABLE]],
  );
  return rows.map((r) => [r.table, r.key ?? []]);
}

function snapshotPostgres(): Promise<DatabaseSnapshot | null> {
  return runPostgresTransaction(async (client) => {
    await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    const pending = await client.query<{ n: string }>(PENDING_EFFECTS);
    if (Number(pending.rows[0]!.n) > 0) return null;
    const snapshot: DatabaseSnapshot = new Map();
    for (const [table, key] of await postgresTables(client)) {
      const rows = new Map<string, string>();
      const leftOut = LEFT_OUT[table] ?? [];
      for (const values of (await client.query<Record<string, unknown>>(`SELECT * FROM "${table}"`))
        .rows) {
        const id = JSON.stringify(key.length > 0 ? key.map((c) => values[c]) : values);
        for (const column of leftOut) delete values[column];
        rows.set(id, JSON.stringify(values, bigIntAsText));
      }
      snapshot.set(table, rows);
    }
    return snapshot;
  });
}

export async function snapshotDatabase(): Promise<DatabaseSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const snapshot = await (isPostgres() ? snapshotPostgres() : snapshotSqlite());
    if (snapshot) return snapshot;
    // An earlier command's effects are still to be delivered (the dispatcher runs after commit).
    if (attempt === 20) throw new Error("The outbox does not empty: a message keeps failing.");
    await deliverOutbox();
  }
}

export function changedRows(before: DatabaseSnapshot, after: DatabaseSnapshot): RowChange[] {
  const changes: RowChange[] = [];
  const parse = (json: string | undefined) =>
    json === undefined ? null : (JSON.parse(json) as Record<string, unknown>);
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(table) ?? new Map<string, string>();
    const now = after.get(table) ?? new Map<string, string>();
    for (const [key, json] of now) {
      const old = was.get(key);
      if (old === json) continue;
      changes.push({
        table,
        kind: old === undefined ? "insert" : "update",
        before: parse(old),
        after: parse(json),
      });
    }
    for (const [key, json] of was) {
      if (!now.has(key)) changes.push({ table, kind: "delete", before: parse(json), after: null });
    }
  }
  return changes;
}

/** One line per change, for a failure message. */
export function describeChanges(changes: RowChange[]): string {
  return changes
    .map((c) => `${c.kind} ${c.table}: ${JSON.stringify(c.after ?? c.before).slice(0, 300)}`)
    .join("\n");
}
