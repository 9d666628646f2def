import { describe, expect, test } from "vitest";
import {
  deletionReceiptFileName,
  describeDeletedCounts,
  describeDeletionFor,
  type DeletionRow,
} from "./deletion-receipts.ts";

const row = (over: Partial<DeletionRow>): DeletionRow => ({
  kind: "RETENTION",
  spanStart: null,
  spanEnd: null,
  app: null,
  events: 0,
  hourlyRollups: 0,
  dailyRollups: 0,
  ...over,
});

describe("a deletion in the worker's words", () => {
  test("names the span, the application or the cutoff, in the worker's zone", () => {
    expect(
      describeDeletionFor(
        row({
          kind: "FORGET",
          spanStart: new Date("2026-12-02T09:15:00Z"),
          spanEnd: new Date("2026-12-02T09:30:00Z"),
        }),
        "Europe/Berlin",
      ),
    ).toBe(
      "The span from 2 Dec 2026, 10:15 CET to 2 Dec 2026, 10:30 CET, which you asked to forget",
    );
    expect(describeDeletionFor(row({ kind: "PRIVATE_APP", app: "Signal*" }), "UTC")).toBe(
      'Every stored event of the private application "Signal*"',
    );
    expect(
      describeDeletionFor(row({ spanEnd: new Date("2026-09-04T07:00:00Z") }), "Europe/Berlin"),
    ).toBe("Data recorded before 4 Sept 2026, 09:00 CEST, past the retention period");
  });

  test("counts events and rollup rows, one or many", () => {
    expect(describeDeletedCounts(row({ events: 1, hourlyRollups: 1, dailyRollups: 1 }))).toBe(
      "1 event, 1 hourly and 1 daily rollup row",
    );
    expect(describeDeletedCounts(row({ events: 90, hourlyRollups: 12, dailyRollups: 4 }))).toBe(
      "90 events, 12 hourly and 4 daily rollup rows",
    );
  });

  test("the receipt's file name: kind, UTC day and id", () => {
    expect(
      deletionReceiptFileName({
        receiptId: "0b6f",
        deletion: { kind: "private_app" },
        deletedAt: "2026-12-02T23:59:59.000Z",
      }),
    ).toBe("lull-deletion-receipt-private-app-2026-12-02-0b6f.json");
  });
});
