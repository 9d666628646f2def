/**
 * Starts the built app for the e2e suite the way production runs it
 * (NODE_ENV=production, a real session secret), on a fresh SQLite file
 * migrated by Prisma and seeded with the demo organisation.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";

const databaseUrl = process.env.DATABASE_URL;
const port = process.env.PORT;
if (!databaseUrl || !port) throw new Error("serve.ts needs DATABASE_URL and PORT");

const file = databaseUrl.replace(/^file:/, "");
for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });

const prepareEnv = { ...process.env, NODE_ENV: "test" } as NodeJS.ProcessEnv;
execFileSync("npx", ["prisma", "migrate", "deploy"], { env: prepareEnv, stdio: "ignore" });
execFileSync("npx", ["tsx", "prisma/seed.ts"], { env: prepareEnv, stdio: "inherit" });

const server = spawn("node", ["build/server.js"], {
  env: {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    SESSION_SECRET: randomBytes(32).toString("hex"),
    // The suite stands in for a reverse proxy, so each test can have its own client address.
    TRUST_PROXY: "loopback",
  },
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.kill(signal));
}
server.on("exit", (code) => process.exit(code ?? 0));
