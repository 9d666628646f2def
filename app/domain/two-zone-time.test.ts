import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { localDateKey, localTimeKey } from "./local-time.ts";
import { formatInTwoZones } from "./two-zone-time.ts";

const now = new Date("2026-12-01T12:00:00Z");
const berlinAndSaoPaulo = { worker: "Europe/Berlin", viewer: "America/Sao_Paulo" };

describe("a worker's time, as staff read it", () => {
  test("a window in the worker's zone, named, and the reviewer's clock beside it", () => {
    expect(
      formatInTwoZones(
        { start: new Date("2026-12-14T08:00:00Z"), end: new Date("2026-12-14T16:00:00Z") },
        berlinAndSaoPaulo,
        now,
      ),
    ).toEqual({
      worker: "Mon 14 Dec, 09:00–17:00 (Europe/Berlin)",
      yours: "05:00–13:00 your time, America/Sao_Paulo",
    });
  });

  test("one instant", () => {
    expect(
      formatInTwoZones({ start: new Date("2026-12-14T08:00:00Z") }, berlinAndSaoPaulo, now),
    ).toEqual({
      worker: "Mon 14 Dec, 09:00 (Europe/Berlin)",
      yours: "05:00 your time, America/Sao_Paulo",
    });
  });

  test("the reviewer's line gives a date only where it is not the worker's start day", () => {
    const zones = { worker: "Europe/Berlin", viewer: "Asia/Tokyo" };
    // Ends after midnight in Tokyo.
    expect(
      formatInTwoZones(
        { start: new Date("2026-12-14T08:00:00Z"), end: new Date("2026-12-14T16:00:00Z") },
        zones,
        now,
      ).yours,
    ).toBe("17:00 – Tue 15 Dec, 01:00 your time, Asia/Tokyo");
    // Starts on the next day in Tokyo.
    expect(
      formatInTwoZones(
        { start: new Date("2026-12-14T22:00:00Z"), end: new Date("2026-12-14T22:30:00Z") },
        zones,
        now,
      ),
    ).toEqual({
      worker: "Mon 14 Dec, 23:00–23:30 (Europe/Berlin)",
      yours: "Tue 15 Dec, 07:00–07:30 your time, Asia/Tokyo",
    });
  });

  test("a window over several days, and the year only when it is not this one", () => {
    expect(
      formatInTwoZones(
        { start: new Date("2026-12-28T08:00:00Z"), end: new Date("2027-01-08T16:00:00Z") },
        berlinAndSaoPaulo,
        now,
      ),
    ).toEqual({
      worker: "Mon 28 Dec, 09:00 – Fri 8 Jan 2027, 17:00 (Europe/Berlin)",
      yours: "05:00 – Fri 8 Jan 2027, 13:00 your time, America/Sao_Paulo",
    });
  });

  test("zones with a half-hour or three-quarter offset", () => {
    const instant = { start: new Date("2026-12-14T08:00:00Z") };
    expect(
      formatInTwoZones(instant, { worker: "Asia/Kolkata", viewer: "Europe/Berlin" }, now),
    ).toEqual({
      worker: "Mon 14 Dec, 13:30 (Asia/Kolkata)",
      yours: "09:00 your time, Europe/Berlin",
    });
    expect(
      formatInTwoZones(instant, { worker: "Europe/Berlin", viewer: "Asia/Kathmandu" }, now).yours,
    ).toBe("13:45 your time, Asia/Kathmandu");
    // Adelaide is on summer time (+10:30) in December.
    expect(
      formatInTwoZones(
        { start: new Date("2026-12-14T08:00:00Z"), end: new Date("2026-12-14T09:00:00Z") },
        { worker: "Australia/Adelaide", viewer: "UTC" },
        now,
      ),
    ).toEqual({
      worker: "Mon 14 Dec, 18:30–19:30 (Australia/Adelaide)",
      yours: "08:00–09:00 your time, UTC",
    });
  });

  test("across the spring-forward change the worker's clock skips an hour; the reviewer's does not", () => {
    const span = { start: new Date("2026-03-29T00:00:00Z"), end: new Date("2026-03-29T03:00:00Z") };
    expect(formatInTwoZones(span, { worker: "Europe/Berlin", viewer: "UTC" }, now)).toEqual({
      worker: "Sun 29 Mar, 01:00–05:00 (Europe/Berlin)",
      yours: "00:00–03:00 your time, UTC",
    });
    // The same three hours a week earlier read as three hours in Berlin too.
    expect(
      formatInTwoZones(
        { start: new Date("2026-03-22T00:00:00Z"), end: new Date("2026-03-22T03:00:00Z") },
        { worker: "Europe/Berlin", viewer: "UTC" },
        now,
      ).worker,
    ).toBe("Sun 22 Mar, 01:00–04:00 (Europe/Berlin)");
    // Between the American and the European change the gap is an hour shorter.
    const zones = { worker: "America/New_York", viewer: "Europe/Berlin" };
    expect(formatInTwoZones({ start: new Date("2026-03-20T14:00:00Z") }, zones, now)).toEqual({
      worker: "Fri 20 Mar, 10:00 (America/New_York)",
      yours: "15:00 your time, Europe/Berlin",
    });
    expect(formatInTwoZones({ start: new Date("2026-04-01T14:00:00Z") }, zones, now).yours).toBe(
      "16:00 your time, Europe/Berlin",
    );
  });

  test("in the hour repeated when summer time ends, the abbreviation tells the two apart", () => {
    expect(
      formatInTwoZones(
        { start: new Date("2026-10-25T00:30:00Z"), end: new Date("2026-10-25T01:30:00Z") },
        { worker: "Europe/Berlin", viewer: "UTC" },
        now,
      ),
    ).toEqual({
      worker: "Sun 25 Oct, 02:30 CEST–02:30 CET (Europe/Berlin)",
      yours: "00:30–01:30 your time, UTC",
    });
  });

  test("nothing beside it when the reviewer's clock reads the same", () => {
    const span = { start: new Date("2026-12-14T08:00:00Z"), end: new Date("2026-12-14T16:00:00Z") };
    expect(
      formatInTwoZones(span, { worker: "Europe/Berlin", viewer: "Europe/Berlin" }, now),
    ).toEqual({ worker: "Mon 14 Dec, 09:00–17:00 (Europe/Berlin)", yours: null });
    // Paris keeps Berlin's time: nothing to convert.
    expect(
      formatInTwoZones(span, { worker: "Europe/Berlin", viewer: "Europe/Paris" }, now).yours,
    ).toBeNull();
  });

  const ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/Sao_Paulo",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "Pacific/Auckland",
  ] as const;

  test("property: each line holds one zone, named once, and that zone's clock", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("2020-01-01T00:00:00Z"),
          max: new Date("2035-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 30 * 24 * 60 }),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...ZONES),
        (start, minutes, worker, viewer) => {
          const end = new Date(start.getTime() + minutes * 60_000);
          const text = formatInTwoZones({ start, end }, { worker, viewer }, now);
          expect(text.worker.endsWith(` (${worker})`)).toBe(true);
          expect(text.worker).toContain(localTimeKey(start, worker));
          expect(text.worker).toContain(localTimeKey(end, worker));
          for (const other of ZONES) {
            if (other !== worker) expect(text.worker).not.toContain(other);
          }
          const sameClock =
            localDateKey(start, worker) === localDateKey(start, viewer) &&
            localTimeKey(start, worker) === localTimeKey(start, viewer) &&
            localDateKey(end, worker) === localDateKey(end, viewer) &&
            localTimeKey(end, worker) === localTimeKey(end, viewer);
          if (sameClock) {
            expect(text.yours).toBeNull();
          } else {
            expect(text.yours!.endsWith(` your time, ${viewer}`)).toBe(true);
            expect(text.yours).toContain(localTimeKey(start, viewer));
            expect(text.yours).toContain(localTimeKey(end, viewer));
            for (const other of ZONES) {
              if (other !== viewer) expect(text.yours).not.toContain(other);
            }
          }
        },
      ),
    );
  });
});
