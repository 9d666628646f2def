import { describe, expect, test } from "vitest";
import {
  localDateKey,
  localToUtc,
  nextDateKey,
  startOfLocalDay,
  wallClock,
  zoneOffsetMs,
} from "./local-time.ts";

describe("localToUtc around the 2026 transitions", () => {
  test("New York, spring forward (8 Mar 2026): 01:45 EST exists, 02:30 does not", () => {
    const before = localToUtc("2026-03-08", "01:45", "America/New_York");
    expect(before).toEqual({
      ok: true,
      instant: new Date("2026-03-08T06:45:00Z"),
      ambiguous: false,
    });
    expect(localToUtc("2026-03-08", "02:30", "America/New_York")).toEqual({
      ok: false,
      reason: "nonexistent",
    });
    expect(localToUtc("2026-03-08", "03:00", "America/New_York")).toMatchObject({
      instant: new Date("2026-03-08T07:00:00Z"),
    });
  });

  test("New York, fall back (1 Nov 2026): 01:30 happens twice and resolves to the first", () => {
    expect(localToUtc("2026-11-01", "01:30", "America/New_York")).toEqual({
      ok: true,
      instant: new Date("2026-11-01T05:30:00Z"),
      ambiguous: true,
    });
  });

  test("Berlin, spring forward (29 Mar 2026): 02:15 does not exist", () => {
    expect(localToUtc("2026-03-29", "02:15", "Europe/Berlin")).toEqual({
      ok: false,
      reason: "nonexistent",
    });
    expect(localToUtc("2026-03-29", "01:45", "Europe/Berlin")).toMatchObject({
      instant: new Date("2026-03-29T00:45:00Z"),
    });
  });

  test("Berlin, fall back (25 Oct 2026): 02:30 resolves to CEST, the first one", () => {
    expect(localToUtc("2026-10-25", "02:30", "Europe/Berlin")).toEqual({
      ok: true,
      instant: new Date("2026-10-25T00:30:00Z"),
      ambiguous: true,
    });
  });

  test("impossible dates and times are invalid", () => {
    expect(localToUtc("2026-02-30", "10:00", "UTC")).toEqual({ ok: false, reason: "invalid" });
    expect(localToUtc("2026-02-10", "24:00", "UTC")).toEqual({ ok: false, reason: "invalid" });
    expect(localToUtc("10/02/2026", "10:00", "UTC")).toEqual({ ok: false, reason: "invalid" });
  });

  test("local days are 23 and 25 hours long on transition days", () => {
    const ny = "America/New_York";
    const spring =
      startOfLocalDay(nextDateKey("2026-03-08"), ny).getTime() -
      startOfLocalDay("2026-03-08", ny).getTime();
    expect(spring).toBe(23 * 3600_000);
    const fall =
      startOfLocalDay("2026-11-02", ny).getTime() - startOfLocalDay("2026-11-01", ny).getTime();
    expect(fall).toBe(25 * 3600_000);
  });

  test("offsets and wall clocks", () => {
    expect(zoneOffsetMs(new Date("2026-01-15T12:00:00Z"), "Europe/Berlin")).toBe(3600_000);
    expect(zoneOffsetMs(new Date("2026-07-15T12:00:00Z"), "Europe/Berlin")).toBe(7200_000);
    expect(zoneOffsetMs(new Date("2026-07-15T12:00:00Z"), "Asia/Kolkata")).toBe(5.5 * 3600_000);
    expect(wallClock(new Date("2026-11-27T23:30:00Z"), "Asia/Tokyo")).toMatchObject({
      day: 28,
      hour: 8,
    });
    expect(localDateKey(new Date("2026-11-27T23:30:00Z"), "Asia/Tokyo")).toBe("2026-11-28");
    expect(nextDateKey("2026-12-31")).toBe("2027-01-01");
  });
});
