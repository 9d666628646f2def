/**
 * Budgets hold across nodes (issue 18, ADR 0036): two limiters with the same
 * name stand for the same budget on two nodes; both count in the database.
 * With SQLite's in-memory store each would allow the whole budget.
 */
import { describe, expect, test } from "vitest";
import { createRateLimiter } from "#app/utils/rate-limit.server.ts";

const budget = (name: string) => createRateLimiter({ name, limit: 5, windowMs: 60_000 });

describe("request budgets on PostgreSQL", () => {
  test("hits on two nodes count against one budget", async () => {
    const nodeA = budget("test.shared");
    const nodeB = budget("test.shared");
    for (let i = 0; i < 3; i++) expect(await nodeA.hit("device-1")).toEqual({ allowed: true });
    expect(await nodeB.hit("device-1")).toEqual({ allowed: true });
    expect(await nodeB.hit("device-1")).toEqual({ allowed: true });
    const refused = await nodeA.hit("device-1");
    expect(refused.allowed).toBe(false);
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThan(0);
    expect((await nodeB.check("device-1")).allowed).toBe(false);
    // Another key has its own budget.
    expect(await nodeB.hit("device-2")).toEqual({ allowed: true });
  });

  test("50 simultaneous hits across two nodes: exactly the budget gets through", async () => {
    const nodes = [budget("test.race"), budget("test.race")];
    const verdicts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => nodes[i % 2]!.hit("one-key")),
    );
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
  });

  test("clearing a key on one node clears it on the other", async () => {
    const nodeA = budget("test.clear");
    const nodeB = budget("test.clear");
    for (let i = 0; i < 5; i++) await nodeA.hit("account");
    expect((await nodeB.check("account")).allowed).toBe(false);
    await nodeB.clear("account");
    expect(await nodeA.check("account")).toEqual({ allowed: true });
  });
});
