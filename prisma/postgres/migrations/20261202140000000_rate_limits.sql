-- Up Migration
-- Request budgets shared by every node (app/utils/rate-limit.server.ts, ADR 0036): the table
-- rate-limiter-flexible's PostgreSQL store reads and writes, made here rather than by the
-- library at start-up. Not part of the Prisma schema: only the limiter touches it.
CREATE TABLE "lull_rate_limits" (
  "key" varchar(255) PRIMARY KEY,
  "points" integer NOT NULL DEFAULT 0,
  "expire" bigint
);
CREATE INDEX "lull_rate_limits_expire_idx" ON "lull_rate_limits" ("expire");
