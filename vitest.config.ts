import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["app/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}", "agent/**/*.test.ts"],
    // test/postgres/: PostgreSQL only (vitest.postgres.config.ts).
    exclude: ["test/e2e/**", "test/postgres/**", "node_modules/**"],
    globalSetup: ["test/setup/global-setup.ts"],
    setupFiles: ["test/setup/per-file-database.ts"],
    environment: "node",
    pool: "forks",
    restoreMocks: true,
    testTimeout: 20_000,
  },
});
