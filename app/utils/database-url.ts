/**
 * Which database a DATABASE_URL names (ADR 0032): a `file:` URL is SQLite,
 * the embedded default; a `postgres://` or `postgresql://` URL is PostgreSQL.
 */
export type DatabaseProvider = "sqlite" | "postgresql";

export const POSTGRES_URL = /^postgres(ql)?:\/\//;

export function databaseProvider(url: string): DatabaseProvider {
  return POSTGRES_URL.test(url) ? "postgresql" : "sqlite";
}
