import { z } from "zod";

/**
 * Values of rows read with raw SQL, parsed at that boundary (either
 * provider, ADR 0032).
 */

/** Prisma's Decimal (PostgreSQL's numeric, e.g. SUM over bigint), by what it offers. */
const Decimal = z.custom<{ toNumber(): number }>(
  (v) => typeof v === "object" && v !== null && typeof Reflect.get(v, "toNumber") === "function",
  "Expected a decimal",
);

/**
 * A count: a number, a BigInt (better-sqlite3's integers on Prisma's
 * connection, PostgreSQL's bigint COUNT), a Decimal or numeric text
 * (PostgreSQL's SUM over bigint); null (a SUM over no rows) is 0.
 */
export const SqlCount = z
  .union([z.number(), z.bigint(), z.string().regex(/^-?\d+$/), Decimal, z.null()])
  .transform((v) => (v === null ? 0 : typeof v === "object" ? v.toNumber() : Number(v)));

/** A time: a Date, or the stored ISO text (SQLite's computed columns, the PostgreSQL adapter's). */
export const SqlTime = z.union([z.date(), z.string()]).transform((v) => new Date(v));
