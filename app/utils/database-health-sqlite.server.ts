/**
 * SQLite's half of `/healthz`. A read-only file answers reads happily, and
 * in WAL mode even `BEGIN IMMEDIATE` succeeds on it (the write lock lives in
 * the -shm file): only a write statement fails. So the check is a write that
 * matches no row, inside `BEGIN IMMEDIATE` … `ROLLBACK`, on the app's own
 * connection, waiting its turn like any other transaction.
 */
import type { DatabaseHealthStore } from "./database-health-store.ts";
import { prisma, runSqliteTransaction } from "./db.server.ts";
import { APPLIED_MIGRATIONS_SQL } from "./migrations.server.ts";

class Rollback extends Error {}

const WRITE_NOTHING_SQL = `UPDATE "_prisma_migrations" SET "id" = "id" WHERE 0`;

export const databaseHealthStore: DatabaseHealthStore = {
  async appliedMigrations() {
    const rows = await prisma.$queryRawUnsafe<{ migration_name: string }[]>(APPLIED_MIGRATIONS_SQL);
    return rows.map((r) => r.migration_name);
  },
  async checkWritable() {
    try {
      await runSqliteTransaction((connection) => {
        connection.prepare(WRITE_NOTHING_SQL).run();
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
  },
};
