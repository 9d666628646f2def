/**
 * What happens to each event an agent uploads. Pure: the worker's collection
 * windows (from `collectionWindows`, the same that drive the agents' state)
 * and `now` in, a verdict per event out. An event is stored only when
 * `decideEvent` keeps it (no pause, exemption, forgotten span or private
 * application covers it, and the gate is open); one dated too far in the
 * future is a clock error.
 */
import { decideEvent, type CollectionWindows } from "./collection-state.ts";

export type EventVerdict =
  "store" | "paused" | "exempt" | "forgotten" | "private_app" | "unacknowledged" | "future";

export function classifyEvent(
  event: { at: Date; type: string; app: string },
  windows: CollectionWindows,
  now: Date,
  futureToleranceMs: number,
): EventVerdict {
  if (event.at.getTime() > now.getTime() + futureToleranceMs) return "future";
  const decision = decideEvent(windows, event.at, event.type, event.app);
  switch (decision) {
    case "keep":
      return "store";
    case "acknowledgement_required":
      return "unacknowledged";
    default:
      return decision;
  }
}

/**
 * An event dated more than this before its device was enrolled cannot have
 * been recorded by that agent: the batch is refused (a clock set years back,
 * or a crafted time that would make every later export walk decades).
 */
export const EARLIEST_BEFORE_ENROLLMENT_MS = 24 * 60 * 60 * 1000;

/** The first event dated too long before the device's enrollment, if any. */
export function firstEventBeforeEnrollment(
  events: readonly { at: string }[],
  enrolledAt: Date,
): { index: number; at: string } | null {
  const earliest = enrolledAt.getTime() - EARLIEST_BEFORE_ENROLLMENT_MS;
  const index = events.findIndex((e) => new Date(e.at).getTime() < earliest);
  return index === -1 ? null : { index, at: events[index]!.at };
}

/** The UTC hour an event counts in for the hourly rollups. */
export function hourBucket(at: Date): Date {
  const d = new Date(at.getTime());
  d.setUTCMinutes(0, 0, 0);
  return d;
}

export type RollupKey = { type: string; app: string; hour: Date };

/** The UTC day an event counts in for the daily rollups (ADR 0030). */
export function dayBucket(at: Date): Date {
  const d = new Date(at.getTime());
  d.setUTCHours(0, 0, 0, 0);
  return d;
}

/** Counts per (type, app, hour) of the events to store. */
export function rollupCounts(events: readonly { type: string; app: string; at: Date }[]) {
  const counts = new Map<string, RollupKey & { count: number }>();
  for (const e of events) {
    const hour = hourBucket(e.at);
    const key = `${e.type}\u0000${e.app}\u0000${hour.getTime()}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { type: e.type, app: e.app, hour, count: 1 });
  }
  return [...counts.values()];
}

export type DailyRollupKey = { type: string; app: string; day: Date };

/** The hourly counts summed per (type, app, UTC day): the daily rollups' increments. */
export function dailyRollupCounts(hourly: readonly (RollupKey & { count: number })[]) {
  const counts = new Map<string, DailyRollupKey & { count: number }>();
  for (const r of hourly) {
    const day = dayBucket(r.hour);
    const key = `${r.type}\u0000${r.app}\u0000${day.getTime()}`;
    const entry = counts.get(key);
    if (entry) entry.count += r.count;
    else counts.set(key, { type: r.type, app: r.app, day, count: r.count });
  }
  return [...counts.values()];
}
