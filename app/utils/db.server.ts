import { PrismaClient } from "#app/generated/prisma/client.ts";
import { getEnv } from "./env.server.ts";
import { createSqliteAdapter } from "./sqlite-adapter.server.ts";

export type { PrismaClient };
/** The client handed to `$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

declare global {
  // One client per process, kept across module reloads in development.
  var __lullPrisma: PrismaClient | undefined;
}

export const prisma: PrismaClient = (globalThis.__lullPrisma ??= new PrismaClient({
  adapter: createSqliteAdapter(getEnv().DATABASE_URL, "app"),
}));
