import { describe, expect, test } from "vitest";
import {
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  hashSessionToken,
  newSessionToken,
  nextSessionExpiry,
} from "./session.server.ts";

describe("session lifetime", () => {
  const created = new Date("2026-11-01T08:00:00Z");

  test("a fresh session lasts 12 hours without use", () => {
    expect(nextSessionExpiry(created, created).getTime() - created.getTime()).toBe(SESSION_IDLE_MS);
  });

  test("use extends it, but never past 7 days from sign-in", () => {
    const sixDaysLater = new Date(created.getTime() + 6.9 * 24 * 3600_000);
    expect(nextSessionExpiry(created, sixDaysLater).getTime()).toBe(
      created.getTime() + SESSION_ABSOLUTE_MS,
    );
  });
});

describe("session tokens", () => {
  test("are 256 random bits and stored only as a SHA-256", () => {
    const token = newSessionToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(newSessionToken()).not.toBe(token);
    expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});
