/**
 * Sign-in throttling: more than `maxFailures` failed attempts for one email
 * or one IP address within `windowMs` are refused until the oldest of them
 * leaves the window. Pure: callers pass the failure times and the clock.
 */
export const LOGIN_THROTTLE = { maxFailures: 5, windowMs: 60_000 } as const;

export type ThrottleVerdict = { blocked: false } | { blocked: true; retryAfterSeconds: number };

/** `failures` are the attempt times (ms since epoch) for one key, any order. */
export function throttleVerdict(
  failures: readonly number[],
  now: number,
  { maxFailures, windowMs }: { maxFailures: number; windowMs: number } = LOGIN_THROTTLE,
): ThrottleVerdict {
  const recent = failures.filter((t) => t > now - windowMs && t <= now).sort((a, b) => b - a);
  if (recent.length < maxFailures) return { blocked: false };
  // Unblocked once fewer than maxFailures remain in the window, i.e. when the
  // maxFailures-th most recent failure expires.
  const pivot = recent[maxFailures - 1]!;
  const retryAfterSeconds = Math.max(1, Math.ceil((pivot + windowMs - now) / 1000));
  return { blocked: true, retryAfterSeconds };
}

export function combineVerdicts(...verdicts: ThrottleVerdict[]): ThrottleVerdict {
  let worst = 0;
  for (const v of verdicts) if (v.blocked) worst = Math.max(worst, v.retryAfterSeconds);
  return worst > 0 ? { blocked: true, retryAfterSeconds: worst } : { blocked: false };
}

export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  const unit = retryAfterSeconds === 1 ? "second" : "seconds";
  return `Too many sign-in attempts. Try again in ${retryAfterSeconds} ${unit}.`;
}
