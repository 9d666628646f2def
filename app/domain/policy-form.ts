import { z } from "zod";
import { POLICY_BOUNDS } from "./pause-policy.ts";
import { MAX_EXEMPTION_DAYS_BOUNDS } from "./exemption-draft.ts";
import { RETENTION_BOUNDS } from "./retention.ts";
import { FORGET_POLICY_BOUNDS } from "./forget-rules.ts";

function minutesField(label: string, { min, max }: { min: number; max: number }, unit = "minutes") {
  // Empty stays empty (a missing value), anything else must read as a number.
  return z.preprocess(
    (value) => (value === undefined || value === "" ? undefined : Number(value)),
    z
      .number({
        required_error: `Enter the ${label}.`,
        invalid_type_error: `The ${label} must be a whole number of ${unit}.`,
      })
      .int(`The ${label} must be a whole number of ${unit}.`)
      .min(min, `The ${label} must be at least ${min} ${unit}.`)
      .max(max, `The ${label} must be at most ${max} ${unit}.`),
  );
}

/** The admin's pause policy form. An empty daily cap means "no daily cap". */
export const PolicySchema = z
  .object({
    maxPauseMinutes: minutesField("longest pause", POLICY_BOUNDS.maxPauseMinutes),
    minGapMinutes: minutesField("gap between pauses", POLICY_BOUNDS.minGapMinutes),
    maxPauseMinutesPerDay: minutesField("daily pause limit", POLICY_BOUNDS.maxPauseMinutesPerDay)
      .optional()
      .transform((v) => v ?? null),
    scheduleAheadDays: minutesField("scheduling horizon", POLICY_BOUNDS.scheduleAheadDays, "days"),
    retentionDays: minutesField("retention period", RETENTION_BOUNDS, "days"),
    maxExemptionDays: minutesField("longest exemption", MAX_EXEMPTION_DAYS_BOUNDS, "days"),
    maxForgetMinutes: minutesField("longest span to forget", FORGET_POLICY_BOUNDS.maxForgetMinutes),
    maxForgetsPerDay: minutesField(
      "forgets per day",
      FORGET_POLICY_BOUNDS.maxForgetsPerDay,
      "forgets",
    ),
    requireAcknowledgementBeforeCollection: z
      .literal("on")
      .optional()
      .transform((v) => v === "on"),
    requireRepresentativeApproval: z
      .literal("on")
      .optional()
      .transform((v) => v === "on"),
  })
  .superRefine((policy, ctx) => {
    if (
      policy.maxPauseMinutesPerDay !== null &&
      policy.maxPauseMinutesPerDay < policy.maxPauseMinutes
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["maxPauseMinutesPerDay"],
        message: "The daily pause limit must be at least the longest pause, or empty for no limit.",
      });
    }
  });

export type PolicyFields = z.output<typeof PolicySchema>;

/** How each policy field reads in the history of changes. */
export const POLICY_FIELD_LABELS: Record<keyof PolicyFields, string> = {
  maxPauseMinutes: "Longest pause",
  minGapMinutes: "Minimum gap between pauses",
  maxPauseMinutesPerDay: "Daily pause limit",
  scheduleAheadDays: "Scheduling horizon",
  maxExemptionDays: "Longest exemption",
  requireAcknowledgementBeforeCollection: "Hold collection until the notice is acknowledged",
  retentionDays: "Keep collected data for",
  maxForgetMinutes: "Longest span a worker can forget",
  maxForgetsPerDay: "Forgets per worker per day",
  requireRepresentativeApproval: "Changes that widen collection wait for a representative",
};

const UNITS: Partial<Record<keyof PolicyFields, string>> = {
  maxPauseMinutes: "min",
  minGapMinutes: "min",
  maxPauseMinutesPerDay: "min",
  scheduleAheadDays: "days",
  maxExemptionDays: "days",
  retentionDays: "days",
  maxForgetMinutes: "min",
  maxForgetsPerDay: "a day",
};

/** A stored policy value in words: "30 min", "No limit", "On". */
export function describePolicyValue(field: string, value: unknown): string {
  if (value === null || value === undefined) {
    return field === "maxPauseMinutesPerDay" ? "No limit" : "None";
  }
  if (typeof value === "boolean") return value ? "On" : "Off";
  const unit = UNITS[field as keyof PolicyFields];
  return unit ? `${String(value)} ${unit}` : String(value);
}

export function policyFieldLabel(field: string): string {
  return (POLICY_FIELD_LABELS as Record<string, string>)[field] ?? field;
}
