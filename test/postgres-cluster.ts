/**
 * A throwaway PostgreSQL cluster for tests and benchmarks (ADR 0032):
 * `initdb` in a temporary directory, `pg_ctl` listening on 127.0.0.1 only,
 * run as the `postgres` user when this process is root (PostgreSQL refuses
 * to run as root). Debian's postgresql package provides the programs.
 *
 * LULL_TEST_POSTGRES_URL, when set, names a server to use instead (its user
 * must be allowed to create databases).
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export type Cluster = { url: (database: string) => string; stop: () => void };

function binDir(): string {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) {
    throw new Error(
      "PostgreSQL is not installed (apt-get install -y postgresql): see docs/deploy.md",
    );
  }
  const [version] = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  if (!version) throw new Error(`No PostgreSQL version under ${root}`);
  return path.join(root, version, "bin");
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startCluster(): Promise<Cluster> {
  const given = process.env.LULL_TEST_POSTGRES_URL;
  if (given) {
    return {
      url: (database) => Object.assign(new URL(given), { pathname: `/${database}` }).href,
      stop: () => {},
    };
  }
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), "lull-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (program: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, program), ...args], {
          stdio: "pipe",
        })
      : execFileSync(path.join(bin, program), args, { stdio: "pipe" });
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-U", "lull", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  // fsync off: a test cluster trades durability for speed; nothing here must survive a crash of the machine.
  run("pg_ctl", [
    "-D",
    data,
    "-w",
    "-l",
    path.join(dir, "server.log"),
    "-o",
    `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400`,
    "start",
  ]);
  return {
    url: (database) => `postgresql://lull@127.0.0.1:${port}/${database}`,
    stop: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
