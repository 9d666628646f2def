import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { computeCollectionState } from "./collection-state.ts";
import type { StoredExemption, Weekday } from "./exemption.ts";
import { exemptIntervals, isExempt, mergeScoped, occurrences } from "./exemption-windows.ts";
import { localDateKey, localTimeKey } from "./local-time.ts";
import type { StoredPause } from "./pause-policy.ts";

const H = 3_600_000;
const D = 24 * H;
const NOW = new Date("2026-11-27T09:00:00Z");

function exemption(overrides: Partial<StoredExemption> = {}): StoredExemption {
  return {
    id: "e1",
    status: "APPROVED",
    startsAt: new Date("2026-11-27T09:00:00Z"),
    endsAt: new Date("2026-11-30T09:00:00Z"),
    endedEarlyAt: null,
    scopeTypes: null,
    recurrence: null,
    timeZone: "Europe/Berlin",
    ...overrides,
  };
}

describe("occurrences", () => {
  test("a one-off exemption covers its whole span, clipped to the asked range and its early end", () => {
    const e = exemption({ endedEarlyAt: new Date("2026-11-28T09:00:00Z") });
    expect(occurrences(e, new Date(0), new Date(8.64e15))).toEqual([
      { start: e.startsAt, end: new Date("2026-11-28T09:00:00Z") },
    ]);
    expect(
      occurrences(e, new Date("2026-11-27T10:00:00Z"), new Date("2026-11-27T11:00:00Z")),
    ).toEqual([{ start: new Date("2026-11-27T10:00:00Z"), end: new Date("2026-11-27T11:00:00Z") }]);
  });

  test("nothing is covered unless approved (pending, denied and withdrawn requests)", () => {
    for (const status of ["PENDING", "DENIED", "WITHDRAWN"] as const) {
      expect(occurrences(exemption({ status }), new Date(0), new Date(8.64e15))).toEqual([]);
    }
  });

  test("every Tuesday 14:00–16:00 in Berlin stays 14:00–16:00 local across the autumn DST change", () => {
    const e = exemption({
      startsAt: new Date("2026-10-12T00:00:00Z"),
      endsAt: new Date("2026-11-10T00:00:00Z"),
      recurrence: { days: [2], startTime: "14:00", endTime: "16:00" },
    });
    const list = occurrences(e, e.startsAt, e.endsAt);
    expect(list.map((i) => i.start.toISOString())).toEqual([
      "2026-10-13T12:00:00.000Z", // CEST, UTC+2
      "2026-10-20T12:00:00.000Z",
      "2026-10-27T13:00:00.000Z", // CET, UTC+1 after 25 October
      "2026-11-03T13:00:00.000Z",
    ]);
    for (const i of list) {
      expect(localTimeKey(i.start, "Europe/Berlin")).toBe("14:00");
      expect(i.end.getTime() - i.start.getTime()).toBe(2 * H);
    }
  });

  test("in New York the same rule follows American DST dates (8 March 2026)", () => {
    const e = exemption({
      timeZone: "America/New_York",
      startsAt: new Date("2026-03-01T00:00:00Z"),
      endsAt: new Date("2026-03-20T00:00:00Z"),
      recurrence: { days: [1], startTime: "09:00", endTime: "10:30" },
    });
    expect(occurrences(e, e.startsAt, e.endsAt).map((i) => i.start.toISOString())).toEqual([
      "2026-03-02T14:00:00.000Z", // EST
      "2026-03-09T13:00:00.000Z", // EDT
      "2026-03-16T13:00:00.000Z",
    ]);
  });

  test("a window inside the spring-forward gap shrinks to what exists; one across the autumn repeat grows", () => {
    const spring = exemption({
      startsAt: new Date("2027-03-27T00:00:00Z"),
      endsAt: new Date("2027-03-29T00:00:00Z"),
      recurrence: { days: [7], startTime: "01:30", endTime: "02:30" }, // 02:00–03:00 skipped
    });
    expect(occurrences(spring, spring.startsAt, spring.endsAt)).toEqual([
      { start: new Date("2027-03-28T00:30:00Z"), end: new Date("2027-03-28T01:00:00Z") },
    ]);
    const autumn = exemption({
      startsAt: new Date("2026-10-24T00:00:00Z"),
      endsAt: new Date("2026-10-26T00:00:00Z"),
      recurrence: { days: [7], startTime: "01:30", endTime: "02:30" }, // 02:00–03:00 twice
    });
    const [only] = occurrences(autumn, autumn.startsAt, autumn.endsAt);
    expect(only!.start.toISOString()).toBe("2026-10-24T23:30:00.000Z");
    expect(only!.end.toISOString()).toBe("2026-10-25T01:30:00.000Z"); // the later 02:30
  });

  test("property: weekly occurrences lie inside the request, on chosen days, starting at the chosen local time", () => {
    const zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 365 * 2 }),
        fc.integer({ min: 1, max: 60 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 4, max: 20 }),
        fc.integer({ min: 1, max: 8 }),
        (timeZone, startDay, spanDays, days, startHour, hours) => {
          const startsAt = new Date(Date.UTC(2026, 0, 1) + startDay * D + 7 * H);
          const endsAt = new Date(startsAt.getTime() + spanDays * D);
          const startTime = `${String(startHour).padStart(2, "0")}:00`;
          const endTime = `${String(Math.min(23, startHour + hours)).padStart(2, "0")}:00`;
          const e = exemption({
            timeZone,
            startsAt,
            endsAt,
            recurrence: { days: days as Weekday[], startTime, endTime },
          });
          const list = occurrences(e, startsAt, endsAt);
          for (const i of list) {
            expect(i.start.getTime()).toBeGreaterThanOrEqual(startsAt.getTime());
            expect(i.end.getTime()).toBeLessThanOrEqual(endsAt.getTime());
            expect(i.end.getTime()).toBeGreaterThan(i.start.getTime());
            const local = localDateKey(i.start, timeZone);
            const [y, m, d] = local.split("-").map(Number) as [number, number, number];
            const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
            expect(days).toContain(weekday);
            if (i.start.getTime() > startsAt.getTime()) {
              expect(localTimeKey(i.start, timeZone)).toBe(startTime);
            }
          }
          // Within a whole number of weeks every chosen day happens once a week.
          if (spanDays >= 14) expect(list.length).toBeGreaterThanOrEqual(days.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("merging", () => {
  test("overlapping or touching windows of one scope merge; other scopes stay apart", () => {
    const t = (h: number) => new Date(NOW.getTime() + h * H);
    const merged = mergeScoped([
      { start: t(0), end: t(2), types: null },
      { start: t(2), end: t(3), types: null },
      { start: t(1), end: t(5), types: ["keystroke"] },
      { start: t(4), end: t(6), types: ["keystroke"] },
      { start: t(4), end: t(6), types: ["click", "scroll"] },
    ]);
    expect(merged).toEqual([
      { start: t(0), end: t(3), types: null },
      { start: t(1), end: t(6), types: ["keystroke"] },
      { start: t(4), end: t(6), types: ["click", "scroll"] },
    ]);
  });

  test("an exempt interval for some types stops only those types", () => {
    const intervals = exemptIntervals(
      [exemption({ scopeTypes: ["keystroke"] })],
      NOW,
      new Date(NOW.getTime() + D),
    );
    expect(isExempt(intervals, "keystroke", new Date(NOW.getTime() + H))).toBe(true);
    expect(isExempt(intervals, "click", new Date(NOW.getTime() + H))).toBe(false);
  });
});

describe("collection state with pauses and exemptions", () => {
  const pause = (startH: number, endH: number): StoredPause => ({
    id: `p${startH}`,
    kind: "SCHEDULED",
    startsAt: new Date(NOW.getTime() + startH * H),
    endsAt: new Date(NOW.getTime() + endH * H),
    endedEarlyAt: null,
    cancelledAt: null,
  });

  test("an approved exemption in force: not collecting, reason exempt, window kind exemption", () => {
    const state = computeCollectionState({
      heldForAcknowledgement: false,
      pauses: [],
      exemptions: [exemption()],
      now: NOW,
    });
    expect(state.collecting).toBe(false);
    expect(state.reason).toBe("exempt");
    expect(state.windows).toEqual([
      {
        kind: "exemption",
        sourceId: null,
        startsAt: NOW,
        endsAt: new Date("2026-11-30T09:00:00Z"), // its true end, beyond the 24-hour horizon
        types: null,
      },
    ]);
  });

  test("a pause inside an exemption: both windows listed, the pause is the reason while it runs", () => {
    const state = computeCollectionState({
      heldForAcknowledgement: false,
      pauses: [pause(0, 0.5)],
      exemptions: [exemption()],
      now: NOW,
    });
    expect(state.reason).toBe("paused");
    expect(state.windows.map((w) => w.kind)).toEqual(["pause", "exemption"]);
    const later = computeCollectionState({
      heldForAcknowledgement: false,
      pauses: [pause(0, 0.5)],
      exemptions: [exemption()],
      now: new Date(NOW.getTime() + H),
    });
    expect(later.reason).toBe("exempt");
  });

  test("two approved overlapping exemptions merge into one window", () => {
    const state = computeCollectionState({
      heldForAcknowledgement: false,
      pauses: [],
      exemptions: [
        exemption({ id: "a", endsAt: new Date(NOW.getTime() + 2 * H) }),
        exemption({
          id: "b",
          startsAt: new Date(NOW.getTime() + H),
          endsAt: new Date(NOW.getTime() + 3 * H),
        }),
      ],
      now: NOW,
    });
    expect(state.windows).toHaveLength(1);
    expect(state.windows[0]!.endsAt).toEqual(new Date(NOW.getTime() + 3 * H));
  });

  test("a narrower exemption keeps collecting on, names the stopped types and lists its window", () => {
    const state = computeCollectionState({
      heldForAcknowledgement: false,
      pauses: [],
      exemptions: [exemption({ scopeTypes: ["keystroke", "click"] })],
      now: NOW,
    });
    expect(state.collecting).toBe(true);
    expect(state.reason).toBe("active");
    expect(state.exemptTypes).toEqual(["click", "keystroke"]);
    expect(state.windows[0]!.types).toEqual(["click", "keystroke"]);
  });

  test("recurring occurrences are listed up to the horizon", () => {
    const state = computeCollectionState({
      heldForAcknowledgement: false,
      pauses: [],
      exemptions: [
        exemption({
          endsAt: new Date(NOW.getTime() + 60 * D),
          recurrence: { days: [1, 2, 3, 4, 5, 6, 7], startTime: "14:00", endTime: "15:00" },
        }),
      ],
      now: NOW,
      horizonMs: 7 * D,
    });
    expect(state.windows).toHaveLength(7);
    expect(state.collecting).toBe(true);
  });
});
