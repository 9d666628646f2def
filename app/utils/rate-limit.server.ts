/**
 * A sliding-window request limiter kept in memory: per key (device, IP),
 * at most `limit` hits per `windowMs`. For agent traffic, where a restart
 * forgetting the window is harmless; sign-in throttling lives in the database.
 */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function createRateLimiter({ limit, windowMs }: { limit: number; windowMs: number }) {
  const hits = new Map<string, number[]>();
  let lastSweep = 0;

  function sweep(now: number) {
    if (now - lastSweep < windowMs) return;
    lastSweep = now;
    for (const [key, times] of hits) {
      if (times.length === 0 || times[times.length - 1]! <= now - windowMs) hits.delete(key);
    }
  }

  function recent(key: string, now: number): number[] {
    return (hits.get(key) ?? []).filter((t) => t > now - windowMs);
  }

  return {
    /** Whether `key` is over the limit now, without counting this look. */
    check(key: string, now = Date.now()): RateVerdict {
      const times = recent(key, now);
      if (times.length < limit) return { allowed: true };
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000)),
      };
    },
    /** Counts one hit for `key`, unless it is already over the limit. */
    hit(key: string, now = Date.now()): RateVerdict {
      sweep(now);
      const times = recent(key, now);
      if (times.length >= limit) {
        hits.set(key, times);
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000)),
        };
      }
      times.push(now);
      hits.set(key, times);
      return { allowed: true };
    },
  };
}
