import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { countOf, formatBytes, formatCount, formatCpuTime } from "./formatting.ts";

const UNIT_BYTES: Record<string, number> = {
  byte: 1,
  bytes: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/** The number of bytes a formatted size stands for. */
function readBack(text: string): number {
  const match = /^([\d,]+(?:\.\d)?) (bytes?|KB|MB|GB|TB)$/.exec(text);
  if (!match) throw new Error(`not a formatted size: ${text}`);
  return Number(match[1]!.replace(/,/g, "")) * UNIT_BYTES[match[2]!]!;
}

describe("formatBytes", () => {
  test("sizes as the devices page shows them", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(1023)).toBe("1,023 bytes");
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(1.2 * 1024 ** 2)).toBe("1.2 MB");
    expect(formatBytes(8.44 * 1024 ** 2)).toBe("8.4 MB");
    expect(formatBytes(48 * 1024 ** 2 + 300_000)).toBe("48 MB");
    expect(formatBytes(9.96 * 1024)).toBe("10 KB");
    expect(formatBytes(1024 ** 2 - 1)).toBe("1 MB");
    expect(formatBytes(3 * 1024 ** 5)).toBe("3,072 TB");
  });

  test("refuses what is not a size", () => {
    expect(() => formatBytes(-1)).toThrow(RangeError);
    expect(() => formatBytes(Number.NaN)).toThrow(RangeError);
  });

  test("property: reads back within 5 %, one decimal only below 10, never 1,024 of a unit below TB", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 52 }), (bytes) => {
        const text = formatBytes(bytes);
        const back = readBack(text);
        if (bytes < 1024) expect(back).toBe(bytes);
        else expect(Math.abs(back - bytes) / bytes).toBeLessThanOrEqual(0.05);
        const [number, unit] = text.split(" ") as [string, string];
        if (number.includes(".")) expect(Number(number)).toBeLessThan(10);
        if (unit !== "TB" && unit !== "bytes")
          expect(Number(number.replace(/,/g, ""))).toBeLessThan(1024);
      }),
      { numRuns: 2000 },
    );
  });

  test("property: a larger size never reads as less", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 50 }), fc.nat({ max: 2 ** 50 }), (a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        expect(readBack(formatBytes(small))).toBeLessThanOrEqual(readBack(formatBytes(large)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("formatCpuTime", () => {
  test("CPU time from a tick to hours", () => {
    expect(formatCpuTime(0)).toBe("under 0.1 s");
    expect(formatCpuTime(49)).toBe("under 0.1 s");
    expect(formatCpuTime(50)).toBe("0.1 s");
    expect(formatCpuTime(1400)).toBe("1.4 s");
    expect(formatCpuTime(9960)).toBe("10 s");
    expect(formatCpuTime(14_200)).toBe("14 s");
    expect(formatCpuTime(59_499)).toBe("59 s");
    expect(formatCpuTime(59_500)).toBe("1 min");
    expect(formatCpuTime(125_000)).toBe("2 min 5 s");
    expect(formatCpuTime(3_599_600)).toBe("1 h");
    expect(formatCpuTime(12_000_000)).toBe("3 h 20 min");
  });

  test("property: always a number and a unit, and a longer time never reads as shorter", () => {
    const seconds = (text: string): number => {
      if (text === "under 0.1 s") return 0;
      let total = 0;
      for (const [, n, unit] of text.matchAll(/([\d,.]+) (h|min|s)/g))
        total += Number(n!.replace(/,/g, "")) * (unit === "h" ? 3600 : unit === "min" ? 60 : 1);
      return total;
    };
    fc.assert(
      fc.property(fc.nat({ max: 10 ** 10 }), fc.nat({ max: 10 ** 10 }), (a, b) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(formatCpuTime(short)).toMatch(/^(under 0\.1 s|[\d,.]+ (h|min|s)( \d+ (min|s))?)$/);
        expect(seconds(formatCpuTime(short))).toBeLessThanOrEqual(seconds(formatCpuTime(long)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("counts", () => {
  test("group digits and agree in number", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(countOf(1, "batch", "batches")).toBe("1 batch");
    expect(countOf(34, "batch", "batches")).toBe("34 batches");
    expect(countOf(0, "report")).toBe("0 reports");
  });
});
