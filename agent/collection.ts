/**
 * "May the agent collect now?", answered from the last known windows and the
 * local clock alone, so the answer stays right while the agent is offline.
 * A window covers [startsAt, endsAt): collection stops at startsAt and resumes
 * at endsAt. Pure: no I/O, no Date.now(); the caller passes `now`.
 *
 * Also the worker's privacy rules (ADR 0041): spans they asked to forget and
 * applications never recorded, which decide which events may be buffered and
 * uploaded at all (`privacyCheck`, `filterPrivacy`).
 */
import { privateAppMatcher } from "../app/agent-protocol/private-apps.ts";
import type { AgentEvent, AgentState, ForgetWindow, Window } from "../app/agent-protocol/v1.ts";

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

// ── Forget windows and private applications (ADR 0041) ─────────────────────

/** Why an event is not kept although no window stops collecting: see `privacyCheck`. */
export type DropReason = "forgotten" | "private_app";

/** The two privacy rules of a state: spans the worker forgot and applications never recorded. */
export type PrivacyRules = Pick<AgentState, "forgets" | "privateApps">;

type ForgetSpan = { start: number; end: number; forget: ForgetWindow };

function toForgetSpans(forgets: readonly ForgetWindow[]): ForgetSpan[] {
  const spans: ForgetSpan[] = [];
  for (const forget of forgets) {
    const start = Date.parse(forget.startsAt);
    const end = Date.parse(forget.endsAt);
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start) continue;
    spans.push({ start, end, forget });
  }
  return spans;
}

/** The first forget window covering `at` ([startsAt, endsAt)), or null. */
export function forgetAt(forgets: readonly ForgetWindow[], at: Date): ForgetWindow | null {
  const t = at.getTime();
  return toForgetSpans(forgets).find((span) => span.start <= t && t < span.end)?.forget ?? null;
}

/** Whether `at` falls inside a span the worker asked to forget. */
export function isForgotten(forgets: readonly ForgetWindow[], at: Date): boolean {
  return forgetAt(forgets, at) !== null;
}

/**
 * A test built once per state: why an event may not be buffered or uploaded
 * (inside a forget window, or of a private application), or null to keep it.
 * Private applications are decided by `privateAppMatcher`, the rule the
 * server's ingestion uses, never by a rule of the agent's own.
 */
export function privacyCheck(
  rules: PrivacyRules,
): (event: Pick<AgentEvent, "at" | "app">) => DropReason | null {
  const spans = toForgetSpans(rules.forgets);
  const isPrivateApp = privateAppMatcher(rules.privateApps);
  return (event) => {
    const t = Date.parse(event.at);
    if (spans.some((span) => span.start <= t && t < span.end)) return "forgotten";
    if (isPrivateApp(event.app)) return "private_app";
    return null;
  };
}

export type PrivacyFiltered<E> = {
  /** The events to keep, in their original order. */
  kept: E[];
  /** Dropped because a forget window covers them. */
  forgotten: E[];
  /** Dropped because their application is private (and no forget window covers them). */
  privateApp: E[];
};

/** Splits events by `privacyCheck`: what may still be uploaded, and what must go and why. */
export function filterPrivacy<E extends Pick<AgentEvent, "at" | "app">>(
  events: readonly E[],
  rules: PrivacyRules | ((event: Pick<AgentEvent, "at" | "app">) => DropReason | null),
): PrivacyFiltered<E> {
  const check = typeof rules === "function" ? rules : privacyCheck(rules);
  const result: PrivacyFiltered<E> = { kept: [], forgotten: [], privateApp: [] };
  for (const event of events) {
    const reason = check(event);
    if (reason === "forgotten") result.forgotten.push(event);
    else if (reason === "private_app") result.privateApp.push(event);
    else result.kept.push(event);
  }
  return result;
}

/** A forget window's identity: the agent reports each one once. */
export function forgetKey(forget: ForgetWindow): string {
  return `${new Date(forget.startsAt).toISOString()}/${new Date(forget.endsAt).toISOString()}`;
}
