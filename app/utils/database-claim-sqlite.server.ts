/**
 * SQLite's start-up claim (ADR 0019): the file must exist, no other Lull
 * process may be using it, and every migration must be applied. The lock is
 * held until the process ends.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { DatabaseNotReadyError, type DatabaseClaim } from "./database-claim-errors.ts";
import { holdDatabaseLock } from "./database-lock.server.ts";
import {
  APPLIED_MIGRATIONS_SQL,
  expectedMigrations,
  unappliedMigrations,
} from "./migrations.server.ts";
import { sqlitePathFromUrl } from "./sqlite-adapter.server.ts";

export function claimSqliteDatabase(databaseUrl: string): DatabaseClaim {
  const file = sqlitePathFromUrl(databaseUrl);
  if (!existsSync(file)) {
    throw new DatabaseNotReadyError(
      `There is no database at ${path.resolve(file)}. Create and migrate it first: ` +
        "`npm run setup` in development, `npx prisma migrate deploy` in production.",
    );
  }
  const lock = holdDatabaseLock(file);
  try {
    const missing = unappliedMigrations(appliedMigrations(file), expectedMigrations("sqlite"));
    if (missing.length > 0) {
      throw new DatabaseNotReadyError(
        `The database ${path.resolve(file)} is not at the latest schema: ` +
          `${missing.length} migration(s) not applied (${missing.join(", ")}). ` +
          "Run `npx prisma migrate deploy` (or `npm run setup`), then start again.",
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
