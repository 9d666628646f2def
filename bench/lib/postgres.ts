/**
 * PostgreSQL for the benches, set up as docs/deploy.md says for several
 * nodes: a throwaway cluster (test/postgres-cluster.ts, the tests' own),
 * a database, `npm run db:migrate`, and the environment every node must
 * share (session secret, receipt signing key, export directory). The
 * harness starts the nodes (`bench.startServer`) and stops the cluster last.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { startCluster } from "#test/postgres-cluster.ts";

export type BenchPostgres = {
  databaseUrl: string;
  /** The environment every node shares: the same on each, as docs/deploy.md asks. */
  nodeEnv: Record<string, string>;
  migrateSeconds: number;
  /** The URL of another database on the same cluster. */
  url(database: string): string;
  /**
   * A copy of the database as it is now (`CREATE DATABASE … TEMPLATE`).
   * PostgreSQL copies a template only when nobody is connected to it:
   * call it before the nodes start (this ends any leftover connection).
   */
  copyDatabase(name: string): Promise<string>;
  stop(): void;
};

const DATABASE = "lull";

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function migratedPostgres(root: string, tmpDir: string): Promise<BenchPostgres> {
  const cluster = await startCluster();
  try {
    await admin(cluster.url("postgres"), (c) => c.query(`CREATE DATABASE ${DATABASE}`));
    const databaseUrl = cluster.url(DATABASE);
    const exportDir = path.join(tmpDir, "exports");
    mkdirSync(exportDir, { recursive: true });
    const nodeEnv = {
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: randomBytes(32).toString("hex"),
      RECEIPT_SIGNING_KEY: generateKeyPairSync("ed25519")
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
      EXPORT_DIR: exportDir,
    };
    const t0 = performance.now();
    execFileSync("npm", ["run", "db:migrate", "--silent"], {
      cwd: root,
      env: { ...process.env, ...nodeEnv },
      stdio: "pipe",
    });
    return {
      databaseUrl,
      nodeEnv,
      migrateSeconds: (performance.now() - t0) / 1000,
      url: cluster.url,
      copyDatabase: (name) =>
        admin(cluster.url("postgres"), async (c) => {
          await c.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()`,
            [DATABASE],
          );
          await c.query(`CREATE DATABASE ${name} TEMPLATE ${DATABASE}`);
          return cluster.url(name);
        }),
      stop: cluster.stop,
    };
  } catch (error) {
    cluster.stop();
    throw error;
  }
}
