import { describe, expect, test } from "vitest";
import { PeriodQuerySchema } from "./data-period.ts";

describe("the custom range's limit", () => {
  test("up to 92 days is accepted; 93 is refused on the start date with a pointer to the export", () => {
    expect(
      PeriodQuerySchema.safeParse({ period: "custom", from: "2026-08-28", to: "2026-11-27" })
        .success,
    ).toBe(true);
    const tooLong = PeriodQuerySchema.safeParse({
      period: "custom",
      from: "2026-08-27",
      to: "2026-11-27",
    });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]?.path).toEqual(["from"]);
    expect(tooLong.error?.issues[0]?.message).toMatch(/at most 92 days.*Download my records/);
  });
});
