import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test, vi } from "vitest";
import { loader } from "#app/routes/healthz.ts";
import { isPostgres, prisma } from "#app/utils/db.server.ts";
import { startStateFanout, stopStateFanout } from "#app/utils/state-fanout.server.ts";
import { POSTGRES_MIGRATIONS_TABLE, readMigrationNames } from "#app/utils/migrations.server.ts";

/**
 * /healthz in a process of its own on `databaseUrl`. Root can write any file,
 * so for a SQLite file under root the process runs as `nobody`, for whom a
 * 0444 file is read-only.
 */
function healthzInOwnProcess(databaseUrl: string, scratch?: string) {
  const asNobody =
    scratch !== undefined && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const child = spawn("npx", ["tsx", "test/processes/healthz-once.ts"], {
      ...asNobody,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        ...(scratch === undefined
          ? {}
          : {
              HOME: scratch,
              npm_config_cache: path.join(scratch, "npm"),
              npm_config_update_notifier: "false",
            }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      try {
        resolve(JSON.parse(line) as { status: number; body: unknown });
      } catch {
        reject(new Error(`healthz process exited ${code}: ${stdout}${stderr}`));
      }
    });
  });
}

describe("GET /healthz", () => {
  test("answers 200 with the database reachable, migrated and writable", async () => {
    const res = await loader();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok", listener: "single-node" });
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  test("answers 503 when a migration is not applied", async () => {
    const restore = await forgetLatestMigration();
    try {
      const res = await loader();
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: "error",
        db: "migrations_pending",
        listener: "single-node",
      });
    } finally {
      await restore();
    }
    expect((await loader()).status).toBe(200);
  });

  test("answers 503 when the database is read-only (a chmod 0444 file in WAL mode; a read-only PostgreSQL database)", async () => {
    const { writable, readOnly } = await (isPostgres()
      ? readOnlyPostgresDatabase()
      : readOnlySqliteFile());
    expect(await writable()).toEqual({
      status: 200,
      body: { status: "ok", db: "ok", listener: "single-node" },
    });
    expect(await readOnly()).toEqual({
      status: 503,
      body: { status: "error", db: "read_only", listener: "single-node" },
    });
  }, 60_000);

  test("answers 503 while this node does not listen for the other nodes' changes", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    // A listening connection that cannot be opened (nothing listens on port 1): it keeps trying.
    void startStateFanout("postgresql://lull@127.0.0.1:1/lull");
    try {
      const res = await loader();
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "error", db: "ok", listener: "reconnecting" });
    } finally {
      await stopStateFanout();
    }
    expect(await (await loader()).json()).toEqual({
      status: "ok",
      db: "ok",
      listener: "single-node",
    });
  });

  test("answers 503 when the database cannot be queried", async () => {
    if (isPostgres()) {
      // A server that does not hold the database named.
      const url = Object.assign(new URL(process.env.DATABASE_URL!), {
        pathname: "/lull_no_such_database",
      }).href;
      expect(await healthzInOwnProcess(url)).toEqual({
        status: 503,
        body: { status: "error", db: "unreachable", listener: "single-node" },
      });
      return;
    }
    // Replace this file's database with one that has no tables.
    await prisma.$disconnect();
    const file = process.env.DATABASE_URL!.replace(/^file:/, "");
    writeFileSync(file, "");
    for (const suffix of ["-wal", "-shm"]) writeFileSync(file + suffix, "");
    const res = await loader();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "error",
      db: "unreachable",
      listener: "single-node",
    });
  });
});

/** Makes the newest migration look unapplied; returns how to put it back. */
async function forgetLatestMigration(): Promise<() => Promise<unknown>> {
  if (isPostgres()) {
    const latest = readMigrationNames("postgresql").at(-1)!;
    const [row] = await prisma.$queryRawUnsafe<{ run_on: Date }[]>(
      `DELETE FROM "${POSTGRES_MIGRATIONS_TABLE}" WHERE "name" = $1 RETURNING "run_on"`,
      latest,
    );
    return () =>
      prisma.$executeRawUnsafe(
        `INSERT INTO "${POSTGRES_MIGRATIONS_TABLE}" ("name", "run_on") VALUES ($1, $2)`,
        latest,
        row!.run_on,
      );
  }
  const latest = readMigrationNames("sqlite").at(-1)!;
  const mark = (rolledBack: boolean) =>
    prisma.$executeRawUnsafe(
      `UPDATE "_prisma_migrations" SET "rolled_back_at" = ${rolledBack ? "CURRENT_TIMESTAMP" : "NULL"} WHERE "migration_name" = ?`,
      latest,
    );
  await mark(true);
  return () => mark(false);
}

/** A copy of this file's database, asked about by a process that may and then may not write it. */
async function readOnlySqliteFile() {
  const scratch = mkdtempSync(path.join(tmpdir(), "lull-healthz-"));
  mkdirSync(path.join(scratch, "npm"));
  for (const dir of [scratch, path.join(scratch, "npm")]) chmodSync(dir, 0o777);
  const file = path.join(scratch, "copy.db");
  await prisma.$executeRawUnsafe(`VACUUM INTO '${file}'`);
  const copy = new Database(file);
  copy.pragma("journal_mode = WAL");
  copy.close();
  return {
    writable: () => {
      chmodSync(file, 0o666);
      return healthzInOwnProcess(`file:${file}`, scratch);
    },
    readOnly: () => {
      chmodSync(file, 0o444);
      return healthzInOwnProcess(`file:${file}`, scratch);
    },
  };
}

/** This file's database, set read-only for new connections (as a standby would be), and back. */
async function readOnlyPostgresDatabase() {
  const url = process.env.DATABASE_URL!;
  const name = new URL(url).pathname.slice(1);
  const setReadOnly = (on: boolean) =>
    prisma.$executeRawUnsafe(
      on
        ? `ALTER DATABASE "${name}" SET default_transaction_read_only = on`
        : `ALTER DATABASE "${name}" RESET default_transaction_read_only`,
    );
  return {
    writable: async () => {
      await setReadOnly(false);
      return healthzInOwnProcess(url);
    },
    readOnly: async () => {
      await setReadOnly(true);
      try {
        return await healthzInOwnProcess(url);
      } finally {
        await setReadOnly(false);
      }
    },
  };
}
