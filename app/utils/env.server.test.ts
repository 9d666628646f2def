import { describe, expect, test } from "vitest";
import { parseEnv } from "./env.server.ts";

describe("parseEnv", () => {
  test("starts with safe development defaults and no .env", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      DATABASE_URL: "file:./data/lull.db",
      PORT: 3000,
      HOST: "127.0.0.1",
    });
    expect(env.sessionSecrets).toHaveLength(1);
  });

  test("refuses to start in production without SESSION_SECRET, naming it", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET/);
  });

  test("accepts several comma-separated secrets for rotation", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      SESSION_SECRET: `${"a".repeat(32)},${"b".repeat(32)}`,
    });
    expect(env.sessionSecrets).toEqual(["a".repeat(32), "b".repeat(32)]);
  });

  test("rejects a database URL that is neither a SQLite file nor PostgreSQL", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });

  test("PostgreSQL needs the receipt signing key every node shares", () => {
    expect(() => parseEnv({ DATABASE_URL: "postgresql://lull@db/lull" })).toThrow(
      /RECEIPT_SIGNING_KEY is required with PostgreSQL/,
    );
    const env = parseEnv({
      DATABASE_URL: "postgres://lull@db/lull",
      RECEIPT_SIGNING_KEY:
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----",
    });
    expect(env.databaseProvider).toBe("postgresql");
    expect(parseEnv({}).databaseProvider).toBe("sqlite");
  });
});
