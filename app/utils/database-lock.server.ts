/**
 * One writer per SQLite database (ADR 0019). Two server processes on one
 * file race each other's jobs: two export runners writing one ZIP, two
 * retention runs, snapshot conflicts on every request. So the server (and
 * `npm run jobs:retention`) holds an exclusive lock for as long as it runs.
 *
 * The lock is a small SQLite file of its own beside the database,
 * `<database>-lull.lock`, held in `BEGIN EXCLUSIVE` on a connection kept open
 * for the process's lifetime. SQLite's file locks belong to the process, so
 * the operating system drops the lock when the process ends, however it ends
 * (`kill -9` included): a stale lock cannot outlive its holder. The lock file
 * never holds data, so its journal stays in memory and the database's own
 * journal mode (WAL) is untouched.
 */
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export class DatabaseInUseError extends Error {
  constructor(readonly databaseFile: string) {
    super(
      `Another Lull process is already using the database ${databaseFile} (it holds ${lockFileFor(databaseFile)}). ` +
        "Only one server may run on a SQLite database: stop the other one first, or give this one its own DATABASE_URL.",
    );
    this.name = "DatabaseInUseError";
  }
}

/** The lock file for a database file: one per real file, however the path is spelled. */
export function lockFileFor(databaseFile: string): string {
  const absolute = path.resolve(databaseFile);
  return `${existsSync(absolute) ? realpathSync(absolute) : absolute}-lull.lock`;
}

export type DatabaseLock = { file: string; release(): void };

declare global {
  // Held here so the connection (and with it the lock) lives as long as the process.
  var __lullDatabaseLocks: Map<string, Database.Database> | undefined;
}

/**
 * Takes the exclusive lock on `databaseFile`, or throws DatabaseInUseError at
 * once (no waiting) when another process, or another connection in this one,
 * holds it.
 */
export function holdDatabaseLock(databaseFile: string): DatabaseLock {
  const file = lockFileFor(databaseFile);
  const held = (globalThis.__lullDatabaseLocks ??= new Map());
  const connection = new Database(file, { timeout: 0 });
  try {
    connection.pragma("journal_mode = MEMORY");
    connection.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    connection.close();
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY")) {
      throw new DatabaseInUseError(databaseFile);
    }
    throw error;
  }
  held.set(file, connection);
  return {
    file,
    release() {
      if (held.get(file) !== connection) return;
      held.delete(file);
      connection.close();
    },
  };
}
