import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { loader } from "#app/routes/healthz.ts";
import { prisma } from "#app/utils/db.server.ts";
import { readMigrationNames } from "#app/utils/migrations.server.ts";

/**
 * /healthz in a process of its own on `file`. Root can write any file, so
 * under root the process runs as `nobody`, for whom a 0444 file is read-only.
 */
function healthzInOwnProcess(file: string, scratch: string) {
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const child = spawn("npx", ["tsx", "test/processes/healthz-once.ts"], {
      ...asNobody,
      env: {
        ...process.env,
        DATABASE_URL: `file:${file}`,
        HOME: scratch,
        npm_config_cache: path.join(scratch, "npm"),
        npm_config_update_notifier: "false",
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
    const latest = readMigrationNames().at(-1)!;
    const mark = (rolledBack: boolean) =>
      prisma.$executeRawUnsafe(
        `UPDATE "_prisma_migrations" SET "rolled_back_at" = ${rolledBack ? "CURRENT_TIMESTAMP" : "NULL"} WHERE "migration_name" = ?`,
        latest,
      );
    await mark(true);
    try {
      const res = await loader();
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "error", db: "migrations_pending", listener: "single-node" });
    } finally {
      await mark(false);
    }
    expect((await loader()).status).toBe(200);
  });

  test("answers 503 when the database file is read-only (chmod 0444), in WAL mode", async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), "lull-healthz-"));
    mkdirSync(path.join(scratch, "npm"));
    for (const dir of [scratch, path.join(scratch, "npm")]) chmodSync(dir, 0o777);
    const file = path.join(scratch, "copy.db");
    await prisma.$executeRawUnsafe(`VACUUM INTO '${file}'`);
    const copy = new Database(file);
    copy.pragma("journal_mode = WAL");
    copy.close();

    chmodSync(file, 0o666);
    expect(await healthzInOwnProcess(file, scratch)).toEqual({
      status: 200,
      body: { status: "ok", db: "ok", listener: "single-node" },
    });
    chmodSync(file, 0o444);
    expect(await healthzInOwnProcess(file, scratch)).toEqual({
      status: 503,
      body: { status: "error", db: "read_only", listener: "single-node" },
    });
  }, 60_000);

  test("answers 503 when the database cannot be queried", async () => {
    // Replace this file's database with one that has no tables.
    await prisma.$disconnect();
    const file = process.env.DATABASE_URL!.replace(/^file:/, "");
    writeFileSync(file, "");
    for (const suffix of ["-wal", "-shm"]) writeFileSync(file + suffix, "");
    const res = await loader();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "error", db: "unreachable", listener: "single-node" });
  });
});
