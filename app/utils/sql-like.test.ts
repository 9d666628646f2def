import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "./sql-like.ts";

// SQLite itself decides: an in-memory database, nothing stored.
const db = new Database(":memory:");
afterAll(() => db.close());
const like = db.prepare<[string, string], { matches: number }>(
  `SELECT ? LIKE ? ${LIKE_ESCAPE_CLAUSE} AS "matches"`,
);

function matches(haystack: string, needle: string): boolean {
  return like.get(haystack, likeContains(needle))!.matches === 1;
}

/** SQLite's LIKE folds case for ASCII letters only. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Strings rich in the characters that matter here. */
const text = fc
  .array(fc.constantFrom("%", "_", "\\", "a", "A", "b", "1", " ", "é", "'"), { maxLength: 8 })
  .map((chars) => chars.join(""));

describe("likeContains", () => {
  test("% and _ match only themselves", () => {
    expect(matches("Ada 100% Lovelace", "%")).toBe(true);
    expect(matches("Ada Lovelace", "%")).toBe(false);
    expect(matches("bo_x@example.test", "_")).toBe(true);
    expect(matches("box@example.test", "_")).toBe(false);
    expect(matches("Ada", "A_a")).toBe(false);
    expect(matches("a\\b", "\\")).toBe(true);
    expect(matches("ab", "\\")).toBe(false);
  });

  test("property: matches exactly when the text contains the search (ASCII case aside)", () => {
    fc.assert(
      fc.property(text, text, (haystack, needle) => {
        expect(matches(haystack, needle)).toBe(asciiLower(haystack).includes(asciiLower(needle)));
      }),
      { numRuns: 3000 },
    );
  });
});
