/**
 * Runs once before all test files: migrates one base SQLite file with the
 * real migrations (`prisma migrate deploy`). Each test file then copies it
 * (see per-file-database.ts), so every file has its own real database.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "lull-test-"));
  const base = path.join(dir, "base.db");
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${base}` },
    stdio: "pipe",
  });
  process.env.LULL_TEST_BASE_DB = base;
  process.env.LULL_TEST_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
