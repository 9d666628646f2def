/**
 * Request budgets, per key (device, address, account), as rate-limiter-flexible
 * limiters (ADR 0036): in this process's memory on SQLite, where one process
 * serves every request; in the database on PostgreSQL, so a budget holds
 * across every node behind the load balancer (one atomic upsert per counted
 * request, in the `lull_rate_limits` table made by the PostgreSQL
 * migrations). A restart of a SQLite server forgets the counts, which no
 * attacker can cause.
 */
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { postgresPool } from "./db.server.ts";

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter = {
  /** Whether `key` is over the limit now, without counting this look. */
  check(key: string): Promise<RateVerdict>;
  /** Counts one hit for `key`; refused when that goes over the limit. */
  hit(key: string): Promise<RateVerdict>;
  /** Forgets `key`'s hits (a right answer clears an account's failed attempts). */
  clear(key: string): Promise<void>;
};

export const RATE_LIMIT_TABLE = "lull_rate_limits";

function retryAfter(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/**
 * A budget of `limit` hits per `windowMs` for each key. `name` keeps budgets apart in the
 * shared table; the store is chosen on first use.
 */
export function createRateLimiter({
  name,
  limit,
  windowMs,
}: {
  name: string;
  limit: number;
  windowMs: number;
}): RateLimiter {
  let store: RateLimiterAbstract | undefined;
  const limiter = (): RateLimiterAbstract => {
    if (store) return store;
    const options = { keyPrefix: name, points: limit, duration: Math.ceil(windowMs / 1000) };
    const pool = postgresPool();
    store = pool
      ? new RateLimiterPostgres({
          ...options,
          storeClient: pool,
          storeType: "pool",
          tableName: RATE_LIMIT_TABLE,
          tableCreated: true,
          clearExpiredByTimeout: true,
        })
      : new RateLimiterMemory(options);
    return store;
  };
  return {
    async check(key) {
      const res = await limiter().get(key);
      if (!res || res.consumedPoints < limit) return { allowed: true };
      return { allowed: false, retryAfterSeconds: retryAfter(res.msBeforeNext) };
    },
    async hit(key) {
      try {
        await limiter().consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { allowed: false, retryAfterSeconds: retryAfter(rejection.msBeforeNext) };
      }
    },
    async clear(key) {
      await limiter().delete(key);
    },
  };
}
