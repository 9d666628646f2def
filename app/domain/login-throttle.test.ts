import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SIGN_IN_BUDGETS, tooManyAttemptsMessage } from "./login-throttle.ts";

describe("the sign-in budgets", () => {
  test("one address may try far more than one account from one address (an office behind NAT)", () => {
    const { accountFromAddress, address, account } = SIGN_IN_BUDGETS;
    const perMinute = (b: { attempts: number; perSeconds: number }) =>
      (b.attempts / b.perSeconds) * 60;
    expect(perMinute(address)).toBeGreaterThanOrEqual(10 * perMinute(accountFromAddress));
    expect(account.attempts).toBeGreaterThan(accountFromAddress.attempts);
  });

  test("the message names the wait in whole seconds", () => {
    expect(tooManyAttemptsMessage(1)).toBe("Too many sign-in attempts. Try again in 1 second.");
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3600 }), (s) => {
        expect(tooManyAttemptsMessage(s)).toBe(
          `Too many sign-in attempts. Try again in ${s} seconds.`,
        );
      }),
    );
  });
});
