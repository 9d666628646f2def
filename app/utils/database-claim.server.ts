/**
 * What the server (and `npm run jobs:retention`) does before anything else
 * touches the database (ADR 0019): the file must exist, no other Lull
 * process may be using it, and every migration must be applied. Otherwise
 * the process says why and exits with status 1, instead of creating an empty
 * database or racing another server.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getEnv } from "./env.server.ts";
import { type DatabaseLock, DatabaseInUseError, holdDatabaseLock } from "./database-lock.server.ts";
import {
  APPLIED_MIGRATIONS_SQL,
  expectedMigrations,
  unappliedMigrations,
} from "./migrations.server.ts";
import { sqlitePathFromUrl } from "./sqlite-adapter.server.ts";

/** A reason not to start, worded for the person starting it. */
export class DatabaseNotReadyError extends Error {
  override name = "DatabaseNotReadyError";
}

/** Checks the database and takes its lock, held until the process ends. Throws if it may not run. */
export function claimDatabase(databaseUrl: string): DatabaseLock {
  const file = sqlitePathFromUrl(databaseUrl);
  if (!existsSync(file)) {
    throw new DatabaseNotReadyError(
      `There is no database at ${path.resolve(file)}. Create and migrate it first: ` +
        "`npm run setup` in development, `npx prisma migrate deploy` in production.",
    );
  }
  const lock = holdDatabaseLock(file);
  try {
    const missing = unappliedMigrations(appliedMigrations(file), expectedMigrations());
    if (missing.length > 0) {
      throw new DatabaseNotReadyError(
        `The database ${path.resolve(file)} is not at the latest schema: ` +
          `${missing.length} migration(s) not applied (${missing.join(", ")}). ` +
          "Run `npx prisma migrate deploy`, then start again.",
      );
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  return lock;
}

function appliedMigrations(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db
      .prepare(`SELECT 1 FROM "sqlite_master" WHERE "type" = 'table' AND "name" = ?`)
      .get("_prisma_migrations");
    return hasTable ? db.prepare(APPLIED_MIGRATIONS_SQL).pluck().all().map(String) : [];
  } finally {
    db.close();
  }
}

/**
 * `claimDatabase` for a process's start-up: on refusal, prints `<who> did not
 * start: <why>` and exits with status 1.
 */
export function claimDatabaseOrExit(
  who: string,
  databaseUrl: string = getEnv().DATABASE_URL,
): DatabaseLock {
  try {
    return claimDatabase(databaseUrl);
  } catch (error) {
    const known = error instanceof DatabaseNotReadyError || error instanceof DatabaseInUseError;
    console.error(`${who} did not start: ${known ? error.message : String(error)}`);
    if (!known) console.error(error);
    process.exit(1);
  }
}
