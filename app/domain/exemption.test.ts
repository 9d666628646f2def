import { describe, expect, test } from "vitest";
import { effectiveStatus } from "./exemption.ts";

const NOW = new Date("2026-11-27T09:00:00Z");

describe("effectiveStatus: expiry by time, with no job", () => {
  test("a pending or approved request whose end passed is EXPIRED; others keep their status", () => {
    const past = { endsAt: new Date(NOW.getTime() - 1), endedEarlyAt: null };
    expect(effectiveStatus({ status: "PENDING", ...past }, NOW)).toBe("EXPIRED");
    expect(effectiveStatus({ status: "APPROVED", ...past }, NOW)).toBe("EXPIRED");
    expect(effectiveStatus({ status: "DENIED", ...past }, NOW)).toBe("DENIED");
    expect(effectiveStatus({ status: "REVOKED", ...past }, NOW)).toBe("REVOKED");
    const future = { endsAt: new Date(NOW.getTime() + 1), endedEarlyAt: null };
    expect(effectiveStatus({ status: "APPROVED", ...future }, NOW)).toBe("APPROVED");
    expect(effectiveStatus({ status: "PENDING", ...future }, NOW)).toBe("PENDING");
  });
});
