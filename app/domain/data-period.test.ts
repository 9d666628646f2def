import { describe, expect, test } from "vitest";
import { MAX_CUSTOM_DAYS, PeriodQuerySchema } from "./data-period.ts";

describe("the custom range's limit", () => {
  test("a whole year, and the longest history any policy keeps (730 days and today), is accepted", () => {
    for (const from of ["2025-11-27", "2025-11-28", "2024-11-27"]) {
      expect(
        PeriodQuerySchema.safeParse({ period: "custom", from, to: "2026-11-27" }).success,
      ).toBe(true);
    }
    expect(MAX_CUSTOM_DAYS).toBe(731);
  });

  test("a range longer than any retention is refused on the start date, saying why", () => {
    const tooLong = PeriodQuerySchema.safeParse({
      period: "custom",
      from: "2024-11-26",
      to: "2026-11-27",
    });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]?.path).toEqual(["from"]);
    expect(tooLong.error?.issues[0]?.message).toMatch(
      /at most 731 days: no records are kept longer than 730 days/,
    );
  });

  test("an end before the start is refused on the end date", () => {
    const backwards = PeriodQuerySchema.safeParse({
      period: "custom",
      from: "2026-11-27",
      to: "2026-11-26",
    });
    expect(backwards.success).toBe(false);
    expect(backwards.error?.issues[0]?.path).toEqual(["to"]);
  });
});
