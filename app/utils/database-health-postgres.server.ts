/**
 * PostgreSQL's half of `/healthz`. A server that refuses writes says so in
 * `transaction_read_only`: a hot standby, or a database or role set to
 * `default_transaction_read_only`. Asked on a connection of the app's pool,
 * as any request's transaction would find it.
 */
import { z } from "zod";
import type { DatabaseHealthStore } from "./database-health-store.ts";
import { prisma } from "./db.server.ts";

export const databaseHealthStore: DatabaseHealthStore = {
  async appliedMigrations() {
    const rows = await prisma.$queryRaw`SELECT "name" FROM "lull_migrations"`;
    return z
      .array(z.object({ name: z.string() }))
      .parse(rows)
      .map((r) => r.name);
  },
  async checkWritable() {
    const [row] = z
      .array(z.object({ transaction_read_only: z.string() }))
      .parse(await prisma.$queryRaw`SHOW transaction_read_only`);
    if (row?.transaction_read_only !== "off") {
      throw new Error(`transaction_read_only is ${row?.transaction_read_only ?? "unknown"}`);
    }
  },
};
