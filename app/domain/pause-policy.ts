/**
 * The rules for tracking pauses, in one pure module: routes call it, nothing
 * else decides. It takes the policy, the worker's existing pauses and the
 * request, and returns either the pause to store or the rules it breaks,
 * each with a sentence a worker can act on. No I/O, no clock: `now` is passed in.
 */
import { formatDay, formatTime, localDateKey, nextDateKey, startOfLocalDay } from "./local-time.ts";
import { refuse, refuseAll, type Refused } from "./refusal.ts";

export const MIN_PAUSE_MINUTES = 5;
/** The promise made to workers: no pause is ever longer than this, whatever the policy says. */
export const ABSOLUTE_MAX_PAUSE_MINUTES = 30;

export type PausePolicy = {
  maxPauseMinutes: number;
  minGapMinutes: number;
  /** null: no daily cap. */
  maxPauseMinutesPerDay: number | null;
  scheduleAheadDays: number;
};

export const DEFAULT_PAUSE_POLICY: PausePolicy = {
  maxPauseMinutes: 30,
  minGapMinutes: 15,
  maxPauseMinutesPerDay: null,
  scheduleAheadDays: 14,
};

/** What an admin may set each policy field to. */
export const POLICY_BOUNDS = {
  maxPauseMinutes: { min: MIN_PAUSE_MINUTES, max: ABSOLUTE_MAX_PAUSE_MINUTES },
  minGapMinutes: { min: 5, max: 240 },
  maxPauseMinutesPerDay: { min: MIN_PAUSE_MINUTES, max: 24 * 60 },
  scheduleAheadDays: { min: 1, max: 90 },
} as const;

export type PauseKind = "NOW" | "SCHEDULED";

export type StoredPause = {
  id: string;
  kind: PauseKind;
  startsAt: Date;
  endsAt: Date;
  endedEarlyAt: Date | null;
  cancelledAt: Date | null;
};

export type PauseRequest =
  | { kind: "NOW"; durationMinutes: number }
  | { kind: "SCHEDULED"; startsAt: Date; durationMinutes: number };

export type PauseRule =
  "duration" | "running" | "in_past" | "too_far_ahead" | "min_gap" | "daily_cap";

/** One broken rule: an issue of the `invalid` refusal, its code the rule. */
export type PauseViolation = {
  code: PauseRule;
  field: "durationMinutes" | "startsAt";
  message: string;
};

/** Refused: `invalid`, with every broken rule as an issue. */
export type PauseDecision =
  { ok: true; pause: { kind: PauseKind; startsAt: Date; endsAt: Date } } | Refused;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export type Interval = { start: Date; end: Date };

/** The time a pause actually covers: nothing if cancelled, up to the early end if ended early. */
export function effectiveInterval(pause: StoredPause): Interval | null {
  if (pause.cancelledAt) return null;
  const end =
    pause.endedEarlyAt && pause.endedEarlyAt < pause.endsAt ? pause.endedEarlyAt : pause.endsAt;
  if (end <= pause.startsAt) return null;
  return { start: pause.startsAt, end };
}

export type PauseStatus = "running" | "upcoming" | "past" | "cancelled";

export function pauseStatus(pause: StoredPause, now: Date): PauseStatus {
  if (pause.cancelledAt) return "cancelled";
  const interval = effectiveInterval(pause);
  if (!interval || interval.end <= now) return "past";
  if (interval.start > now) return "upcoming";
  return "running";
}

/** "10:30" when on the same local day as `now`, else "10:30 on Sat 28 Nov". */
function describeInstant(instant: Date, now: Date, timeZone: string): string {
  const time = formatTime(instant, timeZone);
  return localDateKey(instant, timeZone) === localDateKey(now, timeZone)
    ? time
    : `${time} on ${formatDay(instant, timeZone)}`;
}

function minutesLabel(minutes: number): string {
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

function overlapMs(a: Interval, b: Interval): number {
  return Math.max(
    0,
    Math.min(a.end.getTime(), b.end.getTime()) - Math.max(a.start.getTime(), b.start.getTime()),
  );
}

/** The local calendar days (worker's zone) that `interval` touches, with their bounds. */
function localDaysOf(interval: Interval, timeZone: string): { key: string; day: Interval }[] {
  const days: { key: string; day: Interval }[] = [];
  let key = localDateKey(interval.start, timeZone);
  for (let guard = 0; guard < 400; guard++) {
    const start = startOfLocalDay(key, timeZone);
    const next = nextDateKey(key);
    const end = startOfLocalDay(next, timeZone);
    days.push({ key, day: { start, end } });
    if (end >= interval.end) break;
    key = next;
  }
  return days;
}

/**
 * Decides whether `request` may become a pause. Every rule is checked and
 * every broken one reported, so a form can show them all at once.
 */
export function evaluatePauseRequest({
  policy,
  pauses,
  request,
  now,
  timeZone,
}: {
  policy: PausePolicy;
  pauses: readonly StoredPause[];
  request: PauseRequest;
  now: Date;
  timeZone: string;
}): PauseDecision {
  const violations: PauseViolation[] = [];
  const maxMinutes = Math.min(policy.maxPauseMinutes, ABSOLUTE_MAX_PAUSE_MINUTES);
  const duration = request.durationMinutes;

  if (!Number.isInteger(duration) || duration < MIN_PAUSE_MINUTES || duration > maxMinutes) {
    violations.push({
      field: "durationMinutes",
      code: "duration",
      message: `A pause lasts between ${MIN_PAUSE_MINUTES} and ${maxMinutes} minutes.`,
    });
  }

  const startsAt = request.kind === "NOW" ? now : request.startsAt;
  if (request.kind === "SCHEDULED") {
    if (startsAt <= now) {
      violations.push({
        field: "startsAt",
        code: "in_past",
        message: "That time has already passed. Choose a time in the future.",
      });
    } else if (startsAt.getTime() > now.getTime() + policy.scheduleAheadDays * DAY_MS) {
      const limit = new Date(now.getTime() + policy.scheduleAheadDays * DAY_MS);
      violations.push({
        field: "startsAt",
        code: "too_far_ahead",
        message: `Pauses can be scheduled at most ${policy.scheduleAheadDays} days ahead, until ${describeInstant(limit, now, timeZone)}.`,
      });
    }
  }

  // The remaining rules need a well-formed interval; without one, the duration error says enough.
  if (violations.some((v) => v.code === "duration")) return refuseAll("invalid", violations);
  const wanted: Interval = {
    start: startsAt,
    end: new Date(startsAt.getTime() + duration * MINUTE_MS),
  };
  const existing = pauses
    .map(effectiveInterval)
    .filter((i): i is Interval => i !== null)
    .sort((a, b) => a.start.getTime() - b.start.getTime());

  const gapMs = policy.minGapMinutes * MINUTE_MS;
  const running = existing.find((i) => i.start <= now && now < i.end);
  if (request.kind === "NOW" && running) {
    violations.push({
      field: "startsAt",
      code: "running",
      message: `You already have a pause running until ${describeInstant(running.end, now, timeZone)}.`,
    });
  } else {
    const conflict = existing.find(
      (i) =>
        wanted.start.getTime() < i.end.getTime() + gapMs &&
        i.start.getTime() < wanted.end.getTime() + gapMs,
    );
    if (conflict) {
      const before = conflict.start <= wanted.start;
      violations.push({
        field: "startsAt",
        code: "min_gap",
        message: before
          ? request.kind === "NOW"
            ? `Pauses must be at least ${minutesLabel(policy.minGapMinutes)} apart: you can pause again at ${describeInstant(new Date(conflict.end.getTime() + gapMs), now, timeZone)}.`
            : `Pauses must be at least ${minutesLabel(policy.minGapMinutes)} apart: your previous pause ends at ${describeInstant(conflict.end, now, timeZone)}, so this one can start at ${describeInstant(new Date(conflict.end.getTime() + gapMs), now, timeZone)} at the earliest.`
          : `Pauses must be at least ${minutesLabel(policy.minGapMinutes)} apart; your next pause starts at ${describeInstant(conflict.start, now, timeZone)}.`,
      });
    }
  }

  if (policy.maxPauseMinutesPerDay !== null) {
    const cap = policy.maxPauseMinutesPerDay;
    for (const { day } of localDaysOf(wanted, timeZone)) {
      const usedMs = existing.reduce((sum, i) => sum + overlapMs(i, day), 0);
      const wantedMs = overlapMs(wanted, day);
      if (usedMs + wantedMs > cap * MINUTE_MS) {
        const left = Math.max(0, Math.floor((cap * MINUTE_MS - usedMs) / MINUTE_MS));
        violations.push({
          field: "durationMinutes",
          code: "daily_cap",
          message: `You can pause for at most ${minutesLabel(cap)} a day; you have ${minutesLabel(left)} left on ${formatDay(day.start, timeZone)}.`,
        });
        break;
      }
    }
  }

  if (violations.length > 0) return refuseAll("invalid", violations);
  return { ok: true, pause: { kind: request.kind, startsAt: wanted.start, endsAt: wanted.end } };
}

/** Refused: `pause_not_running`, `pause_started` or `pause_over`. */
export type PauseChangeDecision = { ok: true; at: Date } | Refused;

/** Ending early applies only to a running pause; it ends now. */
export function decideEndEarly(pause: StoredPause, now: Date): PauseChangeDecision {
  if (pauseStatus(pause, now) !== "running") {
    return refuse("pause_not_running", "This pause is not running, so there is nothing to end.");
  }
  return { ok: true, at: now };
}

/** Cancelling applies only to a pause that has not started yet. */
export function decideCancel(pause: StoredPause, now: Date): PauseChangeDecision {
  const status = pauseStatus(pause, now);
  if (status === "running") {
    return refuse("pause_started", "This pause has already started. End it instead.");
  }
  if (status !== "upcoming") {
    return refuse("pause_over", "This pause is over or already cancelled.");
  }
  return { ok: true, at: now };
}

/**
 * When a pause may next be started, if the gap after the latest pause (ended
 * early or not) still runs at `now`; null when one may start now (or when a
 * pause is running: then the page offers "End pause now" instead).
 */
export function nextPauseAllowedAt(
  pauses: readonly StoredPause[],
  minGapMinutes: number,
  now: Date,
): Date | null {
  let latest = 0;
  for (const pause of pauses) {
    const interval = effectiveInterval(pause);
    if (!interval || interval.start > now) continue;
    if (interval.end > now) return null;
    latest = Math.max(latest, interval.end.getTime() + minGapMinutes * MINUTE_MS);
  }
  return latest > now.getTime() ? new Date(latest) : null;
}
