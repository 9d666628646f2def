import { describe, expect, test } from "vitest";
import {
  describeTimeZone,
  formatDateTime,
  greetingFor,
  isValidTimeZone,
  localHour,
} from "./local-time.ts";

describe("local time", () => {
  const instant = new Date("2026-07-01T06:30:00Z");

  test("the hour depends on the worker's zone", () => {
    expect(localHour(instant, "UTC")).toBe(6);
    expect(localHour(instant, "Europe/Berlin")).toBe(8);
    expect(localHour(instant, "America/New_York")).toBe(2);
  });

  test("greetings follow the worker's clock", () => {
    expect(greetingFor(instant, "Europe/Berlin")).toBe("Good morning");
    expect(greetingFor(instant, "Asia/Tokyo")).toBe("Good afternoon");
    expect(greetingFor(instant, "America/Los_Angeles")).toBe("Good evening");
  });

  test("times are shown with the zone named", () => {
    expect(formatDateTime(instant, "Europe/Berlin")).toBe("1 Jul 2026, 08:30 CEST");
    expect(describeTimeZone("Europe/Berlin", instant)).toBe("Europe/Berlin (CEST)");
    expect(describeTimeZone("UTC", instant)).toBe("UTC");
  });

  test("unknown zones are recognised", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
