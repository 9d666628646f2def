/**
 * The rights-request forms (ADR 0042), shared by the browser and the server,
 * and the rule a span must meet. Pure. The schema checks shape and the fields
 * each kind needs; `evaluateRightsSpan` checks the span against the clock
 * and the retention period, with field-named messages.
 */
import { z } from "zod";
import { calendarDate } from "./calendar-date.ts";
import { MAX_EVENT_ID } from "./event-query.ts";
import { EXTENSION_MONTHS } from "./rights-deadlines.ts";
import { formatDateTime, localToUtc } from "./local-time.ts";
import { refuse, refuseAll, type Refusal, type Refused } from "./refusal.ts";
import { RIGHTS_KINDS, type RightsKind, type RightsStatus } from "./rights-rules.ts";

export const DETAILS_LIMITS = { min: 10, max: 2000 } as const;
export const OUTCOME_LIMITS = { min: 5, max: 2000 } as const;
export const NOTE_LIMITS = { min: 1, max: 2000 } as const;

export const RIGHTS_KIND_LABELS: Record<RightsKind, string> = {
  CORRECTION: "Correction or annotation",
  ERASURE: "Erasure",
  RESTRICTION: "Restriction",
  OBJECTION: "Objection to a purpose",
};

export const RIGHTS_KIND_HINTS: Record<RightsKind, string> = {
  CORRECTION:
    "A record or a span is wrong or needs context. Accepted, the answer is kept as an annotation with the data.",
  ERASURE:
    "Delete a span. While the request is open, the span is kept out of every dataset; accepted, it is deleted with a signed receipt.",
  RESTRICTION:
    "Freeze a span while you dispute it: kept, but out of every dataset from the moment you file, until you lift it.",
  OBJECTION:
    "Object to one purpose (for example AI training). Accepted, none of your data is used for it until you lift the objection.",
};

export const RIGHTS_STATUS_LABELS: Record<RightsStatus, string> = {
  OPEN: "Open",
  ACCEPTED: "Accepted",
  REJECTED: "Rejected",
  WITHDRAWN: "Withdrawn",
};

const date = (label: string) =>
  calendarDate(`Enter the ${label} date as YYYY-MM-DD.`, z.string()).optional();
const time = (label: string) =>
  z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, `Enter the ${label} time as HH:MM, 24-hour.`)
    .optional();

const need = (ctx: z.RefinementCtx, path: string, message: string) =>
  ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });

export const RightsRequestSchema = z
  .object({
    kind: z.enum(RIGHTS_KINDS, {
      required_error: "Choose what you are asking for.",
      invalid_type_error: "Choose what you are asking for.",
    }),
    /** CORRECTION of one record: its number. */
    eventId: z.coerce
      .number({ invalid_type_error: "Enter a record number." })
      .int("Enter a record number.")
      .positive("Enter a record number.")
      .max(MAX_EVENT_ID, "There is no record with that number.")
      .optional(),
    startDate: date("start"),
    startTime: time("start"),
    endDate: date("end"),
    endTime: time("end"),
    /** OBJECTION: the purpose objected to. */
    purposeKey: z
      .string()
      .trim()
      .max(64, "Choose a purpose from the list.")
      .regex(/^[a-z0-9-]+$/, "Choose a purpose from the list.")
      .optional(),
    details: z
      .string({ required_error: "Say what is wrong and what you want." })
      .trim()
      .min(DETAILS_LIMITS.min, `Say in at least ${DETAILS_LIMITS.min} characters what you want.`)
      .max(DETAILS_LIMITS.max, `Keep it under ${DETAILS_LIMITS.max} characters.`),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "OBJECTION") {
      if (!v.purposeKey) need(ctx, "purposeKey", "Choose the purpose you object to.");
      return;
    }
    if (v.kind === "CORRECTION" && v.eventId !== undefined) return;
    const missing = !v.startDate || !v.startTime || !v.endDate || !v.endTime;
    if (missing) {
      if (!v.startDate) need(ctx, "startDate", "Choose the start date.");
      if (!v.startTime) need(ctx, "startTime", "Choose the start time.");
      if (!v.endDate) need(ctx, "endDate", "Choose the end date.");
      if (!v.endTime) need(ctx, "endTime", "Choose the end time.");
    }
  });

export type RightsRequestInput = z.infer<typeof RightsRequestSchema>;

/**
 * A span typed in the worker's zone, checked: both ends exist on the clock,
 * the start is before the end, the end is not in the future, and it is no
 * longer than the retention period (nothing older is kept to ask about).
 */
export function evaluateRightsSpan({
  startDate,
  startTime,
  endDate,
  endTime,
  timeZone,
  now,
  retentionDays,
}: {
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
  timeZone: string;
  now: Date;
  retentionDays: number;
}): { ok: true; start: Date; end: Date } | Refused {
  const issues: Refusal[] = [];
  const start = localToUtc(startDate, startTime, timeZone);
  const end = localToUtc(endDate, endTime, timeZone);
  if (!start.ok)
    issues.push({
      code: "invalid",
      field: "startTime",
      message: "That start time does not exist on your clock (a clock change). Choose another.",
    });
  if (!end.ok)
    issues.push({
      code: "invalid",
      field: "endTime",
      message: "That end time does not exist on your clock (a clock change). Choose another.",
    });
  if (!start.ok || !end.ok) return refuseAll("invalid", issues);
  if (end.instant.getTime() <= start.instant.getTime()) {
    return refuse("invalid", "The end must be after the start.", "endTime");
  }
  if (end.instant.getTime() > now.getTime()) {
    return refuse("invalid", "The span cannot end in the future.", "endTime");
  }
  const longest = retentionDays * 86_400_000;
  if (end.instant.getTime() - start.instant.getTime() > longest) {
    return refuse(
      "invalid",
      `A span can be at most ${retentionDays} days long: nothing older is kept.`,
      "startDate",
    );
  }
  return { ok: true, start: start.instant, end: end.instant };
}

export const RightsWorkerActionSchema = z.object({
  intent: z.enum(["withdraw", "lift"], { required_error: "Choose an action." }),
});

export const RightsReviewSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("note"),
    body: z
      .string({ required_error: "Write the note." })
      .trim()
      .min(NOTE_LIMITS.min, "Write the note.")
      .max(NOTE_LIMITS.max, `Keep it under ${NOTE_LIMITS.max} characters.`),
  }),
  z.object({
    intent: z.literal("extend"),
    months: z.coerce
      .number({
        required_error: "Choose one or two months.",
        invalid_type_error: "Choose one or two months.",
      })
      .int()
      .refine(
        (n) => (EXTENSION_MONTHS as readonly number[]).includes(n),
        "Choose one or two months.",
      ),
    reason: z
      .string({ required_error: "Say why it needs longer: the worker reads it." })
      .trim()
      .min(OUTCOME_LIMITS.min, "Say why it needs longer: the worker reads it.")
      .max(OUTCOME_LIMITS.max, `Keep it under ${OUTCOME_LIMITS.max} characters.`),
  }),
  z.object({
    intent: z.enum(["accept", "reject"]),
    outcome: z
      .string({ required_error: "Write the answer the worker reads." })
      .trim()
      .min(OUTCOME_LIMITS.min, "Write the answer the worker reads.")
      .max(OUTCOME_LIMITS.max, `Keep it under ${OUTCOME_LIMITS.max} characters.`),
  }),
]);
export type RightsReviewInput = z.infer<typeof RightsReviewSchema>;

/** What a request concerns, in words, times in `timeZone`. */
export function describeRightsTarget(
  r: {
    kind: RightsKind;
    spanStart: Date | null;
    spanEnd: Date | null;
    eventId: string | null;
    purposeKey: string | null;
  },
  timeZone: string,
  purposeName?: string | null,
): string {
  if (r.kind === "OBJECTION") return `The purpose "${purposeName ?? r.purposeKey ?? "?"}"`;
  if (r.eventId) return `Record ${r.eventId}`;
  if (r.spanStart && r.spanEnd) {
    return `The span from ${formatDateTime(r.spanStart, timeZone)} to ${formatDateTime(r.spanEnd, timeZone)}`;
  }
  return "—";
}
