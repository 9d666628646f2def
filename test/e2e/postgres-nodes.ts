/**
 * Several nodes of the built app on one PostgreSQL, started as docs/deploy.md
 * says: a database, `npm run db:migrate` once, the demo seed, then
 * `node build/server.js` per node with the same session secret, receipt key
 * and export directory. The cluster is a throwaway one (test/postgres-cluster.ts).
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort, startCluster } from "../postgres-cluster.ts";
import { startServerProcess, type ServerProcess } from "./server-process.ts";

export type Nodes = {
  databaseUrl: string;
  nodes: ServerProcess[];
  /** Starts one more node (or a replacement) on the same database. */
  startNode(): Promise<ServerProcess>;
  sql<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
};

export async function startPostgresNodes(count: number): Promise<Nodes> {
  const cluster = await startCluster();
  const admin = new pg.Client({ connectionString: cluster.url("postgres") });
  await admin.connect();
  await admin.query("CREATE DATABASE lull");
  await admin.end();
  const databaseUrl = cluster.url("lull");
  const exportDir = mkdtempSync(path.join(tmpdir(), "lull-exports-"));
  const shared = {
    RECEIPT_SIGNING_KEY: generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString(),
    EXPORT_DIR: exportDir,
  };
  const env = {
    ...process.env,
    ...shared,
    DATABASE_URL: databaseUrl,
    NODE_ENV: "test",
  } as NodeJS.ProcessEnv;
  execFileSync("npm", ["run", "db:migrate", "--silent"], { env, stdio: "ignore" });
  execFileSync("npx", ["tsx", "prisma/seed.ts"], { env, stdio: "ignore" });
  const sessionSecret = randomBytes(32).toString("hex");
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const nodes: ServerProcess[] = [];
  const startNode = async () => {
    const node = await startServerProcess({
      port: await freePort(),
      databaseUrl,
      sessionSecret,
      env: shared,
    });
    nodes.push(node);
    return node;
  };
  for (let i = 0; i < count; i++) await startNode();
  return {
    databaseUrl,
    nodes,
    startNode,
    sql: async (text, values) => (await db.query(text, values)).rows,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await db.end();
      cluster.stop();
      rmSync(exportDir, { recursive: true, force: true });
    },
  };
}
