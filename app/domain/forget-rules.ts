/**
 * The rules for "forget the last minutes" (ADR 0041), in one pure module:
 * which choices a worker is offered, and whether a forget may happen now.
 * The span always ends at `now`, the server's clock, so it can never reach
 * further back than the policy allows, whatever a client sends.
 */
import { localDateKey, nextDateKey, startOfLocalDay } from "./local-time.ts";
import { refuse, type Refused } from "./refusal.ts";

export type ForgetPolicy = {
  /** 5–60: the longest span a worker may forget at once. */
  maxForgetMinutes: number;
  /** 0–20 forgets per calendar day in the worker's time zone (0: forgetting is off). */
  maxForgetsPerDay: number;
};

export const DEFAULT_FORGET_POLICY: ForgetPolicy = { maxForgetMinutes: 30, maxForgetsPerDay: 3 };

export const FORGET_POLICY_BOUNDS = {
  maxForgetMinutes: { min: 5, max: 60 },
  maxForgetsPerDay: { min: 0, max: 20 },
} as const;

/** The spans offered as buttons, before the policy trims them. */
const STANDARD_CHOICES = [5, 15, 30, 60] as const;

/**
 * The spans a worker is offered, shortest first: the standard ones the
 * policy allows, and the policy's longest when it is not one of them.
 */
export function forgetChoices(policy: ForgetPolicy): number[] {
  const choices: number[] = STANDARD_CHOICES.filter((m) => m <= policy.maxForgetMinutes);
  if (!choices.includes(policy.maxForgetMinutes)) choices.push(policy.maxForgetMinutes);
  return choices.sort((a, b) => a - b);
}

export type ForgetSpan = { startsAt: Date; endsAt: Date; minutes: number };

/** Refused: `invalid` (the span), `daily_limit` or `forget_off`, with a sentence a worker can act on. */
export type ForgetDecision = { ok: true; span: ForgetSpan } | Refused;

/** Where the day a forget counts in starts and ends, in the worker's time zone. */
export function forgetDay(now: Date, timeZone: string): { start: Date; end: Date } {
  const key = localDateKey(now, timeZone);
  return {
    start: startOfLocalDay(key, timeZone),
    end: startOfLocalDay(nextDateKey(key), timeZone),
  };
}

/**
 * May the worker forget the last `minutes` now? `forgetsToday` counts their
 * forgets made since the start of today in their time zone (`forgetDay`).
 */
export function evaluateForget({
  policy,
  minutes,
  forgetsToday,
  now,
}: {
  policy: ForgetPolicy;
  minutes: number;
  forgetsToday: number;
  now: Date;
}): ForgetDecision {
  if (policy.maxForgetsPerDay === 0) {
    return refuse("forget_off", "Your organisation has turned off forgetting recent activity.");
  }
  if (!Number.isInteger(minutes) || minutes < 1) {
    return refuse("invalid", "Choose how many minutes to forget.", "minutes");
  }
  if (minutes > policy.maxForgetMinutes) {
    return refuse(
      "invalid",
      `You can forget at most the last ${policy.maxForgetMinutes} minutes. Nothing was deleted.`,
      "minutes",
    );
  }
  if (forgetsToday >= policy.maxForgetsPerDay) {
    const times = policy.maxForgetsPerDay === 1 ? "once" : `${policy.maxForgetsPerDay} times`;
    return refuse(
      "daily_limit",
      `You can forget recent activity ${times} a day, and you already have today. Nothing was deleted. You can pause tracking instead.`,
    );
  }
  return {
    ok: true,
    span: { startsAt: new Date(now.getTime() - minutes * 60_000), endsAt: now, minutes },
  };
}

export type ForgetInterval = { startsAt: Date; endsAt: Date };

/** True when `at` falls inside one of the forget spans ([startsAt, endsAt)). */
export function isForgotten(forgets: readonly ForgetInterval[], at: Date): boolean {
  const t = at.getTime();
  for (const f of forgets) if (f.startsAt.getTime() <= t && t < f.endsAt.getTime()) return true;
  return false;
}

/**
 * The parts of a span inside each UTC period of `periodMs` it touches (hours or days): a
 * forget's rollup adjustment is one statement per period (a span of at most 60 minutes touches
 * at most two hours, and at most two days).
 */
export function periodSegments(span: ForgetInterval, periodMs: number): ForgetInterval[] {
  const segments: ForgetInterval[] = [];
  let start = span.startsAt.getTime();
  const end = span.endsAt.getTime();
  while (start < end) {
    const next = Math.floor(start / periodMs) * periodMs + periodMs;
    const segmentEnd = Math.min(end, next);
    segments.push({ startsAt: new Date(start), endsAt: new Date(segmentEnd) });
    start = segmentEnd;
  }
  return segments;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
