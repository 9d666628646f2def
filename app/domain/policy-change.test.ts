import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  changedSettings,
  decidePolicyChange,
  readStoredChange,
  settingWidens,
  storedChange,
  widens,
  type PolicySetting,
} from "./policy-change.ts";
import type { PolicyFields } from "./policy-form.ts";

const DEFAULTS: PolicyFields = {
  maxPauseMinutes: 30,
  minGapMinutes: 15,
  maxPauseMinutesPerDay: null,
  scheduleAheadDays: 14,
  retentionDays: 90,
  maxExemptionDays: 90,
  requireAcknowledgementBeforeCollection: true,
  maxForgetMinutes: 30,
  maxForgetsPerDay: 3,
  requireRepresentativeApproval: true,
};

const policyArb: fc.Arbitrary<PolicyFields> = fc.record({
  maxPauseMinutes: fc.integer({ min: 5, max: 30 }),
  minGapMinutes: fc.integer({ min: 0, max: 240 }),
  maxPauseMinutesPerDay: fc.option(fc.integer({ min: 5, max: 480 }), { nil: null }),
  scheduleAheadDays: fc.integer({ min: 1, max: 60 }),
  retentionDays: fc.integer({ min: 7, max: 730 }),
  maxExemptionDays: fc.integer({ min: 1, max: 365 }),
  requireAcknowledgementBeforeCollection: fc.boolean(),
  maxForgetMinutes: fc.integer({ min: 5, max: 60 }),
  maxForgetsPerDay: fc.integer({ min: 0, max: 20 }),
  requireRepresentativeApproval: fc.boolean(),
});

/** A value that tightens collection (or keeps it) for `field`, from `from`. */
function tightened(field: PolicySetting, from: unknown, step: number): unknown {
  switch (field) {
    case "retentionDays":
    case "minGapMinutes":
      return Math.max(0, (from as number) - step);
    case "maxPauseMinutes":
    case "scheduleAheadDays":
    case "maxExemptionDays":
    case "maxForgetMinutes":
    case "maxForgetsPerDay":
      return (from as number) + step;
    case "maxPauseMinutesPerDay":
      return from === null ? null : step % 2 === 0 ? null : (from as number) + step;
    case "requireAcknowledgementBeforeCollection":
    case "requireRepresentativeApproval":
      return step % 2 === 0 ? from : true;
  }
}

/** A value that widens collection for `field`, from `from`. */
function widened(field: PolicySetting, from: unknown, step: number): unknown {
  switch (field) {
    case "retentionDays":
    case "minGapMinutes":
      return (from as number) + step;
    case "maxPauseMinutes":
    case "scheduleAheadDays":
    case "maxExemptionDays":
    case "maxForgetMinutes":
    case "maxForgetsPerDay":
      return (from as number) - step;
    case "maxPauseMinutesPerDay":
      return from === null ? 30 : (from as number) - step;
    case "requireAcknowledgementBeforeCollection":
    case "requireRepresentativeApproval":
      return false;
  }
}

const FIELDS = Object.keys(DEFAULTS) as PolicySetting[];
const booleanField = (f: PolicySetting) =>
  f === "requireAcknowledgementBeforeCollection" || f === "requireRepresentativeApproval";

describe("widens", () => {
  test("each widening the issue names widens", () => {
    const cases: [Partial<PolicyFields>, boolean][] = [
      [{ retentionDays: 120 }, true],
      [{ retentionDays: 60 }, false],
      [{ maxPauseMinutes: 20 }, true],
      [{ minGapMinutes: 30 }, true],
      [{ minGapMinutes: 5 }, false],
      [{ maxPauseMinutesPerDay: 60 }, true],
      [{ scheduleAheadDays: 7 }, true],
      [{ maxExemptionDays: 30 }, true],
      [{ requireAcknowledgementBeforeCollection: false }, true],
      [{ maxForgetMinutes: 15 }, true],
      [{ maxForgetsPerDay: 1 }, true],
      [{ maxForgetsPerDay: 5 }, false],
      [{ requireRepresentativeApproval: false }, true],
    ];
    for (const [change, expected] of cases) {
      expect(
        widens(changedSettings(DEFAULTS, { ...DEFAULTS, ...change })),
        JSON.stringify(change),
      ).toBe(expected);
    }
    const capped = { ...DEFAULTS, maxPauseMinutesPerDay: 90 };
    expect(widens(changedSettings(capped, { ...capped, maxPauseMinutesPerDay: 60 }))).toBe(true);
    expect(widens(changedSettings(capped, { ...capped, maxPauseMinutesPerDay: 120 }))).toBe(false);
    expect(widens(changedSettings(capped, { ...capped, maxPauseMinutesPerDay: null }))).toBe(false);
    expect(
      widens(
        changedSettings(
          { ...DEFAULTS, requireRepresentativeApproval: false },
          { ...DEFAULTS, requireRepresentativeApproval: true },
        ),
      ),
    ).toBe(false);
  });

  test("a change that only tightens collection never widens", () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.integer({ min: 0, max: 50 }))),
        (before, edits) => {
          const after = { ...before };
          for (const [field, step] of edits) {
            (after as Record<string, unknown>)[field] = tightened(field, after[field], step);
          }
          expect(widens(changedSettings(before, after))).toBe(false);
        },
      ),
    );
  });

  test("flipping a single widening field always widens, whatever else changes with it", () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.constantFrom(...FIELDS),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.integer({ min: 0, max: 50 }))),
        (base, field, step, others) => {
          const before = booleanField(field) ? { ...base, [field]: true } : base;
          const after = { ...before };
          for (const [other, s] of others) {
            if (other === field) continue;
            (after as Record<string, unknown>)[other] = tightened(other, after[other], s);
          }
          (after as Record<string, unknown>)[field] = widened(field, before[field], step);
          expect(settingWidens(field, before[field], after[field])).toBe(true);
          expect(widens(changedSettings(before, after))).toBe(true);
        },
      ),
    );
  });

  test("a widening change waits only when approval is required before it; others apply", () => {
    fc.assert(
      fc.property(policyArb, policyArb, (before, after) => {
        const decision = decidePolicyChange(before, after);
        const changes = changedSettings(before, after);
        if (changes.length === 0) return expect(decision.kind).toBe("none");
        expect(decision.kind).toBe(
          widens(changes) && before.requireRepresentativeApproval ? "wait" : "apply",
        );
      }),
    );
  });

  test("the stored before/after JSON reads back as the same changes", () => {
    fc.assert(
      fc.property(policyArb, policyArb, (before, after) => {
        const changes = changedSettings(before, after);
        const stored = storedChange(changes);
        expect(readStoredChange(stored.before, stored.after)).toEqual(changes);
      }),
    );
  });
});
