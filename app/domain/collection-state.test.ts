import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { computeCollectionState } from "./collection-state.ts";
import { pauseStatus, type StoredPause } from "./pause-policy.ts";

const MIN = 60_000;
const NOW = new Date("2026-11-27T09:00:00Z");
const at = (m: number) => new Date(NOW.getTime() + m * MIN);
const pause = (
  id: string,
  start: number,
  minutes: number,
  extra: Partial<StoredPause> = {},
): StoredPause => ({
  id,
  kind: "SCHEDULED",
  startsAt: at(start),
  endsAt: at(start + minutes),
  endedEarlyAt: null,
  cancelledAt: null,
  ...extra,
});

describe("computeCollectionState", () => {
  test("no pauses: collecting", () => {
    expect(computeCollectionState({ pauses: [], now: NOW })).toEqual({
      collecting: true,
      reason: "active",
      current: null,
      next: null,
      exemptTypes: [],
      windows: [],
    });
  });

  test("a running pause stops collection until it ends, then it resumes by itself", () => {
    const pauses = [pause("a", -5, 30)];
    const during = computeCollectionState({ pauses, now: NOW });
    expect(during).toMatchObject({
      collecting: false,
      reason: "paused",
      current: { sourceId: "a", endsAt: at(25) },
    });
    const after = computeCollectionState({ pauses, now: at(25) });
    expect(after).toMatchObject({ collecting: true, reason: "active", current: null });
  });

  test("ended-early and cancelled pauses do not stop collection", () => {
    expect(
      computeCollectionState({ pauses: [pause("a", -5, 30, { endedEarlyAt: at(-1) })], now: NOW })
        .collecting,
    ).toBe(true);
    expect(
      computeCollectionState({ pauses: [pause("b", 10, 30, { cancelledAt: at(-1) })], now: NOW })
        .next,
    ).toBeNull();
  });

  test("lists the windows of the next 24 hours, and names the next one", () => {
    const state = computeCollectionState({
      pauses: [pause("later", 26 * 60, 10), pause("soon", 60, 10), pause("sooner", 30, 10)],
      now: NOW,
    });
    expect(state.windows.map((w) => w.sourceId)).toEqual(["sooner", "soon"]);
    expect(state.next?.sourceId).toBe("sooner");
  });

  test("property: paused exactly when some pause is running", () => {
    const pauseArb = fc.record({
      start: fc.integer({ min: -120, max: 120 }),
      minutes: fc.integer({ min: 5, max: 30 }),
      endedEarlyAfter: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
      cancelled: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(pauseArb, { maxLength: 8 }),
        fc.integer({ min: -120, max: 200 }),
        (specs, nowOffset) => {
          const pauses = specs.map((s, i) =>
            pause(`p${i}`, s.start, s.minutes, {
              endedEarlyAt: s.endedEarlyAfter === null ? null : at(s.start + s.endedEarlyAfter),
              cancelledAt: s.cancelled ? at(s.start - 1) : null,
            }),
          );
          const now = at(nowOffset);
          const state = computeCollectionState({ pauses, now });
          const anyRunning = pauses.some((p) => pauseStatus(p, now) === "running");
          expect(state.collecting).toBe(!anyRunning);
        },
      ),
    );
  });
});
