import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  decodeCursor,
  EventQuerySchema,
  encodeCursor,
  MAX_EVENT_ID,
  parseEventId,
  splitByWholeHours,
  type TimeSpan,
} from "./event-query.ts";

const HOUR = 3_600_000;
const inSpan = (t: number, s: TimeSpan) =>
  (!s.from || t >= s.from.getTime()) && (!s.to || t < s.to.getTime());

describe("splitByWholeHours", () => {
  test("an Indian local day: whole hours in the middle, a half hour at each end", () => {
    const from = new Date("2026-12-01T18:30:00Z");
    const to = new Date("2026-12-02T18:30:00Z");
    expect(splitByWholeHours({ from, to })).toEqual({
      hours: { from: new Date("2026-12-01T19:00:00Z"), to: new Date("2026-12-02T18:00:00Z") },
      edges: [
        { from, to: new Date("2026-12-01T19:00:00Z") },
        { from: new Date("2026-12-02T18:00:00Z"), to },
      ],
    });
  });

  test("open ends stay open; hour-aligned ends leave no edges", () => {
    expect(splitByWholeHours({})).toEqual({ hours: { from: undefined, to: undefined }, edges: [] });
    const from = new Date("2026-12-01T23:00:00Z");
    expect(splitByWholeHours({ from })).toEqual({ hours: { from, to: undefined }, edges: [] });
  });

  test("across one hour's start with no whole hour inside: two partial hours, no rollup span", () => {
    // fast-check's counterexample (seed -632492087): once a single edge longer than an hour.
    const from = new Date(132 * HOUR + 1);
    const to = new Date(133 * HOUR + 2);
    expect(splitByWholeHours({ from, to })).toEqual({
      hours: null,
      edges: [
        { from, to: new Date(133 * HOUR) },
        { from: new Date(133 * HOUR), to },
      ],
    });
  });

  test("every instant is counted exactly once, and whole hours start and end on the hour", () => {
    const instant = fc.integer({ min: 0, max: 400 * HOUR });
    fc.assert(
      fc.property(
        fc.option(instant, { nil: undefined }),
        fc.option(instant, { nil: undefined }),
        instant,
        (a, b, t) => {
          const span = {
            from: a === undefined ? undefined : new Date(a),
            to: b === undefined ? undefined : new Date(b),
          };
          const { hours, edges } = splitByWholeHours(span);
          const times = [hours, ...edges].filter((s): s is TimeSpan => s !== null);
          const covering = times.filter((s) => inSpan(t, s)).length;
          expect(covering).toBe(inSpan(t, span) ? 1 : 0);
          for (const bound of [hours?.from, hours?.to]) {
            if (bound) expect(bound.getTime() % HOUR).toBe(0);
          }
          expect(edges.length).toBeLessThanOrEqual(2);
          for (const e of edges)
            expect(e.to.getTime() - e.from.getTime()).toBeLessThanOrEqual(HOUR);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("EventQuerySchema paging", () => {
  const position = encodeCursor({ at: new Date("2026-12-01T10:00:00Z"), id: 42 });
  test("takes an older or a newer position, not both", () => {
    expect(EventQuerySchema.parse({ newer: position }).newer).toEqual({
      at: new Date("2026-12-01T10:00:00Z"),
      id: 42,
    });
    expect(EventQuerySchema.safeParse({ cursor: position, newer: position }).success).toBe(false);
    expect(EventQuerySchema.safeParse({ newer: "not-ours" }).success).toBe(false);
  });
});

describe("record numbers from clients", () => {
  test("property: parseEventId takes exactly the whole numbers 1..MAX_EVENT_ID", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.bigInt().map(String)), (text) => {
        const id = parseEventId(text);
        const expected =
          /^\d+$/.test(text) && BigInt(text) >= 1n && BigInt(text) <= BigInt(MAX_EVENT_ID)
            ? Number(text)
            : null;
        expect(id).toBe(expected);
      }),
    );
    expect(parseEventId(String(MAX_EVENT_ID))).toBe(MAX_EVENT_ID);
    expect(parseEventId(String(MAX_EVENT_ID + 1))).toBeNull();
  });

  test("a paging position past the last record number is not ours", () => {
    const at = new Date("2026-12-01T10:00:00Z");
    expect(decodeCursor(encodeCursor({ at, id: MAX_EVENT_ID }))).toEqual({ at, id: MAX_EVENT_ID });
    expect(decodeCursor(encodeCursor({ at, id: MAX_EVENT_ID + 1 }))).toBeNull();
    expect(EventQuerySchema.safeParse({ cursor: encodeCursor({ at, id: 10 ** 14 }) }).success).toBe(
      false,
    );
  });
});
