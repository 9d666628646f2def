/**
 * The deadline of a data-rights request (ADR 0042). Pure: instants, the
 * worker's time zone at filing and `now` in, instants and words out.
 *
 * - Due one calendar month after filing, counted in the worker's time zone
 *   at filing: by the end of the same local day of the next month, clamped
 *   to that month's last day (filed 31 January → due by the end of 28 or 29
 *   February). `dueAt` is the first instant after that day: the request is
 *   overdue from then while still open.
 * - Extendable once, by one or two further months counted from the first
 *   due day, with the same clamping (first due 28 February → 28 March or
 *   28 April).
 */
import { formatLongDay, localDateKey, nextDateKey, startOfLocalDay } from "./local-time.ts";

/** "Due soon" for the privacy office: within this many days. */
export const DUE_SOON_DAYS = 7;

export const EXTENSION_MONTHS = [1, 2] as const;
export type ExtensionMonths = (typeof EXTENSION_MONTHS)[number];

/** The day `months` calendar months after `date` ("2026-01-31", 1 → "2026-02-28"). */
export function addCalendarMonths(date: string, months: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const monthIndex = m - 1 + months;
  const year = y + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d, lastDay);
  return `${String(year).padStart(4, "0")}-${String(month + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The first instant after the local day `date` in `timeZone`: the deadline of that day. */
function endOfLocalDay(date: string, timeZone: string): Date {
  return startOfLocalDay(nextDateKey(date), timeZone);
}

/** The local day (YYYY-MM-DD, in `timeZone`) a deadline `dueAt` falls at the end of. */
export function dueDay(dueAt: Date, timeZone: string): string {
  return localDateKey(new Date(dueAt.getTime() - 1), timeZone);
}

/** The first deadline of a request filed at `filedAt` by a worker in `timeZone`. */
export function firstDueAt(filedAt: Date, timeZone: string): Date {
  const filedDay = localDateKey(filedAt, timeZone);
  return endOfLocalDay(addCalendarMonths(filedDay, 1), timeZone);
}

/** The deadline once extended by `months` (1 or 2), counted from the first due day. */
export function extendedDueAt(firstDue: Date, timeZone: string, months: ExtensionMonths): Date {
  return endOfLocalDay(addCalendarMonths(dueDay(firstDue, timeZone), months), timeZone);
}

export type DeadlineState = {
  kind: "CORRECTION" | "ERASURE" | "RESTRICTION" | "OBJECTION";
  status: "OPEN" | "ACCEPTED" | "REJECTED" | "WITHDRAWN";
  dueAt: Date;
  extendedAt: Date | null;
};

/** Still open after its deadline. */
export function isOverdue(r: Pick<DeadlineState, "status" | "dueAt">, now: Date): boolean {
  return r.status === "OPEN" && now.getTime() >= r.dueAt.getTime();
}

/** Whether a reviewer may still extend it: open and never extended. */
export function canExtend(r: Pick<DeadlineState, "status" | "extendedAt">): boolean {
  return r.status === "OPEN" && r.extendedAt === null;
}

function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

export type Clock =
  | { state: "closed" }
  | { state: "due"; days: number; label: string }
  | { state: "overdue"; days: number; label: string };

/**
 * The clock of an open request in the viewer's zone: "due today", "due in
 * 5 days", "2 days overdue" (calendar days between the viewer's today and
 * the due day as the viewer's calendar shows it).
 */
export function deadlineClock(
  r: Pick<DeadlineState, "status" | "dueAt">,
  now: Date,
  viewerTimeZone: string,
): Clock {
  if (r.status !== "OPEN") return { state: "closed" };
  const days =
    dayNumber(dueDay(r.dueAt, viewerTimeZone)) - dayNumber(localDateKey(now, viewerTimeZone));
  if (isOverdue(r, now)) {
    const late = Math.max(0, -days);
    return {
      state: "overdue",
      days: late,
      label: late === 0 ? "overdue" : late === 1 ? "1 day overdue" : `${late} days overdue`,
    };
  }
  return {
    state: "due",
    days,
    label: days <= 0 ? "due today" : days === 1 ? "due tomorrow" : `due in ${days} days`,
  };
}

/** "Sunday 28 February 2027" — the day a request is due by the end of, in the viewer's zone. */
export function formatDueDay(dueAt: Date, viewerTimeZone: string): string {
  return formatLongDay(new Date(dueAt.getTime() - 1), viewerTimeZone);
}
