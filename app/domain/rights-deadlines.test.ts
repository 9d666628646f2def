import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { localDateKey, nextDateKey } from "./local-time.ts";
import {
  addCalendarMonths,
  canExtend,
  type Clock,
  deadlineClock,
  dueDay,
  extendedDueAt,
  firstDueAt,
  formatDueDay,
  isOverdue,
} from "./rights-deadlines.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/Los_Angeles",
  "Pacific/Auckland",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "America/St_Johns",
] as const;

describe("addCalendarMonths", () => {
  test("keeps the day, clamped to the month's last day", () => {
    expect(addCalendarMonths("2026-01-15", 1)).toBe("2026-02-15");
    expect(addCalendarMonths("2027-01-31", 1)).toBe("2027-02-28");
    expect(addCalendarMonths("2028-01-31", 1)).toBe("2028-02-29");
    expect(addCalendarMonths("2026-03-31", 1)).toBe("2026-04-30");
    expect(addCalendarMonths("2026-12-31", 1)).toBe("2027-01-31");
    expect(addCalendarMonths("2026-11-30", 2)).toBe("2027-01-30");
    expect(addCalendarMonths("2026-12-31", 2)).toBe("2027-02-28");
  });
});

describe("the first deadline: one month, in the worker's zone at filing", () => {
  test("Berlin, filed 31 January: due by the end of 28 February", () => {
    const due = firstDueAt(new Date("2027-01-31T10:00:00Z"), "Europe/Berlin");
    expect(due).toEqual(new Date("2027-02-28T23:00:00Z"));
    expect(dueDay(due, "Europe/Berlin")).toBe("2027-02-28");
  });

  test("Berlin, leap year: filed 31 January 2028, due by the end of 29 February", () => {
    expect(firstDueAt(new Date("2028-01-31T10:00:00Z"), "Europe/Berlin")).toEqual(
      new Date("2028-02-29T23:00:00Z"),
    );
  });

  test("Berlin, filed 31 December: due by the end of 31 January, across the year", () => {
    expect(firstDueAt(new Date("2026-12-31T12:00:00Z"), "Europe/Berlin")).toEqual(
      new Date("2027-01-31T23:00:00Z"),
    );
  });

  test("Auckland: filed 3 Dec in UTC but 4 Dec locally, due by the end of 4 January (NZDT)", () => {
    expect(firstDueAt(new Date("2026-12-03T12:00:00Z"), "Pacific/Auckland")).toEqual(
      new Date("2027-01-04T11:00:00Z"),
    );
  });

  test("Los Angeles: filed 3 Dec in UTC but 2 Dec locally, due by the end of 2 January (PST)", () => {
    expect(firstDueAt(new Date("2026-12-03T05:00:00Z"), "America/Los_Angeles")).toEqual(
      new Date("2027-01-03T08:00:00Z"),
    );
  });

  test("across the spring change: Berlin 10 March (CET) → end of 10 April (CEST)", () => {
    expect(firstDueAt(new Date("2026-03-10T12:00:00Z"), "Europe/Berlin")).toEqual(
      new Date("2026-04-10T22:00:00Z"),
    );
  });

  test("across the autumn change: Los Angeles 15 October (PDT) → end of 15 November (PST)", () => {
    expect(firstDueAt(new Date("2026-10-15T19:00:00Z"), "America/Los_Angeles")).toEqual(
      new Date("2026-11-16T08:00:00Z"),
    );
  });

  test("across Auckland's spring: 10 September (NZST) → end of 10 October (NZDT)", () => {
    expect(firstDueAt(new Date("2026-09-10T00:00:00Z"), "Pacific/Auckland")).toEqual(
      new Date("2026-10-10T11:00:00Z"),
    );
  });
});

describe("the extension: once, one or two months from the first due day", () => {
  test("first due 28 February (filed 31 January): +1 → end of 28 March, +2 → end of 28 April", () => {
    const first = firstDueAt(new Date("2027-01-31T10:00:00Z"), "Europe/Berlin");
    // 28 March 2027 is the day Berlin moves to summer time: its end is 22:00 UTC.
    expect(extendedDueAt(first, "Europe/Berlin", 1)).toEqual(new Date("2027-03-28T22:00:00Z"));
    expect(extendedDueAt(first, "Europe/Berlin", 2)).toEqual(new Date("2027-04-28T22:00:00Z"));
  });

  test("first due 31 January: +1 → end of 28 February, +2 → end of 31 March", () => {
    const first = firstDueAt(new Date("2026-12-31T12:00:00Z"), "Europe/Berlin");
    expect(extendedDueAt(first, "Europe/Berlin", 1)).toEqual(new Date("2027-02-28T23:00:00Z"));
    expect(extendedDueAt(first, "Europe/Berlin", 2)).toEqual(new Date("2027-03-31T22:00:00Z"));
  });

  test("only an open request never extended can be extended", () => {
    expect(canExtend({ status: "OPEN", extendedAt: null })).toBe(true);
    expect(canExtend({ status: "OPEN", extendedAt: new Date() })).toBe(false);
    expect(canExtend({ status: "ACCEPTED", extendedAt: null })).toBe(false);
  });
});

const labelOf = (c: Clock) => ("label" in c ? c.label : null);

describe("overdue and the clock", () => {
  const dueAt = new Date("2027-01-04T11:00:00Z"); // end of 4 January in Auckland

  test("overdue = still open from the deadline on", () => {
    expect(isOverdue({ status: "OPEN", dueAt }, new Date(dueAt.getTime() - 1))).toBe(false);
    expect(isOverdue({ status: "OPEN", dueAt }, dueAt)).toBe(true);
    expect(isOverdue({ status: "ACCEPTED", dueAt }, new Date("2027-02-01T00:00:00Z"))).toBe(false);
  });

  test("counts calendar days in the viewer's zone", () => {
    const now = new Date("2026-12-30T11:00:00Z"); // 31 Dec 00:00 in Auckland, 30 Dec in UTC
    expect(deadlineClock({ status: "OPEN", dueAt }, now, "Pacific/Auckland")).toEqual({
      state: "due",
      days: 4,
      label: "due in 4 days",
    });
    expect(deadlineClock({ status: "OPEN", dueAt }, now, "UTC")).toMatchObject({ days: 5 });
  });

  test("due today, tomorrow, overdue by days, closed", () => {
    const open = { status: "OPEN" as const, dueAt };
    expect(labelOf(deadlineClock(open, new Date("2027-01-04T01:00:00Z"), "Pacific/Auckland"))).toBe(
      "due today",
    );
    expect(labelOf(deadlineClock(open, new Date("2027-01-03T01:00:00Z"), "Pacific/Auckland"))).toBe(
      "due tomorrow",
    );
    expect(deadlineClock(open, new Date("2027-01-06T12:00:00Z"), "Pacific/Auckland")).toEqual({
      state: "overdue",
      days: 3,
      label: "3 days overdue",
    });
    expect(labelOf(deadlineClock(open, new Date("2027-01-05T01:00:00Z"), "Pacific/Auckland"))).toBe(
      "1 day overdue",
    );
    expect(
      deadlineClock({ status: "REJECTED", dueAt }, new Date("2027-02-01T00:00:00Z"), "UTC"),
    ).toEqual({ state: "closed" });
  });

  test("the due day is shown as the day it is due by the end of", () => {
    expect(formatDueDay(dueAt, "Pacific/Auckland")).toMatch(/4 January 2027/);
    expect(formatDueDay(dueAt, "UTC")).toMatch(/4 January 2027/);
  });
});

describe("properties", () => {
  const filing = fc.date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date("2099-12-31T00:00:00Z"),
    noInvalidDate: true,
  });
  const zone = fc.constantFrom(...ZONES);

  test("due after filing, at most 31 days + 1 day (and a clock change) later, at a day's end", () => {
    fc.assert(
      fc.property(filing, zone, (filedAt, timeZone) => {
        const due = firstDueAt(filedAt, timeZone);
        const gap = due.getTime() - filedAt.getTime();
        expect(gap).toBeGreaterThan(0);
        expect(gap).toBeGreaterThanOrEqual(28 * DAY - HOUR);
        expect(gap).toBeLessThanOrEqual(32 * DAY + HOUR);
        // The deadline is the start of the day after the due day, in the worker's zone.
        expect(localDateKey(due, timeZone)).toBe(nextDateKey(dueDay(due, timeZone)));
      }),
      { numRuns: 300 },
    );
  });

  test("an extension moves the deadline later, by at most two months", () => {
    fc.assert(
      fc.property(filing, zone, fc.constantFrom(1 as const, 2 as const), (filedAt, tz, months) => {
        const first = firstDueAt(filedAt, tz);
        const extended = extendedDueAt(first, tz, months);
        const gap = extended.getTime() - first.getTime();
        expect(gap).toBeGreaterThanOrEqual(28 * months * DAY - HOUR);
        expect(gap).toBeLessThanOrEqual(62 * DAY + HOUR);
        if (months === 2) {
          expect(extended.getTime()).toBeGreaterThan(extendedDueAt(first, tz, 1).getTime());
        }
      }),
      { numRuns: 300 },
    );
  });

  test("monotonic: a request filed later is never due earlier", () => {
    fc.assert(
      fc.property(filing, fc.integer({ min: 0, max: 40 * DAY }), zone, (a, delta, tz) => {
        const b = new Date(a.getTime() + delta);
        expect(firstDueAt(b, tz).getTime()).toBeGreaterThanOrEqual(firstDueAt(a, tz).getTime());
      }),
      { numRuns: 300 },
    );
  });
});
