import { z } from "zod";
import { calendarDate, isCalendarDate } from "./calendar-date.ts";
import { EVENT_TYPES } from "#app/agent-protocol/v1.ts";

/**
 * The raw-records filters (/data/events?type=&device=&app=&from=&to=&cursor=|newer=),
 * parsed the same way in the browser and on the server. Dates are calendar
 * days in the worker's time zone; `to` is inclusive.
 */
const day = calendarDate("Enter a date as YYYY-MM-DD.")
  .optional()
  .or(z.literal("").transform(() => undefined));

/**
 * The largest record number there can be: `Event.id` is a 32-bit integer in
 * the schema, and Prisma refuses a larger value with an error, so a number
 * from a client is checked against this before any query (never a 500).
 */
export const MAX_EVENT_ID = 2_147_483_647;

/** A record number from a URL or a form: a whole number from 1 to MAX_EVENT_ID, or null. */
export function parseEventId(value: string | undefined): number | null {
  if (!value || !/^\d+$/.test(value)) return null;
  const id = Number(value);
  return id > 0 && id <= MAX_EVENT_ID ? id : null;
}

const BROKEN_LINK = "This page link is broken. Start again from the first page.";

/** A position from a paging link; one that is not ours is refused, never queried. */
const pagePosition = z
  .string()
  .max(200)
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const cursor = decodeCursor(value);
    if (!cursor) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: BROKEN_LINK });
      return z.NEVER;
    }
    return cursor;
  });

export const EventQuerySchema = z
  .object({
    type: z
      .enum(EVENT_TYPES)
      .optional()
      .or(z.literal("").transform(() => undefined)),
    device: z
      .string()
      .max(64)
      .optional()
      .or(z.literal("").transform(() => undefined)),
    app: z
      .string()
      .trim()
      .max(200)
      .optional()
      .or(z.literal("").transform(() => undefined)),
    from: day,
    to: day,
    /** An opaque position from an "Older" link: the page of events before it. */
    cursor: pagePosition,
    /** An opaque position from a "Newer" link: the page of events after it. */
    newer: pagePosition,
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    path: ["to"],
    message: "The end date must be on or after the start date.",
  })
  .refine((q) => !(q.cursor && q.newer), { path: ["cursor"], message: BROKEN_LINK });

export type EventQuery = z.infer<typeof EventQuerySchema>;

export type EventCursor = { at: Date; id: number };

/** An opaque position in the newest-first list: the last row's time and id. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`).toString("base64url");
}

/** What `encodeCursor` writes: a UTC time to the millisecond and a row id. */
const CURSOR = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}\.\d{3}Z\|(\d{1,15})$/;

/** The position `encodeCursor` wrote, or null for anything else (a crafted or damaged link). */
export function decodeCursor(value: string | undefined): EventCursor | null {
  if (!value || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  const text = Buffer.from(value, "base64url").toString("utf8");
  const match = CURSOR.exec(text);
  if (!match || !isCalendarDate(match[1]!)) return null;
  const at = new Date(text.slice(0, text.indexOf("|")));
  if (Number.isNaN(at.getTime())) return null;
  const id = Number(match[2]);
  return id <= MAX_EVENT_ID ? { at, id } : null;
}

const HOUR_MS = 60 * 60 * 1000;

export type TimeSpan = { from?: Date; to?: Date };

/**
 * A range cut where hourly rollups can count it: `hours` is the part made of
 * whole UTC hours (open ends stay open), `edges` the at most two partial hours
 * at its ends (a local midnight at :30 or :45 past a UTC hour), to be counted
 * event by event. Together they cover the range exactly, without overlap.
 */
export function splitByWholeHours(span: TimeSpan): {
  hours: TimeSpan | null;
  edges: Required<TimeSpan>[];
} {
  const { from, to } = span;
  const hoursFrom = from ? new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS) : undefined;
  const hoursTo = to ? new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS) : undefined;
  if (from && to && from >= to) return { hours: null, edges: [] };
  // Inside one UTC hour: the span is its own (only) edge.
  if (from && to && hoursFrom! > hoursTo!) return { hours: null, edges: [{ from, to }] };
  const edges: Required<TimeSpan>[] = [];
  if (from && hoursFrom! > from) edges.push({ from, to: hoursFrom! });
  if (to && hoursTo! < to) edges.push({ from: hoursTo!, to });
  // Across one hour's start and no whole hour: two partial hours, nothing for the rollups.
  const noWholeHour = from && to && hoursFrom!.getTime() === hoursTo!.getTime();
  return { hours: noWholeHour ? null : { from: hoursFrom, to: hoursTo }, edges };
}
