import { describe, expect, test } from "vitest";
import { SignInSchema } from "./sign-in.ts";

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
