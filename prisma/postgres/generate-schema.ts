/**
 * Writes prisma/postgres/schema.prisma from prisma/schema.prisma: the one
 * schema source, with PostgreSQL as its provider and its own client output
 * (docs/decisions/0032-postgresql.md). Never edit the output by hand.
 *
 *   npx tsx prisma/postgres/generate-schema.ts           write it
 *   npx tsx prisma/postgres/generate-schema.ts --check   exit 1 if it is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../schema.prisma", import.meta.url));
const target = fileURLToPath(new URL("./schema.prisma", import.meta.url));

export function postgresSchema(sqliteSchema: string): string {
  const replaced = sqliteSchema
    .replace(/(datasource db \{[^}]*provider\s*=\s*)"sqlite"/, '$1"postgresql"')
    .replace(
      /(generator client \{[^}]*output\s*=\s*)"[^"]*"/,
      '$1"../../app/generated/prisma-postgres"',
    );
  if (!/provider\s*=\s*"postgresql"/.test(replaced) || !replaced.includes("prisma-postgres")) {
    throw new Error(
      "prisma/schema.prisma no longer has the datasource or generator this script rewrites.",
    );
  }
  return (
    "// GENERATED from prisma/schema.prisma by prisma/postgres/generate-schema.ts: do not edit.\n" +
    "// The same data model on PostgreSQL (docs/decisions/0032-postgresql.md).\n\n" +
    replaced
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wanted = postgresSchema(readFileSync(source, "utf8"));
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {
      // missing counts as stale
    }
    if (current !== wanted) {
      console.error("prisma/postgres/schema.prisma is stale: run npm run db:postgres-schema");
      process.exit(1);
    }
  } else {
    writeFileSync(target, wanted);
  }
}
