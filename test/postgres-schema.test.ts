/**
 * One schema source for both providers (ADR 0032): the PostgreSQL schema is
 * generated from prisma/schema.prisma, and its migrations reach it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { postgresSchema } from "../prisma/postgres/generate-schema.ts";

describe("the PostgreSQL schema", () => {
  test("is generated from prisma/schema.prisma and is current", () => {
    const wanted = postgresSchema(readFileSync("prisma/schema.prisma", "utf8"));
    expect(readFileSync("prisma/postgres/schema.prisma", "utf8")).toBe(wanted);
    expect(wanted).toMatch(/provider\s*=\s*"postgresql"/);
    expect(wanted).not.toMatch(/provider\s*=\s*"sqlite"/);
  });

  test("is what its migrations reach (no change without a migration)", () => {
    const ddl = execFileSync(
      "npx",
      [
        "prisma",
        "migrate",
        "diff",
        "--from-schema-datamodel",
        "prisma/postgres/migrated.prisma",
        "--to-schema-datamodel",
        "prisma/postgres/schema.prisma",
        "--script",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(ddl.trim()).toBe("-- This is an empty migration.");
  });
});
