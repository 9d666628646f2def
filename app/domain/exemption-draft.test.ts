import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { evaluateExemptionDraft, type ExemptionDraft } from "./exemption-draft.ts";

const H = 3_600_000;
const D = 24 * H;
const NOW = new Date("2026-11-27T09:00:00Z");

describe("filing rules", () => {
  const base: ExemptionDraft = {
    startsAt: NOW,
    endsAt: new Date(NOW.getTime() + 2 * D),
    recurrence: null,
    scopeTypes: null,
    timeZone: "Europe/Berlin",
  };
  const check = (draft: Partial<ExemptionDraft>, max = 90) =>
    evaluateExemptionDraft({ ...base, ...draft }, { maxExemptionDays: max, now: NOW });

  test("a valid request passes", () => {
    expect(check({})).toEqual([]);
  });

  test("each broken rule names its field", () => {
    expect(check({ startsAt: new Date(NOW.getTime() - H) })[0]!.field).toBe("start");
    expect(check({ endsAt: NOW })[0]!.field).toBe("end");
    expect(check({ endsAt: new Date(NOW.getTime() + 3 * D) }, 2)[0]!.message).toMatch(
      /at most 2 days/,
    );
    expect(
      check({ recurrence: { days: [1], startTime: "16:00", endTime: "14:00" } })[0]!.field,
    ).toBe("recurrenceEnd");
    // 27–29 Nov 2026 is Friday to Sunday: no Tuesday in it.
    expect(
      check({ recurrence: { days: [2], startTime: "14:00", endTime: "16:00" } })[0]!.field,
    ).toBe("recurrenceDays");
  });

  test("property: no request longer than the policy's maximum ever passes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 1, max: 800 * 24 }),
        (max, hours) => {
          const violations = check({ endsAt: new Date(NOW.getTime() + hours * H) }, max);
          expect(violations.length === 0).toBe(hours * H <= max * D);
        },
      ),
    );
  });
});
