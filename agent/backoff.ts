/**
 * How long to wait before trying again: exponential backoff with full jitter
 * (sleep = random(0, min(cap, base · 2^attempt))), or the server's
 * `Retry-After` when that is longer. Jitter spreads thousands of
 * agents that lost the server at the same moment, so they do not all come
 * back at the same moment.
 */

export type BackoffPolicy = { baseMs: number; capMs: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

/** A longer Retry-After is read as this: a typo on the server must not park agents for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Full jitter: a uniformly random wait in [0, min(cap, base · 2^attempt)). */
export function fullJitterDelayMs(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before the next try: the full-jitter delay, or the server's
 * Retry-After when that is longer (never shorter than the server asked).
 */
export function retryDelayMs({
  attempt,
  retryAfterMs,
  policy = DEFAULT_BACKOFF,
  random = Math.random,
}: {
  attempt: number;
  retryAfterMs?: number | undefined;
  policy?: BackoffPolicy;
  random?: () => number;
}): number {
  const jitter = fullJitterDelayMs(attempt, policy, random);
  if (retryAfterMs === undefined) return jitter;
  return Math.max(jitter, Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS));
}

/**
 * Reads a `Retry-After` header: delay-seconds ("120") or an HTTP date.
 * Returns milliseconds from `now`, or undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its month ("Fri, 27 Nov 2026 09:00:30 GMT"); Date.parse alone would read "-5" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

/** Counts consecutive failures; `reset()` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  get failures(): number {
    return this.attempt;
  }

  nextDelayMs(retryAfterMs?: number): number {
    const delay = retryDelayMs({
      attempt: this.attempt,
      retryAfterMs,
      policy: this.policy,
      random: this.random,
    });
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Waits `ms`, or less if `signal` aborts first. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * Sleeps that can be cut short from elsewhere: when one loop reaches the
 * server again, `wakeAll()` ends the other loops' backoff at once instead of
 * leaving them to sit out up to 30 s more.
 */
export class WakeableSleeps {
  private readonly sleepers = new Set<() => void>();

  /** A wait the server asked for (Retry-After) is not cut short: pass `wakeable: false`. */
  sleep(ms: number, signal?: AbortSignal, wakeable = true): Promise<void> {
    if (!wakeable) return sleep(ms, signal);
    const woken = new AbortController();
    const wake = () => woken.abort();
    this.sleepers.add(wake);
    const signals = signal ? [signal, woken.signal] : [woken.signal];
    return sleep(ms, AbortSignal.any(signals)).finally(() => this.sleepers.delete(wake));
  }

  wakeAll(): void {
    for (const wake of this.sleepers) wake();
  }
}
