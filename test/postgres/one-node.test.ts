/**
 * Periodic jobs run on one node at a time (issue 18, ADR 0036): two runs of
 * the same job from two connections, as two nodes would, never overlap.
 */
import { describe, expect, test } from "vitest";
import { runOnOneNode } from "#app/utils/one-node.server.ts";

describe("jobs on one node at a time", () => {
  test("while a node runs a job, another node's turn is skipped; afterwards it runs", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = runOnOneNode("test-job", async () => {
      started();
      await held;
      return "first";
    });
    await running;
    expect(await runOnOneNode("test-job", async () => "second")).toEqual({ ran: false });
    // Another job is not held up.
    expect(await runOnOneNode("other-job", async () => "other")).toEqual({
      ran: true,
      result: "other",
    });
    release();
    expect(await first).toEqual({ ran: true, result: "first" });
    expect(await runOnOneNode("test-job", async () => "third")).toEqual({
      ran: true,
      result: "third",
    });
  });

  test("a job that throws gives the lock back", async () => {
    await expect(
      runOnOneNode("failing-job", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await runOnOneNode("failing-job", async () => 1)).toEqual({ ran: true, result: 1 });
  });
});
