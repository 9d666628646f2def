/**
 * The time an exemption covers: the whole request, or each weekly occurrence
 * expanded in the worker's time zone (wall-clock times turned into instants
 * across DST changes), merged per scope, and whether an event falls inside.
 * Pure: the range is passed in.
 */
import type { EventType } from "#app/agent-protocol/v1.ts";
import { coversTime, effectiveEnd, type StoredExemption, type Weekday } from "./exemption.ts";
import { localDateKey, localToUtc, nextDateKey } from "./local-time.ts";
import type { Interval } from "./pause-policy.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** ISO weekday (1–7) of a calendar date "2026-11-27". */
export function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return (day === 0 ? 7 : day) as Weekday;
}

/**
 * The instant the wall clock reads `time` on `date`. Across DST: a reading the
 * clocks skip moves to the first minute that exists after it; a reading they
 * pass twice takes the earlier for a start and the later for an end, so the
 * window only ever grows (the worker's side).
 */
export function wallTimeToUtc(
  date: string,
  time: string,
  timeZone: string,
  edge: "start" | "end",
): Date {
  const prefer = edge === "start" ? "earlier" : "later";
  const direct = localToUtc(date, time, timeZone, prefer);
  if (direct.ok) return direct.instant;
  const [h, m] = time.split(":").map(Number) as [number, number];
  for (let minutes = h * 60 + m + 1; minutes < 24 * 60; minutes++) {
    const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
    const mm = String(minutes % 60).padStart(2, "0");
    const result = localToUtc(date, `${hh}:${mm}`, timeZone, prefer);
    if (result.ok) return result.instant;
  }
  throw new Error(`No instant at or after ${date} ${time} exists in ${timeZone}`);
}

/**
 * The intervals an exemption covers within [from, to): the whole request, or
 * each weekly occurrence (clipped to the request's own start and end).
 * Covers nothing unless it is or was approved.
 */
export function occurrences(exemption: StoredExemption, from: Date, to: Date): Interval[] {
  if (!coversTime(exemption.status)) return [];
  const start = exemption.startsAt;
  const end = effectiveEnd(exemption);
  const lo = Math.max(start.getTime(), from.getTime());
  const hi = Math.min(end.getTime(), to.getTime());
  if (lo >= hi) return [];
  if (!exemption.recurrence) return [{ start: new Date(lo), end: new Date(hi) }];

  const { days, startTime, endTime } = exemption.recurrence;
  const wanted = new Set<number>(days);
  const result: Interval[] = [];
  // Local days from the day before `lo` (an occurrence may start before it) to the day of `hi`.
  let date = localDateKey(new Date(lo - DAY_MS), exemption.timeZone);
  const lastDate = localDateKey(new Date(hi), exemption.timeZone);
  for (let guard = 0; guard < 800; guard++) {
    if (wanted.has(weekdayOf(date))) {
      const s = wallTimeToUtc(date, startTime, exemption.timeZone, "start").getTime();
      const e = wallTimeToUtc(date, endTime, exemption.timeZone, "end").getTime();
      const clippedStart = Math.max(s, lo);
      const clippedEnd = Math.min(e, hi);
      if (clippedStart < clippedEnd) {
        result.push({ start: new Date(clippedStart), end: new Date(clippedEnd) });
      }
    }
    if (date === lastDate) break;
    date = nextDateKey(date);
  }
  return result;
}

/** An interval that stops collection of some (or all: `types` null) event types. */
export type ScopedInterval = Interval & { types: EventType[] | null };

/** Every exempt interval of these exemptions within [from, to) (those that cover time), merged per scope. */
export function exemptIntervals(
  exemptions: readonly StoredExemption[],
  from: Date,
  to: Date,
): ScopedInterval[] {
  const scoped: ScopedInterval[] = [];
  for (const exemption of exemptions) {
    for (const interval of occurrences(exemption, from, to)) {
      scoped.push({ ...interval, types: exemption.scopeTypes });
    }
  }
  return mergeScoped(scoped);
}

function scopeKey(types: readonly EventType[] | null): string {
  return types ? [...types].sort().join(",") : "*";
}

/**
 * Overlapping or touching intervals with the same scope become one; different
 * scopes stay apart (an agent checks each against the event type).
 */
export function mergeScoped(intervals: readonly ScopedInterval[]): ScopedInterval[] {
  const byScope = new Map<string, ScopedInterval[]>();
  for (const interval of intervals) {
    if (interval.end <= interval.start) continue;
    const key = scopeKey(interval.types);
    const list = byScope.get(key) ?? [];
    list.push(interval);
    byScope.set(key, list);
  }
  const merged: ScopedInterval[] = [];
  for (const list of byScope.values()) {
    list.sort((a, b) => a.start.getTime() - b.start.getTime());
    let current: ScopedInterval | null = null;
    for (const interval of list) {
      if (current && interval.start.getTime() <= current.end.getTime()) {
        if (interval.end > current.end) current.end = interval.end;
      } else {
        current = {
          start: interval.start,
          end: interval.end,
          types: interval.types ? [...interval.types].sort() : null,
        };
        merged.push(current);
      }
    }
  }
  return merged.sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime(),
  );
}

/** Whether an event of `type` at `at` falls inside one of the exempt intervals. */
export function isExempt(intervals: readonly ScopedInterval[], type: string, at: Date): boolean {
  const t = at.getTime();
  for (const i of intervals) {
    if (i.start.getTime() <= t && t < i.end.getTime()) {
      if (i.types === null || (i.types as readonly string[]).includes(type)) return true;
    }
  }
  return false;
}
