import { describe, expect, test } from "vitest";
import { localTimeFormatter } from "./local-time-column.ts";
import {
  deviceJson,
  PAUSE_CSV_COLUMNS,
  pauseCsvRecord,
  pauseJson,
  ROLLUP_CSV_COLUMNS,
  rollupCsvRecord,
  withParsedJson,
} from "./section-rows.ts";

const berlin = localTimeFormatter("Europe/Berlin");

describe("the export's small sections", () => {
  test("a device is shown with UTC times and its counters, never more than listed", () => {
    expect(
      deviceJson({
        id: "d1",
        name: "Laptop",
        platform: "linux",
        agentVersion: "1.0.0",
        createdAt: "2026-11-01T08:00:00.000+00:00",
        lastSeenAt: null,
        revokedAt: "2026-11-02T08:00:00.000+00:00",
        storedEvents: 5,
        discardedPaused: 1,
        discardedExempt: 2,
        discardedUnacknowledged: 3,
        rejectedFuture: 4,
      }),
    ).toEqual({
      id: "d1",
      name: "Laptop",
      platform: "linux",
      agentVersion: "1.0.0",
      enrolledAt: "2026-11-01T08:00:00.000Z",
      lastSeenAt: null,
      revokedAt: "2026-11-02T08:00:00.000Z",
      eventsStored: 5,
      refusedDuringPauses: 1,
      refusedDuringExemptions: 2,
      refusedBeforeAcknowledgement: 3,
      refusedFutureDated: 4,
    });
  });

  const pause = {
    id: "p1",
    kind: "NOW",
    startsAt: "2026-07-01T09:00:00.000+00:00",
    endsAt: "2026-07-01T09:30:00.000+00:00",
    endedEarlyAt: "2026-07-01T09:10:00.000+00:00",
    cancelledAt: null,
    createdAt: "2026-07-01T09:00:00.000+00:00",
  };

  test("a pause's CSV record has one value per column, local times in the worker's zone, empty for missing", () => {
    const record = pauseCsvRecord(pause, berlin);
    expect(record).toHaveLength(PAUSE_CSV_COLUMNS.length);
    expect(record).toEqual([
      "p1",
      "NOW",
      "2026-07-01T09:00:00.000Z",
      "2026-07-01T11:00:00.000+02:00",
      "2026-07-01T09:30:00.000Z",
      "2026-07-01T11:30:00.000+02:00",
      "2026-07-01T09:10:00.000Z",
      null,
      "2026-07-01T09:00:00.000Z",
    ]);
  });

  test("a pause's JSON has UTC times and null for what did not happen", () => {
    expect(pauseJson(pause)).toEqual({
      id: "p1",
      kind: "NOW",
      startsAt: "2026-07-01T09:00:00.000Z",
      endsAt: "2026-07-01T09:30:00.000Z",
      endedEarlyAt: "2026-07-01T09:10:00.000Z",
      cancelledAt: null,
      createdAt: "2026-07-01T09:00:00.000Z",
    });
  });

  test("a rollup's CSV record has its hour in UTC and local time", () => {
    const record = rollupCsvRecord(
      {
        hour: "2026-01-05T08:00:00.000+00:00",
        deviceId: "d1",
        type: "click",
        app: "Mail",
        count: 7,
      },
      berlin,
    );
    expect(record).toHaveLength(ROLLUP_CSV_COLUMNS.length);
    expect(record).toEqual([
      "2026-01-05T08:00:00.000Z",
      "2026-01-05T09:00:00.000+01:00",
      "d1",
      "click",
      "Mail",
      7,
    ]);
  });

  test("JSON stored as text is nested, in the same place among the keys", () => {
    const row = withParsedJson({ at: 1, metadata: '{"reason":"x"}', action: "a" }, "metadata");
    expect(row).toEqual({ at: 1, metadata: { reason: "x" }, action: "a" });
    expect(Object.keys(row)).toEqual(["at", "metadata", "action"]);
  });
});
