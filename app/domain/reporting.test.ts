import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  describeHiddenGroups,
  formatDuration,
  median,
  medianOfHistogram,
  MIN_GROUP_SIZE,
  percentOf,
  perWorker,
  suppressPauseDays,
  suppressSmallGroups,
} from "./reporting.ts";

describe("medianOfHistogram", () => {
  test("equals the median of the values spelled out", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            value: fc.integer({ min: 0, max: 1800 }),
            count: fc.integer({ min: 0, max: 5 }),
          }),
        ),
        (buckets) => {
          const spelled = buckets.flatMap((b) => Array.from({ length: b.count }, () => b.value));
          expect(medianOfHistogram(buckets)).toBe(median(spelled));
        },
      ),
    );
  });
});

describe("median", () => {
  test("of nothing is null", () => {
    expect(median([])).toBeNull();
  });

  test("is the middle value of an odd count, whatever the order", () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  test("is the mean of the two middle values of an even count", () => {
    expect(median([10, 1, 4, 2])).toBe(3);
  });

  test("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  test("has as many values at or below it as at or above it, and lies within them", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1 }), (values) => {
        const m = median(values)!;
        const below = values.filter((v) => v <= m).length;
        const above = values.filter((v) => v >= m).length;
        expect(below).toBeGreaterThanOrEqual(values.length / 2);
        expect(above).toBeGreaterThanOrEqual(values.length / 2);
        expect(m).toBeGreaterThanOrEqual(Math.min(...values));
        expect(m).toBeLessThanOrEqual(Math.max(...values));
      }),
    );
  });

  test("does not depend on the order of the values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e6, max: 1e6 })),
        fc.array(fc.nat()),
        (values, seeds) => {
          const shuffled = [...values];
          seeds.forEach((s, i) => {
            if (shuffled.length < 2) return;
            const a = i % shuffled.length;
            const b = s % shuffled.length;
            [shuffled[a], shuffled[b]] = [shuffled[b]!, shuffled[a]!];
          });
          expect(median(shuffled)).toBe(median(values));
        },
      ),
    );
  });
});

describe("small groups", () => {
  test("the smallest group a breakdown shows has 5 workers", () => {
    expect(MIN_GROUP_SIZE).toBe(5);
  });

  test("a breakdown with a group of 4 workers hides it", () => {
    const { shown, hiddenCount } = suppressSmallGroups([
      { label: "Team of four", workers: 4 },
      { label: "Team of five", workers: 5 },
      { label: "Team of six", workers: 6 },
    ]);
    expect(shown.map((g) => g.label)).toEqual(["Team of six"]);
    expect(hiddenCount).toBe(2);
  });

  test("a lone small group takes the next smallest with it, so totals cannot give it back", () => {
    // Total minus the shown teams would be the team of 2 alone.
    const { shown } = suppressSmallGroups([
      { label: "A", workers: 2 },
      { label: "B", workers: 9 },
      { label: "C", workers: 5 },
    ]);
    expect(shown.map((g) => g.label)).toEqual(["B"]);
    // Hidden groups that hold 5 workers together need no company.
    expect(
      suppressSmallGroups([
        { label: "A", workers: 2 },
        { label: "B", workers: 3 },
        { label: "C", workers: 5 },
      ]).shown.map((g) => g.label),
    ).toEqual(["C"]);
  });

  test("hidden groups are counted by distinct worker when one worker is behind several", () => {
    // Reasons A and B are the same 3 workers: together they are 3 people, not 6.
    const { shown } = suppressSmallGroups([
      { label: "A", workers: 3, workerIds: ["w1", "w2", "w3"] },
      { label: "B", workers: 3, workerIds: ["w1", "w2", "w3"] },
      { label: "C", workers: 10, workerIds: Array.from({ length: 10 }, (_, i) => `c${i}`) },
    ]);
    expect(shown).toEqual([]);
  });

  test("no shown group has fewer than 5 workers, and the hidden ones hold none or at least 5", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.uuid(), workers: fc.integer({ min: 0, max: 50 }) })),
        (groups) => {
          const { shown, hiddenCount } = suppressSmallGroups(groups);
          for (const g of shown) expect(g.workers).toBeGreaterThanOrEqual(MIN_GROUP_SIZE);
          expect(shown.length + hiddenCount).toBe(groups.length);
          const hiddenWorkers = groups
            .filter((g) => !shown.includes(g))
            .reduce((sum, g) => sum + g.workers, 0);
          if (shown.length > 0) {
            expect(hiddenWorkers === 0 || hiddenWorkers >= MIN_GROUP_SIZE).toBe(true);
          }
          // Shown groups keep their order.
          expect(shown).toEqual(groups.filter((g) => shown.includes(g)));
        },
      ),
    );
  });

  test("the page says how many groups were hidden, in a sentence", () => {
    expect(describeHiddenGroups(0)).toBeNull();
    expect(describeHiddenGroups(1)).toBe("1 group with fewer than 5 workers is not shown.");
    expect(describeHiddenGroups(2)).toBe("2 groups with fewer than 5 workers are not shown.");
  });
});

describe("numbers in words", () => {
  test("durations read to the minute, in hours beyond an hour and days beyond a day", () => {
    expect(formatDuration(20_000)).toBe("under a minute");
    expect(formatDuration(12 * 60_000)).toBe("12 min");
    expect(formatDuration(59.6 * 60_000)).toBe("1 h");
    expect(formatDuration((3 * 60 + 5) * 60_000)).toBe("3 h 5 min");
    expect(formatDuration(24 * 3600_000 - 10_000)).toBe("1 day");
    expect(formatDuration((2 * 24 + 4) * 3600_000)).toBe("2 days 4 h");
  });

  test("shares and rates have nothing to say about nobody", () => {
    expect(percentOf(3, 4)).toBe(75);
    expect(percentOf(2, 3)).toBe(67);
    expect(percentOf(0, 0)).toBeNull();
    expect(perWorker(7, 5)).toBe(1.4);
    expect(perWorker(1, 0)).toBeNull();
  });
});

describe("suppressPauseDays (ADR 0042)", () => {
  const day = fc.record({
    count: fc.integer({ min: 0, max: 200 }),
    pausers: fc.integer({ min: 0, max: MIN_GROUP_SIZE }),
  });
  const report = fc
    .record({
      days: fc.array(day, { minLength: 1, maxLength: 30 }),
      extraPausers: fc.integer({ min: 0, max: MIN_GROUP_SIZE }),
      measured: fc.integer({ min: 0, max: 1000 }),
      medianLengthMs: fc.option(fc.integer({ min: 1000, max: 1_800_000 }), { nil: null }),
    })
    // A day's count has at least as many pauses as people, and a day with pauses has a pauser.
    .map((r) => ({
      ...r,
      days: r.days.map((d) => ({
        count: d.pausers === 0 ? 0 : Math.max(d.count, d.pausers),
        pausers: d.pausers,
      })),
    }))
    .map((r) => ({
      ...r,
      pausers: Math.min(MIN_GROUP_SIZE, Math.max(...r.days.map((d) => d.pausers)) + r.extraPausers),
    }));

  test("property: every number shown stands for at least k people, and nothing hidden can be worked out", () => {
    fc.assert(
      fc.property(report, (r) => {
        const shown = suppressPauseDays(r);
        shown.days.forEach((d, i) => {
          if (d.count !== null && d.count > 0) {
            expect(r.days[i]!.pausers).toBeGreaterThanOrEqual(MIN_GROUP_SIZE);
            expect(d.count).toBe(r.days[i]!.count);
          }
        });
        if (r.pausers < MIN_GROUP_SIZE) {
          expect(shown.total).toBeNull();
          expect(shown.measured).toBeNull();
          expect(shown.medianLengthMs).toBeNull();
          expect(shown.days.every((d) => d.count === null)).toBe(true);
        } else {
          // The total is the days shown: subtracting them leaves nothing.
          expect(shown.total).toBe(shown.days.reduce((s, d) => s + (d.count ?? 0), 0));
        }
        if (shown.hiddenDays > 0) expect(shown.measured).toBeNull();
        expect(shown.hiddenDays).toBe(
          r.days.filter((d, i) => d.count > 0 && shown.days[i]!.count === null).length,
        );
      }),
    );
  });
});
