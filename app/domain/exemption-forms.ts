import { z } from "zod";
import { calendarDate } from "./calendar-date.ts";
import { EVENT_TYPES } from "#app/agent-protocol/v1.ts";
import { EXEMPTION_REASONS } from "./exemption.ts";
import { JUSTIFICATION_LIMITS } from "./exemption-draft.ts";

/**
 * The exemption forms, shared by the browser and the server. The schema
 * checks shape and required fields; time and policy rules (start not past,
 * longest span, a recurrence that happens) are exemption-draft.ts's, on the
 * server, with field-named messages too.
 */
const date = (label: string) =>
  calendarDate(
    `Enter the ${label} date as YYYY-MM-DD.`,
    z.string({ required_error: `Choose the ${label} date.` }),
  );
const time = (label: string) =>
  z
    .string({ required_error: `Choose the ${label} time.` })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, `Enter the ${label} time as HH:MM, 24-hour.`);

export const ExemptionRequestSchema = z
  .object({
    reason: z.enum(EXEMPTION_REASONS, {
      required_error: "Choose a reason.",
      invalid_type_error: "Choose a reason.",
    }),
    justification: z
      .string({ required_error: "Explain what the exemption is for." })
      .trim()
      .min(
        JUSTIFICATION_LIMITS.min,
        `Explain in at least ${JUSTIFICATION_LIMITS.min} characters what the exemption is for.`,
      )
      .max(JUSTIFICATION_LIMITS.max, `Keep it under ${JUSTIFICATION_LIMITS.max} characters.`),
    scope: z.enum(["all", "types"], { required_error: "Choose what the exemption covers." }),
    scopeTypes: z.array(z.enum(EVENT_TYPES)).optional(),
    startDate: date("start"),
    startTime: time("start"),
    endDate: date("end"),
    endTime: time("end"),
    repeat: z.enum(["once", "weekly"], { required_error: "Choose once or weekly." }),
    days: z
      .array(
        z.coerce
          .number()
          .int()
          .min(1, "Choose days of the week.")
          .max(7, "Choose days of the week."),
      )
      .optional(),
    fromTime: time("weekly start").optional(),
    toTime: time("weekly end").optional(),
  })
  .superRefine((value, ctx) => {
    if (value.scope === "types" && (value.scopeTypes?.length ?? 0) === 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["scopeTypes"],
        message: "Choose at least one kind of data.",
      });
    }
    if (value.repeat === "weekly") {
      if ((value.days?.length ?? 0) === 0) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["days"],
          message: "Choose at least one day of the week.",
        });
      }
      if (!value.fromTime) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["fromTime"],
          message: "Choose when the weekly window starts.",
        });
      }
      if (!value.toTime) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["toTime"],
          message: "Choose when the weekly window ends.",
        });
      }
    }
  });

export type ExemptionRequestForm = z.output<typeof ExemptionRequestSchema>;

/**
 * A reviewer's decision. "approve-next" and "deny-next" decide the same way as
 * "approve" and "deny", then open the next request in the queue (`decisionOf`).
 */
export const ExemptionDecisionSchema = z
  .object({
    intent: z.enum(["approve", "approve-next", "deny", "deny-next", "revoke"], {
      required_error: "Choose a decision.",
      invalid_type_error: "Choose a decision.",
    }),
    note: z
      .string()
      .trim()
      .max(1000, "Keep the note under 1,000 characters.")
      .optional()
      .transform((v) => (v ? v : null)),
  })
  .superRefine((value, ctx) => {
    const { action } = decisionOf(value.intent);
    if (action !== "approve" && !value.note) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["note"],
        message:
          action === "deny"
            ? "Say why the request is denied."
            : "Say why the exemption is revoked.",
      });
    }
  });

export type DecisionIntent = "approve" | "approve-next" | "deny" | "deny-next" | "revoke";

/** What a decision button asks for: the decision, and whether to open the next request after it. */
export function decisionOf(intent: DecisionIntent): {
  action: "approve" | "deny" | "revoke";
  next: boolean;
} {
  switch (intent) {
    case "approve-next":
      return { action: "approve", next: true };
    case "deny-next":
      return { action: "deny", next: true };
    default:
      return { action: intent, next: false };
  }
}

export const ExemptionWorkerChangeSchema = z.object({
  intent: z.enum(["withdraw", "end"], { required_error: "Choose what to do." }),
});

/** The review queue's tabs and filters (from the URL; bad values fall back to defaults). */
export const ReviewQueueSearchSchema = z.object({
  tab: z.enum(["decide", "decided"]).catch("decide"),
  reason: z.enum(EXEMPTION_REASONS).nullable().catch(null),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

/** The confirmation key of withdrawing or ending one request (ADR 0027). */
export function exemptionChangeKey(change: "withdraw" | "end", exemptionId: string): string {
  return `${change}-exemption:${exemptionId}`;
}
