import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EventSchema, LIMITS, eventDataProblem } from "./v1.ts";

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
