import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { FORMULA_START, csvRow } from "./csv.ts";
import {
  STAFF_EXPORTS_PER_DAY,
  decideExportRequest,
  exportStatus,
  progressPercent,
} from "./records-export.ts";

/** A strict RFC 4180 reader for one record, to check csvRow against. */
function parseRecord(text: string): string[] {
  expect(text.endsWith("\r\n")).toBe(true);
  const body = text.slice(0, -2);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let value = "";
    if (body[i] === '"') {
      i++;
      for (;;) {
        if (body[i] === '"' && body[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (body[i] === '"') {
          i++;
          break;
        } else {
          value += body[i++];
        }
      }
    } else {
      while (i < body.length && body[i] !== ",") value += body[i++];
    }
    fields.push(value);
    if (i >= body.length) return fields;
    expect(body[i]).toBe(",");
    i++;
  }
}

describe("csvRow", () => {
  test("property: any fields survive a round trip through RFC 4180", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme" }), { minLength: 1, maxLength: 6 }),
        (fields) => {
          // A text that begins like a formula comes back behind a ' (csv.ts, FORMULA_START).
          expect(parseRecord(csvRow(fields))).toEqual(
            fields.map((f) => (FORMULA_START.test(f) ? `'${f}` : f)),
          );
        },
      ),
    );
  });
});

describe("decideExportRequest", () => {
  const now = new Date("2026-11-27T22:30:00Z"); // 23:30 in Berlin, 07:30 next day in Tokyo
  const at = (iso: string, ownRequest = true) => ({
    status: "COMPLETE" as const,
    createdAt: new Date(iso),
    ownRequest,
  });

  test("three of the worker's own exports on their calendar day, then refused", () => {
    const three = [
      at("2026-11-27T08:00:00Z"),
      at("2026-11-27T12:00:00Z"),
      at("2026-11-27T20:00:00Z"),
    ];
    expect(
      decideExportRequest({ exports: three.slice(0, 2), now, timeZone: "Europe/Berlin" }).ok,
    ).toBe(true);
    expect(decideExportRequest({ exports: three, now, timeZone: "Europe/Berlin" })).toMatchObject({
      ok: false,
      refusal: { code: "rate_limited" },
    });
    // In Tokyo it is already the 28th: yesterday's exports do not count.
    expect(decideExportRequest({ exports: three, now, timeZone: "Asia/Tokyo" }).ok).toBe(true);
  });

  test("exports staff asked for do not use up the worker's three", () => {
    const staff = [1, 2, 3].map(() => at("2026-11-27T10:00:00Z", false));
    expect(decideExportRequest({ exports: staff, now, timeZone: "Europe/Berlin" }).ok).toBe(true);
  });

  test("property: a staff request never meets the worker's daily quota, only the staff budget", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: STAFF_EXPORTS_PER_DAY + 3 }),
        (workersOwn, staffToday) => {
          const own = Array.from({ length: workersOwn }, () => at("2026-11-27T10:00:00Z"));
          const decision = decideExportRequest({
            exports: own,
            now,
            timeZone: "Europe/Berlin",
            requester: {
              kind: "staff",
              timeZone: "Europe/Berlin",
              recentRequests: Array.from(
                { length: staffToday },
                () => new Date("2026-11-27T09:00:00Z"),
              ),
            },
          });
          expect(decision.ok).toBe(staffToday < STAFF_EXPORTS_PER_DAY);
          if (!decision.ok)
            expect(decision.refusal.message).toMatch(/^Staff can ask for 10 exports/);
        },
      ),
    );
  });

  test("staff are told, in their words, that an export is already being prepared", () => {
    const running = [{ status: "QUEUED" as const, createdAt: now, ownRequest: true }];
    const decision = decideExportRequest({
      exports: running,
      now,
      timeZone: "UTC",
      requester: { kind: "staff", timeZone: "UTC", recentRequests: [] },
    });
    expect(decision).toMatchObject({ ok: false, refusal: { code: "export_in_progress" } });
    if (!decision.ok) expect(decision.refusal.message).toMatch(/this person's records/);
  });

  test("one at a time", () => {
    const running = [{ status: "RUNNING" as const, createdAt: now, ownRequest: true }];
    expect(decideExportRequest({ exports: running, now, timeZone: "UTC" })).toMatchObject({
      ok: false,
      refusal: { code: "export_in_progress" },
    });
  });
});

describe("status and progress", () => {
  test("a complete export past its keep date reads as expired", () => {
    const now = new Date("2026-12-05T00:00:00Z");
    expect(
      exportStatus({ status: "COMPLETE", expiresAt: new Date("2026-12-04T00:00:00Z") }, now),
    ).toBe("EXPIRED");
    expect(
      exportStatus({ status: "COMPLETE", expiresAt: new Date("2026-12-06T00:00:00Z") }, now),
    ).toBe("COMPLETE");
  });

  test("progress is a whole percentage, never above 100", () => {
    expect(progressPercent(0, 0)).toBe(0);
    expect(progressPercent(1, 3)).toBe(33);
    expect(progressPercent(5, 3)).toBe(100);
  });
});
