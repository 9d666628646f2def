/**
 * "May the agent collect now?", answered from the last known windows and the
 * local clock alone, so the answer stays right while the agent is offline.
 * A window covers [startsAt, endsAt): collection stops at startsAt and resumes
 * at endsAt. Pure: no I/O, no Date.now(); the caller passes `now`.
 */
import type { AgentState, Window } from "../app/agent-protocol/v1.ts";

type Interval = { start: number; end: number; window: Window };

/**
 * Readable, non-empty windows that stop all collection, as millisecond
 * intervals in start order. Windows scoped to some event types do not stop
 * the agent; they filter those types (see mayCollectType).
 */
function toIntervals(windows: readonly Window[]): Interval[] {
  const intervals: Interval[] = [];
  for (const window of windows) {
    if (window.scope !== "all") continue;
    const start = Date.parse(window.startsAt);
    const end = Date.parse(window.endsAt);
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start) continue;
    intervals.push({ start, end, window });
  }
  return intervals.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The window in force at `now` (the one ending last, if several overlap), or null. */
export function windowAt(windows: readonly Window[], now: Date): Window | null {
  const t = now.getTime();
  let found: Interval | null = null;
  for (const interval of toIntervals(windows)) {
    if (interval.start <= t && t < interval.end && (!found || interval.end > found.end)) {
      found = interval;
    }
  }
  return found?.window ?? null;
}

export function isCollecting(windows: readonly Window[], now: Date): boolean {
  return windowAt(windows, now) === null;
}

/**
 * The next instant at which isCollecting changes value: the start of the next
 * window when collecting, or the end of the current run of overlapping or
 * touching windows when paused. Null when nothing is scheduled to change.
 */
export function nextTransition(windows: readonly Window[], now: Date): Date | null {
  const t = now.getTime();
  const intervals = toIntervals(windows);
  if (isCollecting(windows, now)) {
    const next = intervals.find((interval) => interval.start > t);
    return next ? new Date(next.start) : null;
  }
  let resumeAt = t;
  for (const interval of intervals) {
    if (interval.start > resumeAt) break;
    if (interval.end > resumeAt && interval.start <= resumeAt) resumeAt = interval.end;
  }
  return new Date(resumeAt);
}

/**
 * The server said "not collecting" at its serverTime although no window
 * covers that instant: a rule the agent does not know about. The agent errs
 * on the worker's side and holds off until a newer state says otherwise.
 */
export function heldByServer(
  state: Pick<AgentState, "collecting" | "serverTime" | "windows">,
): boolean {
  return !state.collecting && isCollecting(state.windows, new Date(state.serverTime));
}

/** The agent's verdict: no window covers `now` and the server is not holding collection off. */
export function mayCollect(
  state: Pick<AgentState, "collecting" | "serverTime" | "windows">,
  now: Date,
): boolean {
  return !heldByServer(state) && isCollecting(state.windows, now);
}

/** Whether a window scoped to some event types stops `type` at `now`. */
export function typeStoppedAt(windows: readonly Window[], type: string, now: Date): boolean {
  const t = now.getTime();
  return windows.some(
    (w) =>
      w.scope !== "all" &&
      (w.scope as readonly string[]).includes(type) &&
      Date.parse(w.startsAt) <= t &&
      t < Date.parse(w.endsAt),
  );
}

/** mayCollect, for one event type: narrower exemptions stop only the types they name. */
export function mayCollectType(
  state: Pick<AgentState, "collecting" | "serverTime" | "windows">,
  type: string,
  now: Date,
): boolean {
  return mayCollect(state, now) && !typeStoppedAt(state.windows, type, now);
}
