/**
 * The database's part of `/healthz` (ADR 0019): reachable, at the schema
 * this code expects, and writable. A read-only file answers reads happily,
 * and in WAL mode even `BEGIN IMMEDIATE` succeeds on it (the write lock lives
 * in the -shm file): only a write statement fails. So the check is a write
 * that matches no row, inside `BEGIN IMMEDIATE` … `ROLLBACK`, on the app's
 * own connection, waiting its turn like any other transaction.
 */
import { prisma, runSqliteTransaction } from "./db.server.ts";
import { APPLIED_MIGRATIONS_SQL, unappliedMigrations } from "./migrations.server.ts";

export type DatabaseHealth = "ok" | "unreachable" | "migrations_pending" | "read_only";

class Rollback extends Error {}

const WRITE_NOTHING_SQL = `UPDATE "_prisma_migrations" SET "id" = "id" WHERE 0`;

export async function checkDatabaseHealth(): Promise<{ db: DatabaseHealth; detail?: string }> {
  let applied: string[];
  try {
    const rows = await prisma.$queryRawUnsafe<{ migration_name: string }[]>(APPLIED_MIGRATIONS_SQL);
    applied = rows.map((r) => r.migration_name);
  } catch (error) {
    return { db: "unreachable", detail: messageOf(error) };
  }
  const missing = unappliedMigrations(applied);
  if (missing.length > 0) {
    return { db: "migrations_pending", detail: `not applied: ${missing.join(", ")}` };
  }
  try {
    await runSqliteTransaction((connection) => {
      connection.prepare(WRITE_NOTHING_SQL).run();
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) return { db: "read_only", detail: messageOf(error) };
  }
  return { db: "ok" };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
