import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { letRequestsGoFirst, pacer, requestStarted } from "./pace.ts";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether `promise` has settled once pending callbacks and microtasks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe("pacer", () => {
  test("lets work run on until a slice is used up, then pauses as long as the work ran", async () => {
    const takeTurn = pacer(10);
    vi.advanceTimersByTime(4); // 4 ms of work
    expect(await settled(takeTurn())).toBe(true);
    vi.advanceTimersByTime(8); // 12 ms of work since the last pause
    const turn = takeTurn();
    expect(await settled(turn)).toBe(false);
    await vi.advanceTimersByTimeAsync(11);
    expect(await settled(turn)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(turn)).toBe(true);
  });

  test("after its pause, waits for the requests being served to be answered", async () => {
    const takeTurn = pacer(10);
    const answered = requestStarted();
    vi.advanceTimersByTime(10);
    const turn = takeTurn();
    await vi.advanceTimersByTimeAsync(10 + 20);
    expect(await settled(turn)).toBe(false);
    answered();
    expect(await settled(turn)).toBe(true);
  });

  test("waits at most 50 ms for requests, and a request counts for at most 250 ms", async () => {
    const answered = requestStarted();
    const takeTurn = pacer(10);
    vi.advanceTimersByTime(10);
    const turn = takeTurn();
    await vi.advanceTimersByTimeAsync(10 + 49);
    expect(await settled(turn)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(turn)).toBe(true);

    // Still open 250 ms after it arrived (a stream): it no longer holds anything up.
    await vi.advanceTimersByTimeAsync(250);
    const later = pacer(10);
    vi.advanceTimersByTime(10);
    const next = later();
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled(next)).toBe(true);
    answered(); // answering late, or twice, changes nothing
    answered();
  });
});

describe("one count of requests per process", () => {
  test("a second copy of the module (server.ts and the app build each bundle one) sees the first's requests", async () => {
    vi.resetModules();
    const copy = await import("./pace.ts");
    expect(copy.letRequestsGoFirst).not.toBe(letRequestsGoFirst);
    const answered = requestStarted();
    const turn = copy.letRequestsGoFirst(50);
    await vi.advanceTimersByTimeAsync(20);
    expect(await settled(turn)).toBe(false);
    answered();
    expect(await settled(turn)).toBe(true);
  });
});
