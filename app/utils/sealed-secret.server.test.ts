import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { open, seal } from "./sealed-secret.server.ts";

const A = "a".repeat(32);
const B = "b".repeat(32);

describe("sealed secrets", () => {
  test("property: what is sealed opens to the same text, and the sealed text does not contain it", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (plain) => {
        const sealed = seal(plain, "totp", [A]);
        expect(open(sealed, "totp", [A])).toBe(plain);
        expect(sealed).not.toContain(plain);
      }),
    );
  });

  test("opens with an older secret still listed after rotation, not with another secret or purpose", () => {
    const sealed = seal("JBSWY3DPEHPK3PXP", "totp", [A]);
    expect(open(sealed, "totp", [B, A])).toBe("JBSWY3DPEHPK3PXP");
    expect(open(sealed, "totp", [B])).toBeNull();
    expect(open(sealed, "other", [A])).toBeNull();
  });

  test("a tampered value does not open", () => {
    const sealed = seal("JBSWY3DPEHPK3PXP", "totp", [A]);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[2]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString("base64url");
    expect(open(parts.join("."), "totp", [A])).toBeNull();
    expect(open("v1.x", "totp", [A])).toBeNull();
  });
});
