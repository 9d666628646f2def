import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RECOVERY_CODE_PATTERN, formatRecoveryCode, readSecondFactorCode } from "./two-factor.ts";

describe("second-factor codes as typed", () => {
  test("six digits, with spaces, are an authenticator code", () => {
    expect(readSecondFactorCode(" 123 456 ")).toEqual({ kind: "totp", code: "123456" });
    expect(readSecondFactorCode("12345")).toBeNull();
    expect(readSecondFactorCode("1234567")).toBeNull();
  });

  test("property: a recovery code is read back however it is typed", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        fc.boolean(),
        fc.boolean(),
        (bytes, upper, dash) => {
          const code = formatRecoveryCode(bytes);
          expect(code).toMatch(RECOVERY_CODE_PATTERN);
          let typed = dash ? code : code.replace("-", "");
          if (upper) typed = typed.toUpperCase();
          expect(readSecondFactorCode(` ${typed} `)).toEqual({ kind: "recovery", code });
        },
      ),
    );
  });

  test("property: anything else is refused, never thrown on", () => {
    fc.assert(
      fc.property(fc.string(), (typed) => {
        const read = readSecondFactorCode(typed);
        if (read) expect(read.code).toMatch(/^(\d{6}|[a-z2-7]{5}-[a-z2-7]{5})$/);
      }),
    );
  });
});
