import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { safeRedirect } from "./safe-redirect.ts";

const SITE = "https://lull.example";

/** What a browser does with a `Location` header on our site: where it ends up. */
function followedFrom(location: string): URL {
  return new URL(location, SITE);
}

/** The shape every answer has: "/" alone, or "/" then neither "/" nor "\". */
function expectSafe(out: string) {
  expect(out === "/" || /^\/[^/\\]/.test(out)).toBe(true);
  expect(followedFrom(out).origin).toBe(SITE);
  // Nothing a browser would strip or rewrite: the path it follows is the one we checked.
  // eslint-disable-next-line no-control-regex
  expect(out).not.toMatch(/[\u0000-\u0020\u007f]/);
  const { pathname, search, hash } = followedFrom(out);
  expect(pathname + search + hash).toBe(out);
}

/** Pieces an attacker strings together to make a path that a browser reads as a host. */
const hostilePiece = fc.constantFrom(
  "/",
  "//",
  "\\",
  "/\\",
  "\\/",
  "/.//",
  "/./",
  "/../",
  "..",
  ".",
  "%2e",
  "%2E%2e",
  "%2f",
  "%2F%2f",
  "%5c",
  "%09",
  "\t",
  "\n",
  "\r",
  " ",
  "\u0000",
  "\u001f",
  "\u007f",
  "@",
  ":",
  "user:pass@",
  "javascript:",
  "javascript:alert(1)",
  "data:text/html,x",
  "http:",
  "https://",
  "http://evil.example",
  "evil.example",
  "?",
  "#",
  "&",
  "pauses",
  "é",
);
const hostileTarget = fc
  .tuple(fc.boolean(), fc.array(hostilePiece, { maxLength: 8 }))
  .map(([leadingSlash, pieces]) => (leadingSlash ? "/" : "") + pieces.join(""));

describe("safeRedirect", () => {
  test.each([
    ["/", "/"],
    ["/admin/people?q=ada#top", "/admin/people?q=ada#top"],
    ["/pauses", "/pauses"],
    ["/data/./events", "/data/events"],
    ["/a/../pauses", "/pauses"],
    ["/%2f%2fevil.example", "/%2f%2fevil.example"],
  ])("keeps our own path %j as %j", (input, expected) => {
    expect(safeRedirect(input)).toBe(expected);
  });

  test.each([
    "https://evil.example",
    "http://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    // Dot segments that a browser removes, leaving "//evil.example".
    "/.//evil.example",
    "/./\\evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "/a/..//evil.example",
    "/\\/evil.example",
    "//user:pass@evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
  ])("ignores %j", (input) => {
    expect(safeRedirect(input)).toBe("/");
  });

  test("ignores anything that is not a string", () => {
    expect(safeRedirect(undefined)).toBe("/");
    expect(safeRedirect(null, "/home")).toBe("/home");
    expect(safeRedirect(["/x"])).toBe("/");
  });

  test("property: hostile targets never lead off this site", () => {
    fc.assert(
      fc.property(hostileTarget, (input) => {
        expectSafe(safeRedirect(input));
      }),
      { numRuns: 5000 },
    );
  });

  test("property: whatever string comes in, the result stays on this site", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (input) => {
        expectSafe(safeRedirect(input));
        expectSafe(safeRedirect(`/${input}`));
      }),
      { numRuns: 2000 },
    );
  });

  test("property: a plain path of ours comes back unchanged", () => {
    const segment = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = `/${segments.join("/")}`;
        expect(safeRedirect(path, "/fallback")).toBe(path);
      }),
    );
  });
});
