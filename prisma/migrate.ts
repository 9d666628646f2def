/**
 * Brings the database named by DATABASE_URL up to date (ADR 0032):
 * - `file:` (SQLite): `prisma migrate deploy` over prisma/migrations;
 * - `postgresql://`: the SQL files of prisma/postgres/migrations in order,
 *   through node-pg-migrate, which records what it applied in
 *   `lull_migrations` and holds an advisory lock meanwhile, so nodes starting
 *   together migrate once.
 *
 *   npx tsx prisma/migrate.ts
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { databaseProvider } from "../app/utils/database-url.ts";
import { POSTGRES_MIGRATIONS_TABLE } from "../app/utils/migrations.server.ts";

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(
  new URL("./postgres/migrations", import.meta.url),
);
export { POSTGRES_MIGRATIONS_TABLE };

export async function migratePostgres(databaseUrl: string, log = false): Promise<string[]> {
  const { runner } = await import("node-pg-migrate");
  const applied = await runner({
    databaseUrl,
    dir: POSTGRES_MIGRATIONS_DIR,
    migrationsTable: POSTGRES_MIGRATIONS_TABLE,
    direction: "up",
    checkOrder: true,
    singleTransaction: true,
    logger: log
      ? console
      : { debug: () => {}, info: () => {}, warn: console.warn, error: console.error },
  });
  return applied.map((m) => m.name);
}

export async function migrate(databaseUrl: string): Promise<void> {
  if (databaseProvider(databaseUrl) === "postgresql") {
    const applied = await migratePostgres(databaseUrl);
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s): ${applied.join(", ")}`
        : "No pending migrations.",
    );
    return;
  }
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await migrate(process.env.DATABASE_URL ?? "file:./data/lull.db");
}
