import { describe, expect, test } from "vitest";
import { Prisma } from "#app/generated/prisma-postgres/client.ts";
import { SqlCount, SqlTime } from "./sql-rows.ts";

describe("values of raw SQL rows", () => {
  test("a count is a number whichever way the driver hands it back", () => {
    expect(SqlCount.parse(3)).toBe(3);
    expect(SqlCount.parse(3n)).toBe(3);
    expect(SqlCount.parse("42")).toBe(42);
    expect(SqlCount.parse(new Prisma.Decimal("17"))).toBe(17);
    expect(SqlCount.parse(null)).toBe(0);
  });

  test("anything else is refused, not turned into NaN", () => {
    for (const bad of ["1.5e3x", "", {}, undefined, true]) {
      expect(SqlCount.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  test("a time keeps its milliseconds, from a Date or from stored text", () => {
    const at = new Date("2026-12-02T10:00:00.123Z");
    expect(SqlTime.parse(at).getTime()).toBe(at.getTime());
    expect(SqlTime.parse("2026-12-02T10:00:00.123+00:00").getTime()).toBe(at.getTime());
  });
});
