import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  Backoff,
  DEFAULT_BACKOFF,
  fullJitterDelayMs,
  MAX_RETRY_AFTER_MS,
  parseRetryAfterMs,
  retryDelayMs,
} from "./backoff.ts";

const randomUnit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("full jitter", () => {
  test("every delay lies in [0, min(cap, base·2^attempt))", () => {
    fc.assert(
      fc.property(fc.nat(100), randomUnit, (attempt, r) => {
        const delay = fullJitterDelayMs(attempt, DEFAULT_BACKOFF, () => r);
        const ceiling = Math.min(30_000, 500 * 2 ** attempt);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }),
    );
  });

  test("the ceiling doubles from 500 ms and stops at 30 s", () => {
    const almostOne = () => 0.999_999;
    expect(fullJitterDelayMs(0, DEFAULT_BACKOFF, almostOne)).toBe(499);
    expect(fullJitterDelayMs(1, DEFAULT_BACKOFF, almostOne)).toBe(999);
    expect(fullJitterDelayMs(5, DEFAULT_BACKOFF, almostOne)).toBe(15_999);
    expect(fullJitterDelayMs(6, DEFAULT_BACKOFF, almostOne)).toBe(29_999);
    expect(fullJitterDelayMs(10_000, DEFAULT_BACKOFF, almostOne)).toBe(29_999);
  });

  test("the whole range is used: a random of 0 waits 0 ms", () => {
    expect(fullJitterDelayMs(7, DEFAULT_BACKOFF, () => 0)).toBe(0);
  });
});

describe("Retry-After", () => {
  test("with Retry-After the delay is the longer of it and the jittered delay", () => {
    fc.assert(
      fc.property(
        fc.nat(50),
        fc.nat(MAX_RETRY_AFTER_MS),
        randomUnit,
        (attempt, retryAfterMs, r) => {
          const delay = retryDelayMs({ attempt, retryAfterMs, random: () => r });
          const jitter = fullJitterDelayMs(attempt, DEFAULT_BACKOFF, () => r);
          expect(delay).toBeGreaterThanOrEqual(retryAfterMs);
          expect(delay).toBe(Math.max(retryAfterMs, jitter));
        },
      ),
    );
  });

  test("Retry-After wins over a shorter jittered delay, and a longer jittered delay wins over it", () => {
    expect(retryDelayMs({ attempt: 20, retryAfterMs: 7000, random: () => 0 })).toBe(7000);
    expect(retryDelayMs({ attempt: 20, retryAfterMs: 1000, random: () => 0.5 })).toBe(15_000);
  });

  test("an absurd Retry-After is capped at one hour", () => {
    expect(retryDelayMs({ attempt: 0, retryAfterMs: 10 ** 12, random: () => 0 })).toBe(
      MAX_RETRY_AFTER_MS,
    );
  });

  test("reads delay-seconds and HTTP dates", () => {
    const now = new Date("2026-11-27T09:00:00Z");
    expect(parseRetryAfterMs("120", now)).toBe(120_000);
    expect(parseRetryAfterMs(" 0 ", now)).toBe(0);
    expect(parseRetryAfterMs("Fri, 27 Nov 2026 09:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfterMs("Fri, 27 Nov 2026 08:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs("-5", now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });
});

describe("Backoff counter", () => {
  test("grows with each failure and starts over after reset", () => {
    const backoff = new Backoff(DEFAULT_BACKOFF, () => 0.999_999);
    expect(backoff.nextDelayMs()).toBe(499);
    expect(backoff.nextDelayMs()).toBe(999);
    expect(backoff.nextDelayMs()).toBe(1999);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(499);
  });

  test("a Retry-After is honoured and still counts as a failure", () => {
    const backoff = new Backoff(DEFAULT_BACKOFF, () => 0);
    expect(backoff.nextDelayMs(7000)).toBe(7000);
    expect(backoff.failures).toBe(1);
  });
});
