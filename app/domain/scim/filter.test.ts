import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseScimFilter } from "./filter.ts";

describe("SCIM filters", () => {
  test("userName eq is one comparison, lower-cased (userName ignores case)", () => {
    expect(parseScimFilter("User", 'userName eq "Ada@Example.TEST"')).toEqual({
      ok: true,
      condition: { kind: "compare", attribute: "userName", op: "eq", value: "ada@example.test" },
    });
  });

  test("attribute names ignore case and the core URN; ne is not eq; value filters flatten", () => {
    expect(
      parseScimFilter(
        "User",
        'urn:ietf:params:scim:schemas:core:2.0:User:USERNAME ne "a" and emails[value co "b"]',
      ),
    ).toEqual({
      ok: true,
      condition: {
        kind: "and",
        of: [
          { kind: "not", of: { kind: "compare", attribute: "userName", op: "eq", value: "a" } },
          { kind: "compare", attribute: "emails.value", op: "co", value: "b" },
        ],
      },
    });
    expect(parseScimFilter("Group", 'members[value eq "u1"]')).toMatchObject({
      ok: true,
      condition: { attribute: "members.value", value: "u1" },
    });
  });

  test.each([
    ["User", 'title eq "x"'],
    ["User", 'externalId co "x"'],
    ["User", "active eq 1"],
    ["Group", 'userName eq "x"'],
    ["User", 'meta.created gt "2020-01-01T00:00:00Z"'],
  ] as const)("%s filter %j is invalidFilter", (kind, filter) => {
    expect(parseScimFilter(kind, filter)).toMatchObject({
      ok: false,
      refusal: { code: "invalid_filter" },
    });
  });

  test("property: any text is a condition or an invalid_filter refusal, never a throw", () => {
    const piece = fc.constantFrom(
      "userName",
      "active",
      "emails",
      "[",
      "]",
      "(",
      ")",
      " eq ",
      " co ",
      " pr",
      " and ",
      " or ",
      "not ",
      '"x"',
      "true",
      "1",
      '"',
      ".",
      "value",
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(piece, { maxLength: 20 }).map((p) => p.join("")),
        ),
        (text) => {
          const parsed = parseScimFilter("User", text);
          if (!parsed.ok) expect(parsed.refusal.code).toBe("invalid_filter");
        },
      ),
      { numRuns: 2000 },
    );
  });
});
