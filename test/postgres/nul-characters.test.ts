/**
 * PostgreSQL text cannot hold a NUL character; the app's connections send
 * U+FFFD in its place (db.server.ts), so a hostile id finds nothing instead
 * of failing the statement (a 500 the fuzz test found).
 */
import { describe, expect, test } from "vitest";
import { prisma } from "#app/utils/db.server.ts";
import { createUser } from "#test/fixtures.ts";

describe("NUL characters on PostgreSQL", () => {
  test("a lookup by an id holding NUL finds nothing, through Prisma and raw SQL", async () => {
    expect(await prisma.acknowledgement.findFirst({ where: { id: "\u0000" } })).toBeNull();
    expect(await prisma.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${"a\u0000b"}`).toEqual([]);
  });

  test("a text holding NUL is stored with U+FFFD in its place", async () => {
    const user = await createUser();
    await prisma.user.update({ where: { id: user.id }, data: { name: "Ada\u0000Lovelace" } });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).name).toBe(
      "Ada\uFFFDLovelace",
    );
  });
});
