import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { deletedBy, retentionCutoff, retentionDue } from "./retention.ts";

describe("retention runs once per UTC day", () => {
  test("the first run ever is due; a second one the same UTC day is not; the next day's is", () => {
    const first = new Date("2026-12-03T00:05:00Z");
    expect(retentionDue(null, first)).toBe(true);
    expect(retentionDue(first, new Date("2026-12-03T23:59:59.999Z"))).toBe(false);
    expect(retentionDue(first, new Date("2026-12-04T00:00:00Z"))).toBe(true);
  });

  test("is due at most once per UTC day, and on every day the job runs (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 * 24 }), { minLength: 1, maxLength: 200 }),
        (hours) => {
          const runs = [...new Set(hours)].sort((a, b) => a - b);
          let last: Date | null = null;
          const ranOn = new Set<number>();
          for (const h of runs) {
            const now = new Date(Date.UTC(2026, 11, 1) + h * 3_600_000 + 5 * 60_000);
            if (retentionDue(last, now)) {
              const day = Math.floor(now.getTime() / 86_400_000);
              expect(ranOn.has(day)).toBe(false);
              ranOn.add(day);
              last = now;
            }
          }
          const jobDays = new Set(
            runs.map((h) => Math.floor((Date.UTC(2026, 11, 1) + h * 3_600_000) / 86_400_000)),
          );
          expect(ranOn).toEqual(jobDays);
        },
      ),
    );
  });

  test("data past the cutoff is deleted by the next UTC midnight", () => {
    const now = new Date("2026-12-03T10:30:00Z");
    expect(retentionCutoff(now, 90).toISOString()).toBe("2026-09-04T10:30:00.000Z");
    expect(deletedBy(new Date("2026-12-03T10:30:00Z")).toISOString()).toBe(
      "2026-12-04T00:00:00.000Z",
    );
    expect(deletedBy(new Date("2026-12-04T00:00:00Z")).toISOString()).toBe(
      "2026-12-04T00:00:00.000Z",
    );
  });
});
