import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { wallClock, zoneOffsetMs } from "#app/domain/local-time.ts";
import { localTimeFormatter } from "./export/local-time-column.ts";

describe("the export's local time column", () => {
  test("property: equals the wall clock in the zone, with its offset, across DST and odd offsets", () => {
    const zones = [
      "Europe/Berlin",
      "America/New_York",
      "Asia/Kolkata",
      "Australia/Adelaide",
      "UTC",
    ];
    const formatters = new Map(zones.map((z) => [z, localTimeFormatter(z)]));
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) }),
        (zone, ms) => {
          const instant = new Date(ms);
          const stored = instant.toISOString().replace("Z", "+00:00");
          const text = formatters.get(zone)!(stored);
          const w = wallClock(instant, zone);
          const pad = (n: number) => String(n).padStart(2, "0");
          expect(text.slice(0, 16)).toBe(
            `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`,
          );
          // The stated offset turns it back into the same instant.
          expect(Date.parse(text)).toBe(ms);
          expect(zoneOffsetMs(instant, zone)).toBe(
            (text.endsWith("Z") ? 0 : 1) * (Date.parse(`${text.slice(0, 23)}Z`) - ms),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
