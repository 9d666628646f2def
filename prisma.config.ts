// Prisma CLI configuration. Prisma runs here without its Rust engines: the
// query compiler is WebAssembly and migrations go through the better-sqlite3
// driver adapter (docs/decisions/0002-prisma-without-rust-engines.md).
// These two variables stop the CLI from trying to download native engines.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/dev/null";
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= "/dev/null";

import { defineConfig } from "prisma/config";
import { createSqliteAdapter } from "./app/utils/sqlite-adapter.server.ts";

const databaseUrl = process.env.DATABASE_URL ?? "file:./data/lull.db";
process.env.DATABASE_URL = databaseUrl;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: async () => createSqliteAdapter(databaseUrl, "cli"),
});
