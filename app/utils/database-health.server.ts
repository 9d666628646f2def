/**
 * The database's part of `/healthz` (ADR 0019): reachable, at the schema
 * this code expects, and writable. How each is asked differs per provider
 * (database-health-sqlite.server.ts, database-health-postgres.server.ts).
 */
import { databaseHealthStore as postgresStore } from "./database-health-postgres.server.ts";
import { databaseHealthStore as sqliteStore } from "./database-health-sqlite.server.ts";
import { byProvider } from "./db.server.ts";
import { getEnv } from "./env.server.ts";
import { expectedMigrations, unappliedMigrations } from "./migrations.server.ts";

export type DatabaseHealth = "ok" | "unreachable" | "migrations_pending" | "read_only";

const store = byProvider({ sqlite: () => sqliteStore, postgresql: () => postgresStore });

export async function checkDatabaseHealth(): Promise<{ db: DatabaseHealth; detail?: string }> {
  let applied: string[];
  try {
    applied = await store().appliedMigrations();
  } catch (error) {
    return { db: "unreachable", detail: messageOf(error) };
  }
  const missing = unappliedMigrations(applied, expectedMigrations(getEnv().databaseProvider));
  if (missing.length > 0) {
    return { db: "migrations_pending", detail: `not applied: ${missing.join(", ")}` };
  }
  try {
    await store().checkWritable();
  } catch (error) {
    return { db: "read_only", detail: messageOf(error) };
  }
  return { db: "ok" };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
