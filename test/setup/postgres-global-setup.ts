/**
 * The integration suite on PostgreSQL (vitest.postgres.config.ts, ADR 0032):
 * one throwaway cluster for the run, one template database migrated by the
 * real PostgreSQL migrations (`prisma/migrate.ts`); each test file then gets
 * its own database copied from the template (per-file-database.ts).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { migratePostgres } from "../../prisma/migrate.ts";
import { startCluster } from "../postgres-cluster.ts";

export const TEMPLATE_DATABASE = "lull_template";

export default async function setup() {
  const cluster = await startCluster();
  const admin = new pg.Client({ connectionString: cluster.url("postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  await migratePostgres(cluster.url(TEMPLATE_DATABASE));
  process.env.LULL_TEST_POSTGRES_ADMIN_URL = cluster.url("postgres");
  process.env.LULL_TEST_POSTGRES_TEMPLATE = TEMPLATE_DATABASE;
  // Every node of a PostgreSQL deployment shares one receipt key (env.server.ts).
  process.env.RECEIPT_SIGNING_KEY = generateKeyPairSync("ed25519")
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  // Export archives of the run (ADR 0033), as the SQLite suite keeps them beside its databases.
  const exportDir = mkdtempSync(path.join(tmpdir(), "lull-pg-exports-"));
  process.env.EXPORT_DIR = exportDir;
  return () => {
    rmSync(exportDir, { recursive: true, force: true });
    cluster.stop();
  };
}
