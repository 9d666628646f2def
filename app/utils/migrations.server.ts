/**
 * Is the database at the schema this code expects? The expected migrations
 * are read from disk once per process (at start-up, by the server's database
 * claim): on SQLite the folder names in prisma/migrations, recorded by Prisma
 * in `_prisma_migrations` when it finished each (ADR 0019); on PostgreSQL the
 * file names (without `.sql`) in prisma/postgres/migrations, recorded by
 * node-pg-migrate in `lull_migrations` (ADR 0032).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { DatabaseProvider } from "./database-url.ts";

/** Where each provider's migrations live, relative to the working directory (the project folder). */
export const MIGRATIONS_DIRECTORIES: Record<DatabaseProvider, string> = {
  sqlite: "prisma/migrations",
  postgresql: "prisma/postgres/migrations",
};

/** Finished and not rolled back: what `prisma migrate deploy` counts as applied. */
export const APPLIED_MIGRATIONS_SQL = `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;

/** node-pg-migrate's table: a row per applied file, in `name`. */
export const POSTGRES_MIGRATIONS_TABLE = "lull_migrations";

declare global {
  // Shared by the server's own module copy and the app build's, read once.
  var __lullExpectedMigrations: Partial<Record<DatabaseProvider, readonly string[]>> | undefined;
}

/** The migrations of `provider` on disk, oldest first. */
export function readMigrationNames(provider: DatabaseProvider = "sqlite"): string[] {
  const directory = MIGRATIONS_DIRECTORIES[provider];
  if (!existsSync(directory)) {
    throw new Error(
      `No migrations folder at ${path.resolve(directory)}: start Lull from its project folder.`,
    );
  }
  const entries = readdirSync(directory, { withFileTypes: true });
  const names =
    provider === "sqlite"
      ? entries
          .filter(
            (e) => e.isDirectory() && existsSync(path.join(directory, e.name, "migration.sql")),
          )
          .map((e) => e.name)
      : entries
          .filter((e) => e.isFile() && e.name.endsWith(".sql"))
          .map((e) => e.name.slice(0, -4));
  return names.sort();
}

/** The migrations this code expects, read from disk the first time it is asked. */
export function expectedMigrations(provider: DatabaseProvider): readonly string[] {
  const read = (globalThis.__lullExpectedMigrations ??= {});
  return (read[provider] ??= Object.freeze(readMigrationNames(provider)));
}

/** The expected migrations that `applied` lacks, oldest first. */
export function unappliedMigrations(
  applied: Iterable<string>,
  expected: readonly string[],
): string[] {
  const done = new Set(applied);
  return expected.filter((name) => !done.has(name));
}
