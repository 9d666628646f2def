import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PRIVACY_MIN_WORKERS, suppressBelow } from "./k-anonymity.ts";

describe("suppressBelow", () => {
  test("4 workers: not shown; 5 workers: the total", () => {
    expect(suppressBelow(5, { total: 40, workers: 4 })).toBeNull();
    expect(suppressBelow(5, { total: 40, workers: 5 })).toBe(40);
    expect(PRIVACY_MIN_WORKERS).toBe(5);
  });

  test("nobody behind a count is never shown, even with k = 0", () => {
    expect(suppressBelow(0, { total: 0, workers: 0 })).toBeNull();
  });

  test("shown exactly when at least k workers are behind it, and then unchanged (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.nat({ max: 1_000_000 }),
        fc.nat({ max: 1_000 }),
        (k, total, workers) => {
          const shown = suppressBelow(k, { total, workers });
          if (workers < k) expect(shown).toBeNull();
          else expect(shown).toBe(total);
        },
      ),
    );
  });

  test("more workers behind the same total never hides it (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.nat({ max: 1_000 }),
        fc.nat({ max: 100 }),
        fc.nat({ max: 1_000 }),
        (k, workers, more, total) => {
          if (suppressBelow(k, { total, workers }) !== null) {
            expect(suppressBelow(k, { total, workers: workers + more })).toBe(total);
          }
        },
      ),
    );
  });
});
