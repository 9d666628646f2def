import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EventSchema, LIMITS, UsageReportSchema, eventDataProblem } from "./v1.ts";

/** The obvious recursive depth (an object or array is one level more than its deepest child). */
function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Data around a chain of `levels` objects and arrays: depths on both sides of the limit. */
const deepData = fc
  .tuple(fc.array(fc.boolean(), { maxLength: 30 }), fc.jsonValue({ maxDepth: 2 }))
  .map(([levels, leaf]) => {
    let value: unknown = leaf;
    for (const asArray of levels) value = asArray ? [value] : { k: value };
    return { v: value } as Record<string, unknown>;
  });

describe("an event's data limits", () => {
  test("property: refused exactly when deeper than the limit or longer than the limit as JSON", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 })), deepData),
        (data) => {
          const tooDeep = depthOf(data) > LIMITS.maxEventDataDepth;
          const tooLong =
            new TextEncoder().encode(JSON.stringify(data)).byteLength > LIMITS.maxEventDataBytes;
          const problem = eventDataProblem(data);
          if (tooDeep) expect(problem).toMatch(/nested at most/);
          else if (tooLong) expect(problem).toMatch(/bytes as JSON/);
          else expect(problem).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("a million levels are measured without recursion", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(eventDataProblem({ deep })).toMatch(/nested at most/);
    const parsed = EventSchema.safeParse({
      type: "click",
      at: "2026-11-27T09:30:00Z",
      app: "Editor",
      data: { deep },
    });
    expect(parsed.success).toBe(false);
  });
});

describe("a usage report", () => {
  const start = Date.parse("2026-12-02T12:00:00Z");
  const report = (overrides: Partial<Record<string, unknown>> = {}) => ({
    periodStart: new Date(start).toISOString(),
    periodEnd: new Date(start + 3_600_000).toISOString(),
    cpuMs: 1400,
    rssBytes: 48 * 1024 * 1024,
    ...overrides,
  });
  const issues = (body: unknown) => {
    const parsed = UsageReportSchema.safeParse(body);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join("."));
  };

  test("takes an hour's CPU time and RSS, and names the field of anything absurd", () => {
    expect(issues(report())).toEqual([]);
    expect(issues(report({ cpuMs: -1 }))).toEqual(["cpuMs"]);
    expect(issues(report({ cpuMs: 1.5 }))).toEqual(["cpuMs"]);
    expect(issues(report({ rssBytes: 0 }))).toEqual(["rssBytes"]);
    expect(issues(report({ rssBytes: LIMITS.maxUsageRssBytes + 1 }))).toEqual(["rssBytes"]);
    expect(issues(report({ periodEnd: new Date(start).toISOString() }))).toEqual(["periodEnd"]);
    expect(
      issues(report({ periodStart: new Date(start - 23 * 3_600_000 - 1).toISOString() })),
    ).toEqual(["periodStart"]);
    expect(issues(report({ periodStart: "yesterday" }))).toEqual(["periodStart"]);
    expect(issues({})).toEqual(["periodStart", "periodEnd", "cpuMs", "rssBytes"]);
  });

  test("property: CPU time is accepted exactly up to 64 cores' worth of the period", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: LIMITS.maxUsagePeriodSeconds * 1000 }),
        fc.double({ min: 0, max: 80_000, noNaN: true }),
        (periodMs, cpuPerSecond) => {
          const cpuMs = Math.floor((periodMs / 1000) * cpuPerSecond);
          const body = report({
            periodEnd: new Date(start + periodMs).toISOString(),
            cpuMs,
          });
          const allowed = cpuMs <= Math.floor((periodMs / 1000) * LIMITS.maxUsageCpuMsPerSecond);
          expect(issues(body)).toEqual(allowed ? [] : ["cpuMs"]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
