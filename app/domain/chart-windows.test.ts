import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { axisPosition, chartWindows } from "./chart-windows.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 0);
const hours = Array.from({ length: 24 }, (_, i) => ({ start: T0 + i * HOUR }));
const END = T0 + 24 * HOUR;

describe("where the chart shades pauses and exemptions", () => {
  test("a 10-second pause inside a busy hour is a sliver of that hour, not the hour", () => {
    const start = T0 + 14 * HOUR + 10 * 60_000;
    const [w] = chartWindows(hours, END, [
      {
        kind: "pause",
        start,
        end: start + 10_000,
        label: "Paused 14:10:00–14:10:10",
        short: "Paused",
      },
    ]);
    expect(w!.x0).toBeCloseTo(14 + 10 / 60, 6);
    expect(w!.x1 - w!.x0).toBeCloseTo(10 / 3600, 6);
  });

  test("property: a window is drawn in proportion to its length, inside the chart", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: T0 - 2 * HOUR, max: END + HOUR }),
        fc.integer({ min: 1, max: 30 * 60_000 }),
        (start, length) => {
          const drawn = chartWindows(hours, END, [
            { kind: "pause", start, end: start + length, label: "", short: "" },
          ]);
          const visible = Math.max(0, Math.min(END, start + length) - Math.max(T0, start));
          if (visible === 0) {
            expect(drawn).toEqual([]);
            return;
          }
          const [w] = drawn;
          expect(w!.x0).toBeGreaterThanOrEqual(0);
          expect(w!.x1).toBeLessThanOrEqual(24);
          // Hours are equal here: the drawn width is the visible length in hours.
          expect(w!.x1 - w!.x0).toBeCloseTo(visible / HOUR, 6);
        },
      ),
    );
  });

  test("property: positions increase with time, across unequal buckets (a 23-hour DST day)", () => {
    const days = [0, 24, 47, 71].map((h) => ({ start: T0 + h * HOUR }));
    const end = T0 + 95 * HOUR;
    fc.assert(
      fc.property(
        fc.integer({ min: T0, max: end }),
        fc.integer({ min: 0, max: 5 * HOUR }),
        (a, d) => {
          expect(axisPosition(days, end, a + d)).toBeGreaterThanOrEqual(axisPosition(days, end, a));
        },
      ),
    );
    // The middle of the 23-hour day is the middle of its bucket.
    expect(axisPosition(days, end, T0 + 24 * HOUR + 11.5 * HOUR)).toBeCloseTo(1.5, 6);
  });
});
