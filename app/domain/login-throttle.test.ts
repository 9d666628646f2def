import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  LOGIN_THROTTLE,
  combineVerdicts,
  throttleVerdict,
  tooManyAttemptsMessage,
} from "./login-throttle.ts";

const NOW = 1_800_000_000_000;

describe("throttleVerdict", () => {
  test("five failures within the minute are allowed, the sixth attempt is blocked", () => {
    const four = [1, 2, 3, 4].map((s) => NOW - s * 1000);
    expect(throttleVerdict(four, NOW)).toEqual({ blocked: false });
    const five = [...four, NOW - 10_000];
    expect(throttleVerdict(five, NOW)).toEqual({ blocked: true, retryAfterSeconds: 50 });
  });

  test("failures older than a minute do not count", () => {
    const old = [61, 62, 63, 64, 65, 66].map((s) => NOW - s * 1000);
    expect(throttleVerdict(old, NOW)).toEqual({ blocked: false });
  });

  test("property: blocked exactly when at least five failures are in the window", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 180_000 }), { maxLength: 20 }), (ages) => {
        const failures = ages.map((age) => NOW - age);
        const inWindow = ages.filter((age) => age < LOGIN_THROTTLE.windowMs).length;
        const verdict = throttleVerdict(failures, NOW);
        expect(verdict.blocked).toBe(inWindow >= LOGIN_THROTTLE.maxFailures);
        if (verdict.blocked) {
          expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(60);
          // Once the wait is over, the same failures no longer block.
          const later = NOW + verdict.retryAfterSeconds * 1000;
          expect(throttleVerdict(failures, later).blocked).toBe(false);
        }
      }),
    );
  });

  test("the longer wait wins when both email and address are blocked", () => {
    expect(
      combineVerdicts(
        { blocked: true, retryAfterSeconds: 10 },
        { blocked: false },
        { blocked: true, retryAfterSeconds: 42 },
      ),
    ).toEqual({ blocked: true, retryAfterSeconds: 42 });
    expect(combineVerdicts({ blocked: false }, { blocked: false })).toEqual({ blocked: false });
  });

  test("the message says how long to wait", () => {
    expect(tooManyAttemptsMessage(1)).toBe("Too many sign-in attempts. Try again in 1 second.");
    expect(tooManyAttemptsMessage(37)).toBe("Too many sign-in attempts. Try again in 37 seconds.");
  });
});
