import { afterEach, describe, expect, test, vi } from "vitest";
import { createClientErrorLog, logSafe } from "./client-error-log.server.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("the client error log", () => {
  test("at most N lines a minute for each kind, then one line with how many were left out", () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = createClientErrorLog({ linesPerMinute: 3, write: (l) => lines.push(l) });
    for (let i = 0; i < 50; i++) log.log("405", `POST /x${i}`);
    for (let i = 0; i < 2; i++) log.log("413", `POST /y${i}`);
    expect(lines).toEqual([
      "client error 405: POST /x0",
      "client error 405: POST /x1",
      "client error 405: POST /x2",
      "client error 413: POST /y0",
      "client error 413: POST /y1",
    ]);
    vi.advanceTimersByTime(60_000);
    expect(lines.slice(5)).toEqual([
      "client error 405: 47 more in the last minute, not logged one by one",
    ]);
    // A new minute: lines again.
    log.log("405", "POST /later");
    expect(lines.at(-1)).toBe("client error 405: POST /later");
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(7);
  });

  test("what the client chose stays on one short line", () => {
    expect(logSafe("POST /a\nclient error 500: forged\r\u001b[31m")).toBe(
      "POST /a client error 500: forged [31m",
    );
    expect(logSafe("x".repeat(1000))).toHaveLength(201);
  });
});
