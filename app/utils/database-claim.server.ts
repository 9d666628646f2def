/**
 * What the server (and `npm run jobs:retention`) does before anything else
 * touches the database. Otherwise the process says why and exits with
 * status 1, instead of creating an empty database or racing another server.
 *
 * - SQLite (ADR 0019): the file must exist, no other Lull process may be
 *   using it, every migration must be applied (database-claim-sqlite.server.ts).
 * - PostgreSQL (ADR 0035): several nodes share the database, so there is no
 *   lock; the server must answer and every migration must be recorded
 *   (database-claim-postgres.server.ts).
 */
import { DatabaseNotReadyError, type DatabaseClaim } from "./database-claim-errors.ts";
import { checkPostgresDatabase } from "./database-claim-postgres.server.ts";
import { claimSqliteDatabase } from "./database-claim-sqlite.server.ts";
import { DatabaseInUseError } from "./database-lock.server.ts";
import { databaseProvider } from "./database-url.ts";
import { getEnv } from "./env.server.ts";

export { DatabaseNotReadyError, type DatabaseClaim };

/** Checks the database (and on SQLite takes its lock, held until the process ends). Throws if it may not run. */
export async function claimDatabase(databaseUrl: string): Promise<DatabaseClaim> {
  return databaseProvider(databaseUrl) === "postgresql"
    ? checkPostgresDatabase(databaseUrl)
    : claimSqliteDatabase(databaseUrl);
}

/**
 * `claimDatabase` for a process's start-up: on refusal, prints `<who> did not
 * start: <why>` and exits with status 1.
 */
export async function claimDatabaseOrExit(
  who: string,
  databaseUrl: string = getEnv().DATABASE_URL,
): Promise<DatabaseClaim> {
  try {
    return await claimDatabase(databaseUrl);
  } catch (error) {
    const known = error instanceof DatabaseNotReadyError || error instanceof DatabaseInUseError;
    console.error(`${who} did not start: ${known ? error.message : String(error)}`);
    if (!known) console.error(error);
    process.exit(1);
  }
}
