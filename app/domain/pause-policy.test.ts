import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { localDateKey, nextDateKey, startOfLocalDay } from "./local-time.ts";
import {
  DEFAULT_PAUSE_POLICY,
  POLICY_BOUNDS,
  decideCancel,
  decideEndEarly,
  effectiveInterval,
  evaluatePauseRequest,
  nextPauseAllowedAt,
  pauseStatus,
  type PausePolicy,
  type StoredPause,
} from "./pause-policy.ts";

const MIN = 60_000;
const BERLIN = "Europe/Berlin";
const NOW = new Date("2026-11-27T09:00:00Z"); // 10:00 in Berlin

let ids = 0;
function stored(startsAt: Date, minutes: number, extra: Partial<StoredPause> = {}): StoredPause {
  return {
    id: `p${ids++}`,
    kind: "SCHEDULED",
    startsAt,
    endsAt: new Date(startsAt.getTime() + minutes * MIN),
    endedEarlyAt: null,
    cancelledAt: null,
    ...extra,
  };
}

function at(minutesFromNow: number) {
  return new Date(NOW.getTime() + minutesFromNow * MIN);
}

function evaluate(
  request: Parameters<typeof evaluatePauseRequest>[0]["request"],
  pauses: StoredPause[] = [],
  policy: PausePolicy = DEFAULT_PAUSE_POLICY,
  timeZone = BERLIN,
) {
  return evaluatePauseRequest({ policy, pauses, request, now: NOW, timeZone });
}

describe("pause now", () => {
  test("starts now and lasts the chosen duration", () => {
    expect(evaluate({ kind: "NOW", durationMinutes: 30 })).toEqual({
      ok: true,
      pause: { kind: "NOW", startsAt: NOW, endsAt: at(30) },
    });
  });

  test("is refused while another pause is running, naming when it ends", () => {
    const decision = evaluate({ kind: "NOW", durationMinutes: 10 }, [stored(at(-5), 30)]);
    expect(decision).toEqual({
      ok: false,
      refusal: {
        code: "invalid",
        message: "You already have a pause running until 10:25.",
        issues: [
          {
            code: "running",
            field: "startsAt",
            message: "You already have a pause running until 10:25.",
          },
        ],
      },
    });
  });

  test("must wait out the gap after the previous pause", () => {
    const decision = evaluate({ kind: "NOW", durationMinutes: 10 }, [stored(at(-40), 30)]);
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.refusal.issues![0]!.message).toBe(
      "Pauses must be at least 15 minutes apart: you can pause again at 10:05.",
    );
  });

  test("after a pause ended early, the next may start a gap after the early end", () => {
    const ended = { ...stored(at(-20), 30), endedEarlyAt: at(-10) };
    expect(nextPauseAllowedAt([ended], 15, at(0))).toEqual(at(5));
    expect(nextPauseAllowedAt([ended], 15, at(6))).toBeNull();
    // While a pause runs there is no "next" time: it can be ended instead.
    expect(nextPauseAllowedAt([stored(at(-5), 30)], 15, at(0))).toBeNull();
  });

  test("property: a NOW pause is refused for the gap exactly until nextPauseAllowedAt", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -60, max: -1 }),
        fc.integer({ min: 5, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        (startMin, length, laterMin) => {
          const pauses = [stored(at(startMin), length)];
          const now = at(startMin + length + laterMin);
          const allowedAt = nextPauseAllowedAt(pauses, 15, now);
          const decision = evaluatePauseRequest({
            policy: DEFAULT_PAUSE_POLICY,
            pauses,
            request: { kind: "NOW", durationMinutes: 10 },
            now,
            timeZone: "UTC",
          });
          const gapRefused =
            !decision.ok && decision.refusal.issues!.some((i) => i.code === "min_gap");
          expect(gapRefused).toBe(allowedAt !== null);
        },
      ),
    );
  });
});

describe("duration", () => {
  test.each([4, 31, 0, -5, 12.5, Number.NaN])("%s minutes is refused", (minutes) => {
    const decision = evaluate({ kind: "NOW", durationMinutes: minutes });
    expect(decision).toEqual({
      ok: false,
      refusal: {
        code: "invalid",
        message: "A pause lasts between 5 and 30 minutes.",
        issues: [
          {
            code: "duration",
            field: "durationMinutes",
            message: "A pause lasts between 5 and 30 minutes.",
          },
        ],
      },
    });
  });

  test("follows a lowered maximum", () => {
    const policy = { ...DEFAULT_PAUSE_POLICY, maxPauseMinutes: 20 };
    expect(evaluate({ kind: "NOW", durationMinutes: 20 }, [], policy).ok).toBe(true);
    const refused = evaluate({ kind: "NOW", durationMinutes: 21 }, [], policy);
    expect(!refused.ok && refused.refusal.issues![0]!.message).toBe(
      "A pause lasts between 5 and 20 minutes.",
    );
  });

  test("never exceeds 30 minutes even if a policy says more", () => {
    const policy = { ...DEFAULT_PAUSE_POLICY, maxPauseMinutes: 45 };
    expect(evaluate({ kind: "NOW", durationMinutes: 45 }, [], policy).ok).toBe(false);
  });
});

describe("scheduling", () => {
  test("a time in the past is refused", () => {
    const decision = evaluate({ kind: "SCHEDULED", startsAt: at(-1), durationMinutes: 10 });
    expect(!decision.ok && decision.refusal.issues!.map((v) => v.code)).toEqual(["in_past"]);
  });

  test("no further ahead than the policy allows", () => {
    expect(
      evaluate({ kind: "SCHEDULED", startsAt: at(14 * 24 * 60), durationMinutes: 10 }).ok,
    ).toBe(true);
    const decision = evaluate({
      kind: "SCHEDULED",
      startsAt: at(14 * 24 * 60 + 1),
      durationMinutes: 10,
    });
    expect(!decision.ok && decision.refusal.issues![0]!.message).toBe(
      "Pauses can be scheduled at most 14 days ahead, until 10:00 on Fri 11 Dec.",
    );
  });

  test("must keep the gap before the next pause", () => {
    const decision = evaluate({ kind: "SCHEDULED", startsAt: at(60), durationMinutes: 30 }, [
      stored(at(100), 10),
    ]);
    expect(!decision.ok && decision.refusal.issues![0]!.message).toBe(
      "Pauses must be at least 15 minutes apart; your next pause starts at 11:40.",
    );
    expect(
      evaluate({ kind: "SCHEDULED", startsAt: at(55), durationMinutes: 30 }, [stored(at(100), 10)])
        .ok,
    ).toBe(true);
  });

  test("cancelled pauses do not count, ended-early pauses count until they ended", () => {
    const cancelled = stored(at(60), 30, { cancelledAt: NOW });
    expect(
      evaluate({ kind: "SCHEDULED", startsAt: at(60), durationMinutes: 30 }, [cancelled]).ok,
    ).toBe(true);
    const endedEarly = stored(at(-30), 30, { endedEarlyAt: at(-25) });
    expect(evaluate({ kind: "NOW", durationMinutes: 30 }, [endedEarly]).ok).toBe(true);
  });
});

describe("daily cap", () => {
  const policy = { ...DEFAULT_PAUSE_POLICY, maxPauseMinutesPerDay: 45 };

  test("counts the minutes already paused that local day", () => {
    const earlier = [stored(at(-120), 30)];
    const decision = evaluate({ kind: "NOW", durationMinutes: 30 }, earlier, policy);
    expect(!decision.ok && decision.refusal.issues![0]).toEqual({
      code: "daily_cap",
      field: "durationMinutes",
      message:
        "You can pause for at most 45 minutes a day; you have 15 minutes left on Fri 27 Nov.",
    });
    expect(evaluate({ kind: "NOW", durationMinutes: 15 }, earlier, policy).ok).toBe(true);
  });

  test("days are the worker's calendar days, not UTC days", () => {
    // 23:30–23:55 UTC on 26 Nov is already 27 Nov in Tokyo.
    const lateUtc = stored(new Date("2026-11-26T23:30:00Z"), 25);
    const decision = evaluatePauseRequest({
      policy,
      pauses: [lateUtc],
      request: { kind: "NOW", durationMinutes: 25 },
      now: NOW,
      timeZone: "Asia/Tokyo",
    });
    expect(decision.ok).toBe(false);
    const inLondon = evaluatePauseRequest({
      policy,
      pauses: [lateUtc],
      request: { kind: "NOW", durationMinutes: 25 },
      now: NOW,
      timeZone: "Europe/London",
    });
    expect(inLondon.ok).toBe(true);
  });
});

describe("ending early and cancelling", () => {
  test("only a running pause can be ended early", () => {
    expect(decideEndEarly(stored(at(-5), 30), NOW)).toEqual({ ok: true, at: NOW });
    expect(decideEndEarly(stored(at(5), 30), NOW).ok).toBe(false);
    expect(decideEndEarly(stored(at(-60), 30), NOW).ok).toBe(false);
  });

  test("only an upcoming pause can be cancelled", () => {
    expect(decideCancel(stored(at(5), 30), NOW)).toEqual({ ok: true, at: NOW });
    expect(decideCancel(stored(at(-5), 30), NOW)).toEqual({
      ok: false,
      refusal: {
        code: "pause_started",
        message: "This pause has already started. End it instead.",
      },
    });
    expect(decideCancel(stored(at(5), 30, { cancelledAt: NOW }), NOW).ok).toBe(false);
  });

  test("status follows the clock", () => {
    const pause = stored(at(5), 10);
    expect(pauseStatus(pause, NOW)).toBe("upcoming");
    expect(pauseStatus(pause, at(6))).toBe("running");
    expect(pauseStatus(pause, at(15))).toBe("past");
    expect(pauseStatus({ ...pause, endedEarlyAt: at(7) }, at(8))).toBe("past");
  });
});

// ---------------------------------------------------------------------------
// Property: whatever a worker does, the stored pauses keep every promise.

const ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"];

const policyArb: fc.Arbitrary<PausePolicy> = fc.record({
  maxPauseMinutes: fc.integer(POLICY_BOUNDS.maxPauseMinutes),
  minGapMinutes: fc.integer(POLICY_BOUNDS.minGapMinutes),
  maxPauseMinutesPerDay: fc.option(fc.integer({ min: 5, max: 180 }), { nil: null }),
  scheduleAheadDays: fc.integer(POLICY_BOUNDS.scheduleAheadDays),
});

type Op =
  | { op: "advance"; minutes: number }
  | { op: "now"; duration: number }
  | { op: "schedule"; inMinutes: number; duration: number }
  | { op: "end"; pick: number }
  | { op: "cancel"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("advance" as const), minutes: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ op: fc.constant("now" as const), duration: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    op: fc.constant("schedule" as const),
    inMinutes: fc.integer({ min: -60, max: 100 * 24 * 60 }),
    duration: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ op: fc.constant("end" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("cancel" as const), pick: fc.nat() }),
);

// Starts spread over 2026, including both DST transitions of each zone.
const startArb = fc
  .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) })
  .map((ms) => new Date(Math.floor(ms / MIN) * MIN));

describe("property: stored pauses", () => {
  test("never exceed the maximum, never overlap, keep the gap and the daily cap, never start too far ahead", () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.constantFrom(...ZONES),
        startArb,
        fc.array(opArb, { maxLength: 40 }),
        (policy, timeZone, start, ops) => {
          let now = start;
          const pauses: (StoredPause & { createdAt: Date })[] = [];
          for (const op of ops) {
            if (op.op === "advance") {
              now = new Date(now.getTime() + op.minutes * MIN);
            } else if (op.op === "now" || op.op === "schedule") {
              const request =
                op.op === "now"
                  ? ({ kind: "NOW", durationMinutes: op.duration } as const)
                  : ({
                      kind: "SCHEDULED",
                      startsAt: new Date(now.getTime() + op.inMinutes * MIN),
                      durationMinutes: op.duration,
                    } as const);
              const decision = evaluatePauseRequest({ policy, pauses, request, now, timeZone });
              if (decision.ok)
                pauses.push({
                  id: `p${pauses.length}`,
                  endedEarlyAt: null,
                  cancelledAt: null,
                  createdAt: now,
                  ...decision.pause,
                });
            } else if (pauses.length > 0) {
              const target = pauses[op.pick % pauses.length]!;
              const decision =
                op.op === "end" ? decideEndEarly(target, now) : decideCancel(target, now);
              if (decision.ok) {
                if (op.op === "end") target.endedEarlyAt = decision.at;
                else target.cancelledAt = decision.at;
              }
            }
          }

          for (const p of pauses) {
            const minutes = (p.endsAt.getTime() - p.startsAt.getTime()) / MIN;
            expect(minutes).toBeLessThanOrEqual(policy.maxPauseMinutes);
            expect(minutes).toBeGreaterThanOrEqual(5);
            expect(p.startsAt.getTime()).toBeGreaterThanOrEqual(p.createdAt.getTime());
            expect(p.startsAt.getTime()).toBeLessThanOrEqual(
              p.createdAt.getTime() + policy.scheduleAheadDays * 24 * 60 * MIN,
            );
          }
          const intervals = pauses
            .map(effectiveInterval)
            .filter((i) => i !== null)
            .sort((a, b) => a.start.getTime() - b.start.getTime());
          for (let i = 1; i < intervals.length; i++) {
            const gap = intervals[i]!.start.getTime() - intervals[i - 1]!.end.getTime();
            expect(gap).toBeGreaterThanOrEqual(policy.minGapMinutes * MIN);
          }
          if (policy.maxPauseMinutesPerDay !== null) {
            const days = new Set(
              intervals.flatMap((i) => [
                localDateKey(i.start, timeZone),
                localDateKey(i.end, timeZone),
              ]),
            );
            for (const key of days) {
              const day = {
                start: startOfLocalDay(key, timeZone),
                end: startOfLocalDay(nextDateKey(key), timeZone),
              };
              const used = intervals.reduce(
                (sum, i) =>
                  sum +
                  Math.max(
                    0,
                    Math.min(i.end.getTime(), day.end.getTime()) -
                      Math.max(i.start.getTime(), day.start.getTime()),
                  ),
                0,
              );
              expect(used).toBeLessThanOrEqual(policy.maxPauseMinutesPerDay * MIN);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
