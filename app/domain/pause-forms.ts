import { z } from "zod";
import { calendarDate } from "./calendar-date.ts";
import { MIN_PAUSE_MINUTES } from "./pause-policy.ts";

/**
 * The pause forms, shared by the browser and the server. The duration's
 * upper bound is the policy's, so the schema is built for it; the server's
 * rules in pause-policy.ts remain the authority.
 */
function durationField(maxMinutes: number) {
  return z.coerce
    .number({
      required_error: "Choose how long to pause.",
      invalid_type_error: "Choose how long to pause.",
    })
    .int("Choose a whole number of minutes.")
    .min(MIN_PAUSE_MINUTES, `A pause lasts at least ${MIN_PAUSE_MINUTES} minutes.`)
    .max(maxMinutes, `A pause lasts at most ${maxMinutes} minutes.`);
}

export function pauseNowSchema(maxMinutes: number) {
  return z.object({
    intent: z.literal("start"),
    durationMinutes: durationField(maxMinutes),
  });
}

export function schedulePauseSchema(maxMinutes: number) {
  return z.object({
    intent: z.literal("schedule"),
    date: calendarDate(
      "Enter the date as YYYY-MM-DD.",
      z.string({ required_error: "Choose a date." }),
    ),
    time: z
      .string({ required_error: "Choose a start time." })
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Enter the time as HH:MM, 24-hour."),
    durationMinutes: durationField(maxMinutes),
  });
}

export const PauseChangeSchema = z.object({
  intent: z.enum(["end", "cancel"]),
  pauseId: z.string({ required_error: "Choose a pause." }).min(1).max(64),
});

/** The confirmation key of ending or cancelling one pause (ADR 0027). */
export function pauseChangeKey(change: "end" | "cancel", pauseId: string): string {
  return `${change === "end" ? "end-pause" : "cancel-pause"}:${pauseId}`;
}

/** Choices offered by the duration pickers: every 5 minutes up to the policy's maximum. */
export function durationChoices(maxMinutes: number): number[] {
  const choices: number[] = [];
  for (let m = MIN_PAUSE_MINUTES; m <= maxMinutes; m += 5) choices.push(m);
  if (choices[choices.length - 1] !== maxMinutes) choices.push(maxMinutes);
  return choices;
}

/** "Forget the last N minutes" (ADR 0041): the span's rules are `evaluateForget`'s. */
export const ForgetFormSchema = z.object({
  intent: z.literal("forget"),
  minutes: z.coerce
    .number({ invalid_type_error: "Choose how many minutes to forget." })
    .int("Choose how many minutes to forget.")
    .min(1, "Choose how many minutes to forget.")
    .max(24 * 60, "Choose how many minutes to forget."),
});
