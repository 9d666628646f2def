/**
 * Is the database at the schema this code expects? The expected migrations
 * are the folder names in prisma/migrations, read once per process (at
 * start-up, by the server's database claim); the applied ones are the rows
 * Prisma wrote to `_prisma_migrations` when it finished each (ADR 0019).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

/** Where the migrations live, relative to the working directory (the project folder). */
export const MIGRATIONS_DIRECTORY = "prisma/migrations";

/** Finished and not rolled back: what `prisma migrate deploy` counts as applied. */
export const APPLIED_MIGRATIONS_SQL = `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;

declare global {
  // Shared by the server's own module copy and the app build's, read once.
  var __lullExpectedMigrations: readonly string[] | undefined;
}

/** The migration folder names in `directory`, oldest first. */
export function readMigrationNames(directory = MIGRATIONS_DIRECTORY): string[] {
  if (!existsSync(directory)) {
    throw new Error(
      `No migrations folder at ${path.resolve(directory)}: start Lull from its project folder.`,
    );
  }
  return readdirSync(directory, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(directory, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort();
}

/** The migrations this code expects, read from disk the first time it is asked. */
export function expectedMigrations(): readonly string[] {
  globalThis.__lullExpectedMigrations ??= Object.freeze(readMigrationNames());
  return globalThis.__lullExpectedMigrations;
}

/** The expected migrations that `applied` lacks, oldest first. */
export function unappliedMigrations(
  applied: Iterable<string>,
  expected: readonly string[] = expectedMigrations(),
): string[] {
  const done = new Set(applied);
  return expected.filter((name) => !done.has(name));
}
