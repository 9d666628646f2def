/**
 * What happens to each event an agent uploads. Pure: the windows in force
 * (from the same pauses that drive collection-state) and `now` in, a verdict
 * per event out. An event dated inside a pause or exemption is never stored,
 * whatever the agent thought; one dated too far in the future is a clock error.
 */
import { isExempt, type ScopedInterval } from "./exemption-rules.ts";
import type { Interval } from "./pause-policy.ts";

export type EventVerdict = "store" | "paused" | "exempt" | "future";

export type WindowsByKind = {
  pause: readonly Interval[];
  /** Approved exemptions' intervals, each for all types or for some. */
  exemption: readonly ScopedInterval[];
};

function inside(at: number, intervals: readonly Interval[]): boolean {
  for (const i of intervals) if (i.start.getTime() <= at && at < i.end.getTime()) return true;
  return false;
}

export function classifyEvent(
  at: Date,
  type: string,
  windows: WindowsByKind,
  now: Date,
  futureToleranceMs: number,
): EventVerdict {
  const t = at.getTime();
  if (t > now.getTime() + futureToleranceMs) return "future";
  if (inside(t, windows.pause)) return "paused";
  if (isExempt(windows.exemption, type, at)) return "exempt";
  return "store";
}

/** The UTC hour an event counts in for the hourly rollups. */
export function hourBucket(at: Date): Date {
  const d = new Date(at.getTime());
  d.setUTCMinutes(0, 0, 0);
  return d;
}

export type RollupKey = { type: string; app: string; hour: Date };

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
