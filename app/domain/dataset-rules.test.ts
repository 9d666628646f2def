import { describe, expect, test } from "vitest";
import { datasetRange, describeDatasetInclusion, MAX_DATASET_DAYS } from "./dataset-rules.ts";

const NOW = new Date("2026-12-03T12:00:00.000Z");

describe("datasetRange", () => {
  test("local days become [start of the first, start of the day after the last) in UTC", () => {
    const r = datasetRange("2026-11-01", "2026-11-30", "Europe/Berlin", NOW);
    expect(r).toEqual({
      ok: true,
      start: new Date("2026-10-31T23:00:00.000Z"),
      end: new Date("2026-11-30T23:00:00.000Z"),
    });
  });

  test("a day with a daylight-saving change is 25 hours long", () => {
    const r = datasetRange("2026-11-01", "2026-11-01", "America/Los_Angeles", NOW);
    if (!r.ok) throw new Error(r.refusal.message);
    expect(r.end.getTime() - r.start.getTime()).toBe(25 * 3_600_000);
  });

  test("today counts by the requester's calendar, not UTC's", () => {
    // 12:00 UTC is already 4 December in Auckland.
    expect(datasetRange("2026-12-04", "2026-12-04", "Pacific/Auckland", NOW).ok).toBe(true);
    expect(datasetRange("2026-12-04", "2026-12-04", "America/Los_Angeles", NOW).ok).toBe(false);
  });

  test("backwards and over-long ranges are refused on their field", () => {
    const backwards = datasetRange("2026-11-02", "2026-11-01", "UTC", NOW);
    expect(backwards.ok ? null : backwards.refusal.field).toBe("to");
    const long = datasetRange("2025-01-01", "2026-11-30", "UTC", NOW);
    expect(long.ok ? null : long.refusal.message).toContain(String(MAX_DATASET_DAYS));
  });
});

describe("describeDatasetInclusion", () => {
  const metadata = {
    datasetId: "d1",
    name: "Q4 typing",
    from: "2026-11-02T08:12:00.000Z",
    to: "2026-11-30T16:40:00.000Z",
    events: 1234,
  };

  test("says when, how many and for what, in the worker's zone", () => {
    expect(describeDatasetInclusion(metadata, "Training AI models", "Europe/Berlin")).toBe(
      'Your events from 2 Nov 2026, 09:12 CET to 30 Nov 2026, 17:40 CET (1,234 events) were included in dataset "Q4 typing" for training AI models',
    );
  });

  test("metadata of another shape is not described", () => {
    expect(describeDatasetInclusion({ name: "x" }, null, "UTC")).toBeNull();
  });
});
