import { z } from "zod";
import { EVENT_TYPES } from "#app/agent-protocol/v1.ts";

/**
 * The raw-records filters (/data/events?type=&device=&app=&from=&to=&cursor=),
 * parsed the same way in the browser and on the server. Dates are calendar
 * days in the worker's time zone; `to` is inclusive.
 */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a date as YYYY-MM-DD.")
  .optional()
  .or(z.literal("").transform(() => undefined));

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
    cursor: z.string().max(200).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    path: ["to"],
    message: "The end date must be on or after the start date.",
  });

export type EventQuery = z.infer<typeof EventQuerySchema>;

export type EventCursor = { at: Date; id: number };

/** An opaque position in the newest-first list: the last row's time and id. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`).toString("base64url");
}

export function decodeCursor(value: string | undefined): EventCursor | null {
  if (!value) return null;
  const [at, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const date = new Date(at ?? "");
  const n = Number(id);
  if (Number.isNaN(date.getTime()) || !Number.isInteger(n) || n < 0) return null;
  return { at: date, id: n };
}
