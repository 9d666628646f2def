import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * The integration suite again, on PostgreSQL (ADR 0032): a throwaway cluster
 * started by the global setup, a database per test file.
 * `npm run test:postgres`.
 */
export const POSTGRES_TEST_FILES = process.env.LULL_PG_FILES?.split(",") ?? [
  "test/integration/acknowledgements.test.ts",
  "test/integration/admin-console.test.ts",
  "test/integration/admin-users.test.ts",
  "test/integration/agent-api.test.ts",
  "test/integration/bad-input.test.ts",
  "test/integration/client-error-logging.test.ts",
  "test/integration/collection-decision.test.ts",
  "test/integration/confirmations.test.ts",
  "test/integration/daily-rollups.test.ts",
  "test/integration/data-overview.test.ts",
  "test/integration/device-footprint.test.ts",
  "test/integration/devices.test.ts",
  "test/integration/event-data-limits.test.ts",
  "test/integration/event-time-bounds.test.ts",
  "test/integration/events-list.test.ts",
  "test/integration/exemption-form.test.ts",
  "test/integration/exemptions.test.ts",
  "test/integration/export-files.test.ts",
  "test/integration/export-lease.test.ts",
  "test/integration/export-reader.test.ts",
  "test/integration/fleet.test.ts",
  "test/integration/guards.test.ts",
  "test/integration/healthz.test.ts",
  "test/integration/home-status.test.ts",
  "test/integration/lost-wakeup.test.ts",
  "test/integration/my-data.test.ts",
  "test/integration/no-store.test.ts",
  "test/integration/outbox.test.ts",
  "test/integration/overview-rollups.test.ts",
  "test/integration/own-sessions.test.ts",
  "test/integration/passwords.test.ts",
  "test/integration/pauses.test.ts",
  "test/integration/people-search.test.ts",
  "test/integration/policy.test.ts",
  "test/integration/receipt-verification.test.ts",
  "test/integration/records-export.test.ts",
  "test/integration/reporting.test.ts",
  "test/integration/request-limits.test.ts",
  "test/integration/retention.test.ts",
  "test/integration/review-flow.test.ts",
  "test/integration/safe-redirects.test.ts",
  "test/integration/sign-in.test.ts",
  "test/integration/start-up.test.ts",
  "test/integration/state-hub.test.ts",
  "test/integration/stream-caps.test.ts",
  "test/integration/two-factor.test.ts",
  "test/integration/user-import-chunks.test.ts",
  "test/integration/user-import-race.test.ts",
];

export default defineConfig({
  test: {
    ...base.test,
    include: [...POSTGRES_TEST_FILES, "test/postgres/**/*.test.ts"],
    exclude: ["node_modules/**"],
    globalSetup: ["test/setup/postgres-global-setup.ts"],
  },
});
