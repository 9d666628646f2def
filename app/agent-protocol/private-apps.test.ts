import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { globMatches, normalizePattern, privateAppMatcher } from "./private-apps.ts";

describe("privateAppMatcher", () => {
  test("an exact name matches that name only, whatever the case and surrounding spaces", () => {
    const isPrivate = privateAppMatcher(["1Password"]);
    expect(isPrivate("1password")).toBe(true);
    expect(isPrivate("  1PASSWORD ")).toBe(true);
    expect(isPrivate("1Password 8")).toBe(false);
    expect(isPrivate("Password")).toBe(false);
  });

  test("a star stands for any run of characters, none included", () => {
    const isPrivate = privateAppMatcher(["*bank*", "Health*"]);
    expect(isPrivate("My Bank Online")).toBe(true);
    expect(isPrivate("bank")).toBe(true);
    expect(isPrivate("HealthPortal")).toBe(true);
    expect(isPrivate("Health")).toBe(true);
    expect(isPrivate("MyHealth")).toBe(false);
    expect(isPrivate("Slack")).toBe(false);
  });

  test("other characters are literal (no regular expression)", () => {
    const isPrivate = privateAppMatcher(["a.b", "(x)+"]);
    expect(isPrivate("a.b")).toBe(true);
    expect(isPrivate("axb")).toBe(false);
    expect(isPrivate("(x)+")).toBe(true);
    expect(isPrivate("xx")).toBe(false);
  });

  test("an empty list covers nothing", () => {
    expect(privateAppMatcher([])("Anything")).toBe(false);
  });

  test("agrees with a regular expression built from the pattern (property)", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "*", " "), maxLength: 8 });
    fc.assert(
      fc.property(
        text,
        fc.string({ unit: fc.constantFrom("a", "b", " "), maxLength: 10 }),
        (raw, name) => {
          const pattern = normalizePattern(raw);
          const regex = new RegExp(`^${pattern.split("*").join(".*")}$`, "s");
          expect(globMatches(pattern, name.trim().toLowerCase())).toBe(
            regex.test(name.trim().toLowerCase()),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("a pattern of many stars against a long name stays fast", () => {
    const pattern = normalizePattern("*a*a*a*a*a*a*a*a*a*a*b");
    const name = "a".repeat(200);
    expect(globMatches(pattern, name)).toBe(false);
  });
});
