import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  compareWithLatestReport,
  describeResourceUse,
  describeUploads,
  footprintHours,
  periodInWords,
  sumUploads,
  usageReportTimeProblem,
  type UploadHour,
} from "./device-footprint.ts";

const MB = 1024 * 1024;
const row = (iso: string, bytes: number, batches = 1, events = 10): UploadHour => ({
  hour: new Date(iso),
  bytes,
  batches,
  events,
});

describe("today and the last 7 days, in the worker's zone", () => {
  test("Berlin: the hour that starts at local midnight is today's; the one before is yesterday's", () => {
    const now = new Date("2026-12-02T10:15:00Z"); // 11:15 in Berlin (CET, UTC+1)
    expect(footprintHours(now, "Europe/Berlin")).toEqual({
      today: new Date("2026-12-01T23:00:00Z"),
      week: new Date("2026-11-25T23:00:00Z"),
    });
    const hours = [
      row("2026-12-01T22:00:00Z", 1 * MB), // 23:00 on 1 Dec in Berlin: yesterday
      row("2026-12-01T23:00:00Z", 2 * MB, 3), // 00:00 on 2 Dec: today
      row("2026-12-02T10:00:00Z", 4 * MB, 5), // this hour
      row("2026-11-25T23:00:00Z", 8 * MB), // 00:00 on 26 Nov: the 7th day back
      row("2026-11-25T22:00:00Z", 16 * MB), // 23:00 on 25 Nov: too old
    ];
    expect(sumUploads(hours, now, "Europe/Berlin")).toEqual({
      today: { bytes: 6 * MB, batches: 8, events: 20 },
      week: { bytes: 15 * MB, batches: 10, events: 40 },
    });
  });

  test("the same rows make another day in another zone (New York)", () => {
    const now = new Date("2026-12-02T03:00:00Z"); // 22:00 on 1 Dec in New York
    const hours = [row("2026-12-01T22:00:00Z", MB), row("2026-12-01T04:00:00Z", 2 * MB)];
    // New York's 1 Dec began at 05:00Z: the 04:00Z hour is 30 Nov there.
    expect(sumUploads(hours, now, "America/New_York").today.bytes).toBe(MB);
    expect(sumUploads(hours, now, "America/New_York").week.bytes).toBe(3 * MB);
  });

  test("Kolkata (UTC+5:30): the hour holding local midnight counts for the new day", () => {
    const now = new Date("2026-12-01T19:00:00Z"); // 00:30 on 2 Dec in Kolkata
    expect(footprintHours(now, "Asia/Kolkata").today).toEqual(new Date("2026-12-01T18:00:00Z"));
    const hours = [row("2026-12-01T18:00:00Z", MB), row("2026-12-01T17:00:00Z", 2 * MB)];
    expect(sumUploads(hours, now, "Asia/Kolkata").today.bytes).toBe(MB);
  });

  test("property: today is part of the week, and each is the sum of exactly its rows", () => {
    const zones = fc.constantFrom(
      "UTC",
      "Europe/Berlin",
      "America/New_York",
      "Asia/Kolkata",
      "Pacific/Chatham",
      "America/St_Johns",
    );
    const base = Date.parse("2026-01-01T00:00:00Z");
    const hourArb = fc.record({
      hour: fc.integer({ min: 0, max: 24 * 400 }).map((h) => new Date(base + h * 3_600_000)),
      bytes: fc.nat({ max: 10 * MB }),
      batches: fc.integer({ min: 1, max: 100 }),
      events: fc.nat({ max: 5000 }),
    });
    fc.assert(
      fc.property(
        fc.array(hourArb, { maxLength: 40 }),
        fc.integer({ min: 24 * 10, max: 24 * 400 }),
        zones,
        (hours, nowHours, zone) => {
          const now = new Date(base + nowHours * 3_600_000 + 1_234_567);
          const { today, week } = sumUploads(hours, now, zone);
          expect(today.bytes).toBeLessThanOrEqual(week.bytes);
          expect(today.batches).toBeLessThanOrEqual(week.batches);
          const from = footprintHours(now, zone);
          const inRange = (since: Date) =>
            hours.filter((h) => h.hour >= since && h.hour <= now).reduce((s, h) => s + h.bytes, 0);
          expect(today.bytes).toBe(inRange(from.today));
          expect(week.bytes).toBe(inRange(from.week));
          // Six whole local days and today so far, give or take the DST hour and the partial
          // hour of the zone: just after midnight on the day a clock moved forward, barely six
          // days less that hour (Pacific/Chatham, 2026-09-28 00:05, found by CI).
          const span = now.getTime() - from.week.getTime();
          expect(span).toBeGreaterThan(6 * 86_400_000 - 3_600_000);
          expect(span).toBeLessThanOrEqual(7 * 86_400_000 + 2 * 3_600_000);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the device card's upload lines", () => {
  const now = new Date("2026-12-02T13:30:00Z"); // 14:30 in Berlin
  test("in words, with one size format", () => {
    const hours = [
      row("2026-12-02T13:00:00Z", 1.2 * MB, 34),
      row("2026-11-30T09:00:00Z", 7.2 * MB, 200),
    ];
    expect(describeUploads(hours, new Date("2026-12-02T13:02:10Z"), now, "Europe/Berlin")).toEqual({
      kind: "some",
      today: "Uploaded today: 1.2 MB in 34 batches.",
      week: "Last 7 days: 8.4 MB in 234 batches.",
      lastUpload: "Last upload: 14:02.",
    });
  });

  test("nothing today, and an upload of an earlier day with its date", () => {
    const hours = [row("2026-11-30T09:00:00Z", 512, 1)];
    const lines = describeUploads(hours, new Date("2026-11-30T09:10:00Z"), now, "Europe/Berlin");
    expect(lines).toEqual({
      kind: "some",
      today: "Nothing uploaded today.",
      week: "Last 7 days: 512 bytes in 1 batch.",
      lastUpload: "Last upload: 30 Nov 2026, 10:10 CET.",
    });
  });

  test("a device that sent nothing says so in words, not zeros", () => {
    expect(describeUploads([], null, now, "Europe/Berlin")).toEqual({
      kind: "none",
      summary: "Nothing uploaded yet.",
    });
    expect(describeUploads([], new Date("2026-11-01T09:10:00Z"), now, "Europe/Berlin")).toEqual({
      kind: "none",
      summary: "Nothing uploaded in the last 7 days; the last upload was 1 Nov 2026, 10:10 CET.",
    });
  });
});

describe("the agent's own use", () => {
  const now = new Date("2026-12-02T13:30:00Z");
  test("in a sentence, with the period it covers and when it arrived", () => {
    expect(
      describeResourceUse(
        {
          periodStart: new Date("2026-12-02T12:00:00Z"),
          periodEnd: new Date("2026-12-02T13:00:00Z"),
          cpuMs: 1400,
          rssBytes: 48 * MB,
          receivedAt: new Date("2026-12-02T13:00:01Z"),
        },
        now,
        "Europe/Berlin",
      ),
    ).toBe("Agent used 1.4 s of CPU and 48 MB of memory in the last hour (reported 14:00).");
    expect(describeResourceUse(null, now, "Europe/Berlin")).toBe(
      "The agent has not reported its CPU and memory use yet.",
    );
  });

  test("periods in words", () => {
    expect(periodInWords(3_600_000)).toBe("the last hour");
    expect(periodInWords(3_500_000)).toBe("the last hour");
    expect(periodInWords(2_000)).toBe("the last 2 seconds");
    expect(periodInWords(400)).toBe("the last 1 second");
    expect(periodInWords(12 * 60_000)).toBe("the last 12 minutes");
    expect(periodInWords(3 * 3_600_000)).toBe("the last 3 hours");
  });
});

describe("usage report rules", () => {
  const bounds = { futureToleranceMs: 5 * 60_000, earliestBeforeEnrollmentMs: 86_400_000 };
  const now = new Date("2026-12-02T13:30:00Z");
  const enrolledAt = new Date("2026-12-01T09:00:00Z");
  test("a period ending in the future or starting long before enrollment is refused", () => {
    const check = (periodStart: string, periodEnd: string) =>
      usageReportTimeProblem({ periodStart, periodEnd }, { now, enrolledAt }, bounds)?.field ??
      null;
    expect(check("2026-12-02T12:30:00Z", "2026-12-02T13:30:00Z")).toBeNull();
    expect(check("2026-12-02T12:30:00Z", "2026-12-02T13:35:00Z")).toBeNull();
    expect(check("2026-12-02T12:30:00Z", "2026-12-02T13:35:01Z")).toBe("periodEnd");
    expect(check("2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z")).toBeNull();
    expect(check("2026-11-30T08:59:59Z", "2026-11-30T10:00:00Z")).toBe("periodStart");
  });

  test("a resend of the latest period is a duplicate; a period starting before its end overlaps", () => {
    const at = (iso: string) => new Date(iso);
    const latest = {
      periodStart: at("2026-12-02T12:00:00Z"),
      periodEnd: at("2026-12-02T13:00:00Z"),
    };
    expect(compareWithLatestReport(latest, null)).toBe("new");
    expect(compareWithLatestReport({ ...latest }, latest)).toBe("duplicate");
    expect(
      compareWithLatestReport(
        { periodStart: at("2026-12-02T13:00:00Z"), periodEnd: at("2026-12-02T14:00:00Z") },
        latest,
      ),
    ).toBe("new");
    expect(
      compareWithLatestReport(
        { periodStart: at("2026-12-02T12:59:59Z"), periodEnd: at("2026-12-02T14:00:00Z") },
        latest,
      ),
    ).toBe("overlaps");
  });
});
