import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFIRM_FIELD, confirmStep, isConfirmStepFor, needsConfirmation } from "./confirmation.ts";

function form(entries: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(entries)) f.set(k, v);
  return f;
}

describe("confirmation", () => {
  it("an unconfirmed submission needs confirming; one confirmed for this key does not", () => {
    expect(needsConfirmation(form({ intent: "revoke" }), "revoke-device:d1")).toBe(true);
    expect(
      needsConfirmation(form({ [CONFIRM_FIELD]: "revoke-device:d1" }), "revoke-device:d1"),
    ).toBe(false);
  });

  it("a confirmation for one action or target never confirms another", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (given, key) => {
        fc.pre(given !== key);
        expect(needsConfirmation(form({ [CONFIRM_FIELD]: given }), key)).toBe(true);
      }),
    );
  });

  it("recognises its own confirm step only", () => {
    expect(isConfirmStepFor(confirmStep("a:1"), "a:1")).toBe(true);
    expect(isConfirmStepFor(confirmStep("a:1"), "a:2")).toBe(false);
    for (const other of [undefined, null, "a:1", { kind: "error" }, { confirm: 1 }])
      expect(isConfirmStepFor(other, "a:1")).toBe(false);
  });
});
