import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { wallClock, zoneOffsetMs } from "#app/domain/local-time.ts";
import { localTimeFormatter } from "./export/local-time-column.ts";

const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Adelaide", // +09:30/+10:30: changes at the half hour of a UTC hour
  "Australia/Lord_Howe", // a half-hour DST shift
  "America/St_Johns", // −03:30/−02:30
  "Pacific/Chatham", // +12:45/+13:45
  "UTC",
];
const FROM = Date.UTC(2025, 0, 1);
const UNTIL = Date.UTC(2027, 11, 31);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The UTC hours in which `zone`'s offset changes, found by a plain scan, independent of the code. */
function changeHours(zone: string): number[] {
  const hours: number[] = [];
  for (let day = FROM; day < UNTIL; day += DAY) {
    if (zoneOffsetMs(new Date(day), zone) === zoneOffsetMs(new Date(day + DAY), zone)) continue;
    for (let hour = day; hour < day + DAY; hour += HOUR) {
      if (zoneOffsetMs(new Date(hour), zone) !== zoneOffsetMs(new Date(hour + HOUR), zone)) {
        hours.push(hour);
      }
    }
  }
  return hours;
}

const formatters = new Map(ZONES.map((z) => [z, localTimeFormatter(z)]));

function expectWallClock(zone: string, ms: number) {
  const instant = new Date(ms);
  const stored = instant.toISOString().replace("Z", "+00:00");
  const text = formatters.get(zone)!(stored);
  const w = wallClock(instant, zone);
  const pad = (n: number) => String(n).padStart(2, "0");
  expect(text.slice(0, 19)).toBe(
    `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`,
  );
  // The stated offset turns it back into the same instant, and is the zone's offset then.
  expect(Date.parse(text)).toBe(ms);
  expect(zoneOffsetMs(instant, zone)).toBe(
    (text.endsWith("Z") ? 0 : 1) * (Date.parse(`${text.slice(0, 23)}Z`) - ms),
  );
}

describe("the export's local time column", () => {
  test("property: equals the wall clock in the zone, with its offset, across DST and odd offsets", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: FROM, max: UNTIL }),
        expectWallClock,
      ),
      { numRuns: 500 },
    );
  });

  test("property: right on both sides of every offset change, to the second", () => {
    const near = ZONES.flatMap((zone) => changeHours(zone).map((hour) => ({ zone, hour })));
    expect(near.length).toBeGreaterThan(30);
    fc.assert(
      fc.property(
        fc.constantFrom(...near),
        fc.integer({ min: -HOUR, max: 2 * HOUR }),
        ({ zone, hour }, delta) => expectWallClock(zone, hour + delta),
      ),
      { numRuns: 1_000 },
    );
  });

  test("Adelaide's switch back in April 2025, in the middle of a UTC hour", () => {
    const adelaide = localTimeFormatter("Australia/Adelaide");
    // 03:00 daylight time (+10:30) is 16:30 UTC; the clocks go back to 02:00 (+09:30).
    expect(adelaide("2025-04-05T16:29:59.999+00:00")).toBe("2025-04-06T02:59:59.999+10:30");
    expect(adelaide("2025-04-05T16:30:00.000+00:00")).toBe("2025-04-06T02:00:00.000+09:30");
    expect(adelaide.zoneOfHour("2025-04-05T16").map((p) => p.from)).toEqual([
      "2025-04-05T16",
      "2025-04-05T16:30:00.000",
    ]);
  });
});
