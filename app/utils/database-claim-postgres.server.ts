/**
 * PostgreSQL's start-up check (ADR 0035). Several nodes share the database
 * by design, so nothing is locked: the server must answer, and every file of
 * prisma/postgres/migrations must be recorded in `lull_migrations`
 * (node-pg-migrate's table, written by `npm run setup`).
 */
import pg from "pg";
import { z } from "zod";
import { DatabaseNotReadyError, type DatabaseClaim } from "./database-claim-errors.ts";
import {
  POSTGRES_MIGRATIONS_TABLE,
  expectedMigrations,
  unappliedMigrations,
} from "./migrations.server.ts";

/** host:port/database, never the password. */
function describe(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}

export async function checkPostgresDatabase(databaseUrl: string): Promise<DatabaseClaim> {
  const where = describe(databaseUrl);
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 10_000,
    application_name: "lull start-up",
  });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseNotReadyError(
      `Cannot reach the PostgreSQL database ${where} (${error instanceof Error ? error.message : String(error)}). ` +
        "Check DATABASE_URL and that the server is running, then create and migrate it with `npm run setup`.",
    );
  }
  try {
    const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS "exists"`, [
      `"${POSTGRES_MIGRATIONS_TABLE}"`,
    ]);
    const hasTable = z.array(z.object({ exists: z.boolean() })).parse(rows)[0]?.exists === true;
    const applied = hasTable
      ? z
          .array(z.object({ name: z.string() }))
          .parse((await client.query(`SELECT "name" FROM "${POSTGRES_MIGRATIONS_TABLE}"`)).rows)
          .map((r) => r.name)
      : [];
    const missing = unappliedMigrations(applied, expectedMigrations("postgresql"));
    if (missing.length > 0) {
      throw new DatabaseNotReadyError(
        `The database ${where} is not at the latest schema: ` +
          `${missing.length} migration(s) not applied (${missing.join(", ")}). ` +
          "Run `npm run setup`, then start again.",
      );
    }
  } finally {
    await client.end();
  }
  return { release: () => {} };
}
