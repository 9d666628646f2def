/**
 * AI-training datasets (ADR 0043), the rules in one pure module: which of a
 * worker's stored events a dataset may hold, the request form, the range in
 * the requester's calendar, and how the inclusion reads in the worker's
 * access log.
 *
 * An event is held only when none of these stands against it, checked in
 * this order (the first reason wins, so the build can count why):
 * the worker objects to the dataset's purpose; a pause; an exemption of its
 * type; a forgotten span; a private application (the worker's or the
 * organisation's, as the lists stand when the dataset is built); a span
 * frozen by a rights request (a restriction, or an erasure not yet decided).
 * Only workers who acknowledged the monitoring notice in force are read at
 * all (the builder's query).
 */
import { z } from "zod";
import { decideCollection, type CollectionWindows } from "./collection-state.ts";
import { isForgotten } from "./forget-rules.ts";
import { calendarDate } from "./calendar-date.ts";
import { formatDateTime, localDateKey, nextDateKey, startOfLocalDay } from "./local-time.ts";
import { PurposeKeySchema } from "./purposes.ts";
import { refuse, type Refused } from "./refusal.ts";

/** The file's first line names this; each later line is one event. */
export const DATASET_FILE_FORMAT = "lull-dataset/1";
/** The longest range one dataset may cover. */
export const MAX_DATASET_DAYS = 366;

export type DatasetExclusion =
  "objected" | "paused" | "exempt" | "forgotten" | "private_app" | "restricted";

/** Everything the rule needs about one worker. */
export type DatasetWorkerRules = {
  /** Their pauses, exemptions, forgets and private applications over the range. */
  windows: CollectionWindows;
  /** Spans kept out of every dataset by their rights requests. */
  frozen: readonly { start: Date; end: Date }[];
  /** They object to the dataset's purpose: none of their data is used. */
  objects: boolean;
};

/** Why the event stays out of the dataset, or null when it is held. */
export function datasetExclusion(
  rules: DatasetWorkerRules,
  event: { at: Date; type: string; app: string },
): DatasetExclusion | null {
  if (rules.objects) return "objected";
  // The acknowledgement gate is not asked: the builder reads only workers who signed the notice.
  const verdict = decideCollection(
    { ...rules.windows, heldForAcknowledgement: false },
    event.at,
    event.type,
  );
  if (verdict.reason === "paused" || verdict.reason === "exempt") return verdict.reason;
  if (verdict.reason === "deactivated") return "paused";
  if (isForgotten(rules.windows.forget, event.at)) return "forgotten";
  if (rules.windows.isPrivateApp(event.app)) return "private_app";
  const t = event.at.getTime();
  if (rules.frozen.some((s) => s.start.getTime() <= t && t < s.end.getTime())) return "restricted";
  return null;
}

/** The request form: a name, the first and last local days, and the purpose. */
export const DatasetRequestSchema = z.object({
  name: z
    .string({ required_error: "Give the dataset a name." })
    .trim()
    .min(3, "Give the dataset a name of at least 3 characters.")
    .max(120, "Keep the name under 120 characters."),
  from: calendarDate("Enter the first day as a date."),
  to: calendarDate("Enter the last day as a date."),
  purpose: PurposeKeySchema,
});
export type DatasetRequest = z.infer<typeof DatasetRequestSchema>;

/**
 * The range [start, end) in UTC from the first and last local days
 * (inclusive) in `timeZone`; refused when backwards, longer than
 * MAX_DATASET_DAYS or ending after today.
 */
export function datasetRange(
  from: string,
  to: string,
  timeZone: string,
  now: Date,
): { ok: true; start: Date; end: Date } | Refused {
  if (to < from) return refuse("invalid", "The last day must not be before the first.", "to");
  const today = localDateKey(now, timeZone);
  if (to > today) return refuse("invalid", "The last day cannot be after today.", "to");
  const start = startOfLocalDay(from, timeZone);
  const end = startOfLocalDay(nextDateKey(to), timeZone);
  const days = Math.round((end.getTime() - start.getTime()) / 86_400_000);
  if (days > MAX_DATASET_DAYS) {
    return refuse("invalid", `A dataset covers at most ${MAX_DATASET_DAYS} days.`, "from");
  }
  return { ok: true, start, end };
}

/** What a `dataset.include` audit event carries (the worker's access log reads it). */
export const DatasetInclusionSchema = z.object({
  datasetId: z.string(),
  name: z.string(),
  from: z.string().datetime(),
  to: z.string().datetime(),
  events: z.number().int().nonnegative(),
});
export type DatasetInclusion = z.infer<typeof DatasetInclusionSchema>;

/**
 * "Your events from 2 Nov 2026, 09:12 CET to 30 Nov 2026, 17:40 CET (1,234
 * events) were included in dataset "Q4 typing" for training AI models": from
 * the first to the last of the worker's own events it holds, in their zone.
 */
export function describeDatasetInclusion(
  metadata: Record<string, unknown>,
  purposeName: string | null,
  timeZone: string,
): string | null {
  const parsed = DatasetInclusionSchema.safeParse(metadata);
  if (!parsed.success) return null;
  const m = parsed.data;
  const events = `${m.events.toLocaleString("en-GB")} ${m.events === 1 ? "event" : "events"}`;
  const use = purposeName
    ? ` for ${purposeName.charAt(0).toLowerCase()}${purposeName.slice(1)}`
    : "";
  return `Your events from ${formatDateTime(new Date(m.from), timeZone)} to ${formatDateTime(new Date(m.to), timeZone)} (${events}) were included in dataset "${m.name}"${use}`;
}
