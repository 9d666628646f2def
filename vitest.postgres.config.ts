import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * The integration suite again, on PostgreSQL (ADR 0032): a throwaway cluster
 * started by the global setup, a database per test file, plus the
 * PostgreSQL-only tests of test/postgres/. `npm run test:postgres`;
 * `LULL_PG_FILES=a.test.ts,b.test.ts` runs a chosen set.
 */
const chosen = process.env.LULL_PG_FILES?.split(",");

/** About SQLite itself (its single writer and shared connection): nothing to run on PostgreSQL. */
export const SQLITE_ONLY_TEST_FILES = [
  "test/integration/one-connection.test.ts",
  "test/integration/one-writer.test.ts",
];

export default defineConfig({
  test: {
    ...base.test,
    include: chosen ?? ["test/integration/**/*.test.{ts,tsx}", "test/postgres/**/*.test.ts"],
    exclude: ["node_modules/**", ...SQLITE_ONLY_TEST_FILES],
    globalSetup: ["test/setup/postgres-global-setup.ts"],
  },
});
