import { z } from "zod";

/**
 * A calendar day typed into a form or a query ("2026-11-27"), checked at the
 * boundary: the day exists (no 2026-02-30, which the clock arithmetic
 * further on cannot place), and its year is one Lull can store and compute
 * with (ADR 0018). Years outside are refused rather than carried into
 * instants past what the database takes (a local 9999-12-31 23:50 in
 * Berlin plus a pause ends in the year 10000).
 */
export const CALENDAR_YEARS = { earliest: 1970, latest: 2999 } as const;

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a YYYY-MM-DD day that exists, in a year Lull takes. */
export function isCalendarDate(text: string): boolean {
  const match = SHAPE.exec(text);
  if (!match) return false;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  if (year < CALENDAR_YEARS.earliest || year > CALENDAR_YEARS.latest) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/**
 * The Zod field for a calendar day: `formatMessage` when it is not
 * YYYY-MM-DD, else one sentence for a year out of range or a day that does
 * not exist.
 */
export function calendarDate(formatMessage: string, schema = z.string()) {
  return schema.regex(SHAPE, formatMessage).superRefine((text, ctx) => {
    const match = SHAPE.exec(text);
    if (!match || isCalendarDate(text)) return;
    const year = Number(match[1]);
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        year < CALENDAR_YEARS.earliest || year > CALENDAR_YEARS.latest
          ? `Choose a date between ${CALENDAR_YEARS.earliest} and ${CALENDAR_YEARS.latest}.`
          : "That date does not exist. Choose another.",
    });
  });
}
