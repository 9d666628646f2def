import { z } from "zod";
import { calendarDate } from "./calendar-date.ts";
import { RETENTION_BOUNDS } from "./retention.ts";
import { localDateKey, nextDateKey, startOfLocalDay } from "./local-time.ts";

/** The periods of the /data overview, in the worker's time zone. */
export const PERIODS = ["today", "7d", "30d", "custom"] as const;
export type Period = (typeof PERIODS)[number];

export const PERIOD_LABELS: Record<Period, string> = {
  today: "Today",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  custom: "Custom range",
};

/**
 * The longest custom range on the overview: the longest history any policy
 * keeps (RETENTION_BOUNDS.max days) and today, so a worker can always see
 * all of theirs, a year and more. Daily rollups make a year cheap (ADR 0030).
 */
export const MAX_CUSTOM_DAYS = RETENTION_BOUNDS.max + 1;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const day = calendarDate("Enter a date as YYYY-MM-DD.");

export const PeriodQuerySchema = z
  .discriminatedUnion("period", [
    z.object({ period: z.literal("today") }),
    z.object({ period: z.literal("7d") }),
    z.object({ period: z.literal("30d") }),
    z.object({ period: z.literal("custom"), from: day, to: day }),
  ])
  .refine((q) => q.period !== "custom" || q.from <= q.to, {
    path: ["to"],
    message: "The end date must be on or after the start date.",
  })
  .refine((q) => q.period !== "custom" || daysBetween(q.from, q.to) < MAX_CUSTOM_DAYS, {
    path: ["from"],
    message: `Choose at most ${MAX_CUSTOM_DAYS} days: no records are kept longer than ${RETENTION_BOUNDS.max} days.`,
  });
export type PeriodQuery = z.infer<typeof PeriodQuerySchema>;

function minusDays(dateKey: string, days: number): string {
  const [y, m, d] = dateKey.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d - days));
  return date.toISOString().slice(0, 10);
}

/** The UTC instants [start, end) of a period, by local calendar days. */
export function periodRange(
  query: PeriodQuery,
  now: Date,
  timeZone: string,
): { start: Date; end: Date } {
  const today = localDateKey(now, timeZone);
  const [from, to] =
    query.period === "today"
      ? [today, today]
      : query.period === "7d"
        ? [minusDays(today, 6), today]
        : query.period === "30d"
          ? [minusDays(today, 29), today]
          : [query.from, query.to];
  return {
    start: startOfLocalDay(from, timeZone),
    end: startOfLocalDay(nextDateKey(to), timeZone),
  };
}
