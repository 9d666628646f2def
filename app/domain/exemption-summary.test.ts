import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { evaluateExemptionDraft } from "./exemption-draft.ts";
import { ExemptionRequestSchema } from "./exemption-forms.ts";
import { exemptionFormDefaults, summarizeExemptionForm } from "./exemption-summary.ts";
import { localToUtc } from "./local-time.ts";

const ZONES = [
  "Europe/Berlin",
  "America/Sao_Paulo",
  "Asia/Kolkata",
  "Australia/Adelaide",
  "Pacific/Chatham",
  "America/New_York",
  "UTC",
];

describe("exemptionFormDefaults", () => {
  test("in the evening the end is after the start, on the next day", () => {
    const d = exemptionFormDefaults(new Date("2026-12-02T21:07:00Z"), "Europe/Berlin");
    expect(d).toMatchObject({
      startDate: "2026-12-02",
      startTime: "22:07",
      endDate: "2026-12-03",
      endTime: "00:15",
    });
  });

  test("property: at any moment, in any zone, the defaults are a request the server accepts", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("2026-01-01T00:00:00Z"),
          max: new Date("2028-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom(...ZONES),
        (now, zone) => {
          const d = exemptionFormDefaults(now, zone);
          const parsed = ExemptionRequestSchema.safeParse({
            ...d,
            reason: "MEDICAL",
            justification: "A medical appointment every week.",
          });
          expect(parsed.success).toBe(true);
          const start = localToUtc(d.startDate, d.startTime, zone);
          const end = localToUtc(d.endDate, d.endTime, zone);
          expect(start.ok && end.ok).toBe(true);
          if (!start.ok || !end.ok) return;
          expect(
            evaluateExemptionDraft(
              {
                startsAt: start.instant,
                endsAt: end.instant,
                recurrence: null,
                scopeTypes: null,
                timeZone: zone,
              },
              { maxExemptionDays: 1, now },
            ),
          ).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("around the autumn clock change the start names one instant, never an hour earlier", () => {
    // 01:05 UTC on 25 Oct 2026 is 02:05 CET, the second time Berlin's clocks read 02:05.
    const now = new Date("2026-10-25T01:05:00Z");
    const d = exemptionFormDefaults(now, "Europe/Berlin");
    const start = localToUtc(d.startDate, d.startTime, "Europe/Berlin");
    expect(start.ok && start.instant.getTime()).toBeGreaterThanOrEqual(now.getTime() - 60_000);
  });
});

describe("summarizeExemptionForm", () => {
  const once = {
    scope: "all",
    repeat: "once",
    startDate: "2026-12-02",
    startTime: "18:15",
    endDate: "2026-12-03",
    endTime: "09:00",
  };

  test("all collection, once", () => {
    expect(summarizeExemptionForm(once, "Europe/Berlin")).toEqual({
      complete: true,
      text: "If approved, from Wed 2 Dec, 18:15 until Thu 3 Dec, 09:00 (Europe/Berlin), your agents collect nothing.",
    });
  });

  test("some kinds of data, weekly, names what stops and what goes on", () => {
    expect(
      summarizeExemptionForm(
        {
          ...once,
          scope: "types",
          scopeTypes: ["click", "keystroke"],
          repeat: "weekly",
          days: ["3", "1"],
          fromTime: "14:00",
          toTime: "16:00",
          endDate: "2026-12-16",
        },
        "Asia/Kolkata",
      ).text,
    ).toBe(
      "If approved, on Mondays and Wednesdays from 14:00 to 16:00 (Asia/Kolkata), between Wed 2 Dec, 18:15 and Wed 16 Dec, 09:00, your agents stop collecting keystrokes and mouse clicks; everything else is collected as usual.",
    );
  });

  test("says what is missing, never a wrong sentence", () => {
    expect(summarizeExemptionForm({ ...once, endTime: "" }, "UTC").complete).toBe(false);
    expect(summarizeExemptionForm({ ...once, scope: "types" }, "UTC").text).toMatch(
      /Choose at least one kind of data/,
    );
    expect(summarizeExemptionForm({ ...once, repeat: "weekly" }, "UTC").text).toMatch(
      /Choose the days/,
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))), (v) => {
        expect(typeof summarizeExemptionForm(v, "UTC").text).toBe("string");
      }),
    );
  });
});
