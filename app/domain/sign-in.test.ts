import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SignInSchema, safeRedirect } from "./sign-in.ts";

describe("safeRedirect", () => {
  test.each([
    ["/", "/"],
    ["/admin/people?q=ada#top", "/admin/people?q=ada#top"],
    ["/pauses", "/pauses"],
  ])("keeps our own path %s", (input, expected) => {
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

  test("property: whatever comes in, the result stays on this site", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (input) => {
        const out = safeRedirect(input);
        expect(out.startsWith("/")).toBe(true);
        expect(out.startsWith("//")).toBe(false);
        expect(new URL(out, "https://lull.example").origin).toBe("https://lull.example");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("SignInSchema", () => {
  test("normalises the email", () => {
    const parsed = SignInSchema.parse({ email: "  Worker@Lull.TEST ", password: "x" });
    expect(parsed.email).toBe("worker@lull.test");
  });

  test("names each bad field", () => {
    const result = SignInSchema.safeParse({ email: "nope", password: "" });
    expect(result.success).toBe(false);
    const fields = result.error!.issues.map((i) => i.path[0]);
    expect(fields).toEqual(["email", "password"]);
  });
});
