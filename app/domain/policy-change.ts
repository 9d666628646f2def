/**
 * Policy changes as history (ADR 0042): which settings a save changes, and
 * whether the change widens collection, so that it waits for a worker
 * representative's co-signature when the policy asks for one. Pure.
 */
import { z } from "zod";
import { describePolicyValue, policyFieldLabel, type PolicyFields } from "./policy-form.ts";

export type PolicySetting = keyof PolicyFields;

/** One setting's change: its old and new value. */
export type SettingChange = { field: PolicySetting; from: unknown; to: unknown };

const isNumber = (v: unknown): v is number => typeof v === "number";

/**
 * Whether changing one setting from `from` to `to` lets more be collected or
 * kept, or takes a protection away: a longer retention; a shorter longest
 * pause; a longer gap between pauses; a lower or newly set daily pause limit;
 * a shorter scheduling horizon; a shorter longest exemption; collecting before
 * the notice is acknowledged; a shorter span to forget; fewer forgets a day;
 * and turning the representatives' co-signature off (else the office could
 * remove the seat alone, then widen).
 */
export function settingWidens(field: PolicySetting, from: unknown, to: unknown): boolean {
  switch (field) {
    case "retentionDays":
    case "minGapMinutes":
      return isNumber(from) && isNumber(to) && to > from;
    case "maxPauseMinutes":
    case "scheduleAheadDays":
    case "maxExemptionDays":
    case "maxForgetMinutes":
    case "maxForgetsPerDay":
      return isNumber(from) && isNumber(to) && to < from;
    case "maxPauseMinutesPerDay":
      // null is "no daily limit": setting one, or lowering it, pauses less.
      return isNumber(to) && (from === null || from === undefined || (isNumber(from) && to < from));
    case "requireAcknowledgementBeforeCollection":
    case "requireRepresentativeApproval":
      return from === true && to === false;
  }
}

/** The settings that differ, in the form's order. */
export function changedSettings(before: PolicyFields, after: PolicyFields): SettingChange[] {
  return (Object.keys(after) as PolicySetting[])
    .filter((field) => before[field] !== after[field])
    .map((field) => ({ field, from: before[field], to: after[field] }));
}

/** Whether any changed setting widens collection. */
export function widens(changes: readonly SettingChange[]): boolean {
  return changes.some((c) => settingWidens(c.field, c.from, c.to));
}

/**
 * What a save does: applied at once, or waiting for a co-signature (it widens
 * and the policy in force requires representative approval), or nothing.
 */
export function decidePolicyChange(
  before: PolicyFields,
  after: PolicyFields,
): { kind: "none" } | { kind: "apply" | "wait"; changes: SettingChange[]; widens: boolean } {
  const changes = changedSettings(before, after);
  if (changes.length === 0) return { kind: "none" };
  const wide = widens(changes);
  return {
    kind: wide && before.requireRepresentativeApproval ? "wait" : "apply",
    changes,
    widens: wide,
  };
}

/** A stored change (before/after JSON of the changed settings) back as a list. */
export function readStoredChange(before: string, after: string): SettingChange[] {
  const from = JSON.parse(before) as Record<string, unknown>;
  const to = JSON.parse(after) as Record<string, unknown>;
  return Object.keys(to).map((field) => ({
    field: field as PolicySetting,
    from: from[field] ?? null,
    to: to[field] ?? null,
  }));
}

/** The changed settings as the before/after JSON of a PolicyChange row. */
export function storedChange(changes: readonly SettingChange[]): { before: string; after: string } {
  return {
    before: JSON.stringify(Object.fromEntries(changes.map((c) => [c.field, c.from]))),
    after: JSON.stringify(Object.fromEntries(changes.map((c) => [c.field, c.to]))),
  };
}

/** "Longest pause: 30 min → 20 min (widens collection)". */
export function describeSettingChange(change: SettingChange): {
  setting: string;
  from: string;
  to: string;
  widens: boolean;
} {
  return {
    setting: policyFieldLabel(change.field),
    from: describePolicyValue(change.field, change.from),
    to: describePolicyValue(change.field, change.to),
    widens: settingWidens(change.field, change.from, change.to),
  };
}

/** Where a change stands. */
export type PolicyChangeStatus = "applied" | "pending" | "withdrawn";

export function policyChangeStatus(change: {
  appliedAt: Date | null;
  withdrawnAt: Date | null;
}): PolicyChangeStatus {
  if (change.appliedAt) return "applied";
  if (change.withdrawnAt) return "withdrawn";
  return "pending";
}

/** A representative's co-signature of a waiting policy change, as the council's form sends it. */
export const CosignPolicyChangeSchema = z.object({
  intent: z.literal("cosign", { message: "Choose a change to co-sign." }),
  changeId: z.string({ message: "Choose a change to co-sign." }).min(1).max(100),
});
