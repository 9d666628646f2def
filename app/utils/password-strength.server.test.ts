import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  COMMON_PASSWORD_MESSAGE,
  GUESSABLE_PASSWORD_MESSAGE,
  PERSONAL_PASSWORD_MESSAGE,
  passwordWeakness,
} from "./password-strength.server.ts";

const wren = ["Wren Castellanos", "wren.castellanos@lull.test"];

describe("password strength", () => {
  test("refuses common and leaked passwords of the minimum length", () => {
    for (const p of ["password1234", "qwertyuiop123", "iloveyou12345", "1234567890123"]) {
      expect(passwordWeakness(p, wren), p).not.toBeNull();
    }
    // Straight from the leaked lists, though nothing about them looks simple.
    for (const p of ["ghhh47hj7649", "sojdlg123aljg", "mailcreated5240"]) {
      expect(passwordWeakness(p, wren), p).toBe(COMMON_PASSWORD_MESSAGE);
    }
  });

  test("refuses repeats and the person's own name", () => {
    expect(passwordWeakness("aaaaaaaaaaaa", wren)).toBe(GUESSABLE_PASSWORD_MESSAGE);
    expect(passwordWeakness("wren.castellanos", wren)).toBe(PERSONAL_PASSWORD_MESSAGE);
    expect(passwordWeakness("castellanos2026", wren)).toBe(PERSONAL_PASSWORD_MESSAGE);
  });

  test("accepts long phrases, with no rule about symbols or digits", () => {
    for (const p of [
      "a long and private phrase",
      "correct horse battery staple",
      "lull-demo-password",
    ]) {
      expect(passwordWeakness(p, wren), p).toBeNull();
    }
  });

  test("property: one character repeated is always refused", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 1 }),
        fc.integer({ min: 12, max: 40 }),
        (c, n) => {
          expect(passwordWeakness(c.repeat(n), wren)).not.toBeNull();
        },
      ),
      { numRuns: 50 },
    );
  });

  test("property: 16 random characters from a password manager are accepted", () => {
    const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_!";
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...alphabet), { minLength: 16, maxLength: 16 }),
        (cs) => {
          expect(passwordWeakness(cs.join(""), wren)).toBeNull();
        },
      ),
      { numRuns: 100 },
    );
  });

  test("a password of 1,024 characters is judged quickly on its start", () => {
    const long = `${"ab".repeat(512)}`;
    expect(passwordWeakness(long, wren)).toBe(GUESSABLE_PASSWORD_MESSAGE);
  });
});
