import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { periodRange } from "./data-period.ts";
import { nextDateKey, startOfLocalDay } from "./local-time.ts";
import { splitForRollups, type TimeRange } from "./rollup-split.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);

/** Zones whose local midnights fall mid-day in UTC, mid-hour, and move with DST. */
const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata", // +5:30, no DST
  "Asia/Kathmandu", // +5:45
  "America/St_Johns", // -3:30, with DST
  "Australia/Adelaide", // +9:30 / +10:30
  "Australia/Lord_Howe", // a 30-minute DST shift
  "Pacific/Chatham", // +12:45 / +13:45
  "Pacific/Kiritimati", // +14
] as const;

function plusDays(dateKey: string, days: number): string {
  let key = dateKey;
  for (let i = 0; i < days; i++) key = nextDateKey(key);
  return key;
}

const pieces = (split: ReturnType<typeof splitForRollups>) =>
  [...split.days, ...split.hours, ...split.edges].sort(
    (a, b) => a.start.getTime() - b.start.getTime(),
  );

describe("splitForRollups", () => {
  test("a Berlin year: whole UTC days in the middle, the hours of the UTC day at each end", () => {
    const { start, end } = periodRange(
      { period: "custom", from: "2026-01-01", to: "2026-12-31" },
      at("2027-01-01T12:00:00Z"),
      "Europe/Berlin",
    );
    expect(splitForRollups({ start, end })).toEqual({
      days: [{ start: at("2026-01-01T00:00:00Z"), end: at("2026-12-31T00:00:00Z") }],
      hours: [
        { start: at("2025-12-31T23:00:00Z"), end: at("2026-01-01T00:00:00Z") },
        { start: at("2026-12-31T00:00:00Z"), end: at("2026-12-31T23:00:00Z") },
      ],
      edges: [],
    });
  });

  test("an Indian range: half an hour of events at each end", () => {
    const { start, end } = periodRange(
      { period: "custom", from: "2026-03-01", to: "2026-03-03" },
      at("2026-04-01T00:00:00Z"),
      "Asia/Kolkata",
    );
    const split = splitForRollups({ start, end });
    expect(split.edges).toEqual([
      { start: at("2026-02-28T18:30:00Z"), end: at("2026-02-28T19:00:00Z") },
      { start: at("2026-03-03T18:00:00Z"), end: at("2026-03-03T18:30:00Z") },
    ]);
    expect(split.days).toEqual([
      { start: at("2026-03-01T00:00:00Z"), end: at("2026-03-03T00:00:00Z") },
    ]);
  });

  test("a UTC day holding a cut is read by the hour", () => {
    const split = splitForRollups(
      { start: at("2026-06-01T00:00:00Z"), end: at("2026-06-08T00:00:00Z") },
      [at("2026-06-03T22:00:00Z"), at("2026-06-05T00:00:00Z")],
    );
    expect(split).toEqual({
      days: [
        { start: at("2026-06-01T00:00:00Z"), end: at("2026-06-03T00:00:00Z") },
        { start: at("2026-06-04T00:00:00Z"), end: at("2026-06-08T00:00:00Z") },
      ],
      hours: [{ start: at("2026-06-03T00:00:00Z"), end: at("2026-06-04T00:00:00Z") }],
      edges: [],
    });
  });

  test("an empty or backwards range has no pieces", () => {
    const t = at("2026-06-01T10:15:00Z");
    expect(splitForRollups({ start: t, end: t })).toEqual({ days: [], hours: [], edges: [] });
    expect(splitForRollups({ start: t, end: at("2026-06-01T10:00:00Z") })).toEqual({
      days: [],
      hours: [],
      edges: [],
    });
  });

  test("local-day ranges in any zone, across DST: the pieces cover the range exactly, each aligned, no day straddling a cut", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        // Any start day over three years (every DST change of 2025–2027), up to two years long.
        fc.integer({ min: 0, max: 3 * 365 }),
        fc.integer({ min: 0, max: 731 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 * 365 * 24 * 4 }),
        (zone, startOffset, length, weekly, probe) => {
          const from = plusDays("2025-01-01", startOffset);
          const to = plusDays(from, length);
          const span = periodRange(
            { period: "custom", from, to },
            at("2030-01-01T00:00:00Z"),
            zone,
          );
          // The chart's bucket boundaries: each local day, or every 7th one.
          const cuts: Date[] = [];
          for (let key = from, i = 0; key <= to; key = nextDateKey(key), i++) {
            if (!weekly || i % 7 === 0) cuts.push(startOfLocalDay(key, zone));
          }
          const split = splitForRollups(span, cuts);
          const all = pieces(split);

          // Exact cover without overlap: the sorted pieces chain from start to end.
          expect(all[0]?.start).toEqual(span.start);
          expect(all.at(-1)?.end).toEqual(span.end);
          for (let i = 1; i < all.length; i++) expect(all[i]!.start).toEqual(all[i - 1]!.end);
          for (const p of all) expect(p.start.getTime()).toBeLessThan(p.end.getTime());
          // And a probe instant (every quarter hour over two years) is in one piece exactly when in the range.
          const t = span.start.getTime() + probe * 15 * 60_000;
          const holding = all.filter(
            (p: TimeRange) => p.start.getTime() <= t && t < p.end.getTime(),
          );
          expect(holding).toHaveLength(t < span.end.getTime() ? 1 : 0);

          for (const d of split.days) {
            expect(d.start.getTime() % DAY).toBe(0);
            expect(d.end.getTime() % DAY).toBe(0);
            for (const c of cuts) {
              const strictlyInside = c > d.start && c < d.end;
              if (strictlyInside) expect(c.getTime() % DAY).toBe(0);
            }
          }
          for (const h of split.hours) {
            expect(h.start.getTime() % HOUR).toBe(0);
            expect(h.end.getTime() % HOUR).toBe(0);
          }
          expect(split.edges.length).toBeLessThanOrEqual(2);
          for (const e of split.edges)
            expect(e.end.getTime() - e.start.getTime()).toBeLessThan(HOUR);
          // Without cuts the hourly part is at most the two partial UTC days at the ends.
          const plain = splitForRollups(span);
          expect(plain.days.length).toBeLessThanOrEqual(1);
          expect(plain.hours.length).toBeLessThanOrEqual(2);
          const hourly = plain.hours.reduce((n, h) => n + h.end.getTime() - h.start.getTime(), 0);
          expect(hourly).toBeLessThan(2 * DAY);
        },
      ),
      { numRuns: 300 },
    );
  });
});
