/**
 * The built app as a child process, configured as in production, on a
 * SQLite file migrated by Prisma and seeded with the demo organisation.
 * Used by the suite's web server (serve.ts) and by tests that must stop
 * and restart a server of their own.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Runs the seed and the server with `Date` frozen at `fixedNow` (screenshot
 * tests: test/e2e/fixed-clock.mjs); the real clock otherwise.
 */
function clockEnv(fixedNow: string | undefined): Record<string, string> {
  if (!fixedNow) return {};
  const preload = fileURLToPath(new URL("./fixed-clock.mjs", import.meta.url));
  return {
    LULL_FIXED_NOW: fixedNow,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${preload}`.trim(),
  };
}

export function prepareDatabase(databaseUrl: string, fixedNow?: string): void {
  const file = databaseUrl.replace(/^file:/, "");
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  const env = { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test" } as NodeJS.ProcessEnv;
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env, stdio: "ignore" });
  execFileSync("npx", ["tsx", "prisma/seed.ts"], {
    env: { ...env, ...clockEnv(fixedNow) },
    stdio: "ignore",
  });
}

export type ServerProcess = { url: string; child: ChildProcess; stop(): Promise<void> };

export async function startServerProcess({
  port,
  databaseUrl,
  sessionSecret = randomBytes(32).toString("hex"),
  stdio = "ignore",
  fixedNow,
  env = {},
}: {
  port: number;
  databaseUrl: string;
  sessionSecret?: string;
  stdio?: "ignore" | "inherit";
  /** An ISO time the server's calendar stays at (screenshot tests). */
  fixedNow?: string;
  /** More of the environment (a PostgreSQL node's key and export directory). */
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const child = spawn("node", ["build/server.js"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: sessionSecret,
      // The suite stands in for a reverse proxy, so each test can have its own client address.
      TRUST_PROXY: "loopback",
      ...clockEnv(fixedNow),
      ...env,
    },
    // Its output is read: only once it says it listens on this port does a healthy answer
    // count (another test's server could hold the port, and answer, if this one failed to bind).
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (d: Buffer) => {
    output += d.toString();
    if (stdio === "inherit") process.stdout.write(d);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if (output.includes(`Lull is listening on ${url}`) && (await fetch(`${url}/healthz`)).ok)
        break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null)
      throw new Error(`server exited with ${child.exitCode}:\n${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("server did not become healthy within 30 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
