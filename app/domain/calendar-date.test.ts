import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CALENDAR_YEARS, calendarDate, isCalendarDate } from "./calendar-date.ts";

const pad = (n: number, width: number) => String(n).padStart(width, "0");

describe("calendar days", () => {
  test("property: a YYYY-MM-DD text is a day exactly when it names a real day in the years Lull takes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, day) => {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
          const leapFebruary = month === 2 && day === 29;
          const isLeap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
          const real =
            month >= 1 &&
            month <= 12 &&
            day >= 1 &&
            (leapFebruary ? isLeap : day <= daysInMonth) &&
            year >= CALENDAR_YEARS.earliest &&
            year <= CALENDAR_YEARS.latest;
          expect(isCalendarDate(text)).toBe(real);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test("the field names the problem: shape, a day that does not exist, a year out of range", () => {
    const field = calendarDate("Enter a date as YYYY-MM-DD.");
    const message = (text: string) => {
      const r = field.safeParse(text);
      return r.success ? null : r.error.issues.map((i) => i.message);
    };
    expect(message("2026-11-27")).toBeNull();
    expect(message("2028-02-29")).toBeNull();
    expect(message("27/11/2026")).toEqual(["Enter a date as YYYY-MM-DD."]);
    expect(message("2026-02-30")).toEqual(["That date does not exist. Choose another."]);
    expect(message("2026-02-29")).toEqual(["That date does not exist. Choose another."]);
    expect(message("9999-12-31")).toEqual(["Choose a date between 1970 and 2999."]);
    expect(message("0001-01-01")).toEqual(["Choose a date between 1970 and 2999."]);
    expect(message("10000-01-01")).toEqual(["Enter a date as YYYY-MM-DD."]);
  });
});
