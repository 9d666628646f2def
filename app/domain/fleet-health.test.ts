import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  FLEET_HEALTH,
  FleetSearchSchema,
  deviceHealth,
  healthBadges,
  isBehind,
  lastSeenStatus,
  lastUtcDays,
  utcDayKey,
  type DeviceHealthInput,
} from "./fleet-health.ts";

const NOW = new Date("2026-11-27T10:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MINUTE = 60_000;

function device(overrides: Partial<DeviceHealthInput> = {}): DeviceHealthInput {
  return {
    lastSeenAt: NOW,
    lastStateVersion: 3,
    stateVersion: 3,
    stateVersionAt: ago(10 * MINUTE),
    enrolledAt: ago(24 * 60 * MINUTE),
    ...overrides,
  };
}

describe("lastSeenStatus", () => {
  test("more than 15 minutes is stale, more than 24 hours offline, no visit never seen", () => {
    expect(lastSeenStatus(null, NOW)).toBe("never");
    expect(lastSeenStatus(ago(15 * MINUTE), NOW)).toBe("recent");
    expect(lastSeenStatus(ago(15 * MINUTE + 1), NOW)).toBe("stale");
    expect(lastSeenStatus(ago(24 * 60 * MINUTE), NOW)).toBe("stale");
    expect(lastSeenStatus(ago(24 * 60 * MINUTE + 1), NOW)).toBe("offline");
  });

  test("property: the status only gets worse as time passes", () => {
    const order = ["recent", "stale", "offline"];
    fc.assert(
      fc.property(
        fc.integer({ min: -MINUTE, max: 3 * 24 * 60 * MINUTE }),
        fc.integer({ min: 0, max: 3 * 24 * 60 * MINUTE }),
        (age, later) => {
          const seen = ago(age);
          const before = order.indexOf(lastSeenStatus(seen, NOW));
          const after = order.indexOf(lastSeenStatus(seen, new Date(NOW.getTime() + later)));
          expect(after).toBeGreaterThanOrEqual(before);
        },
      ),
    );
  });
});

describe("isBehind", () => {
  test("a device enrolled under a minute ago is not behind yet, however old the change", () => {
    const fresh = device({ lastStateVersion: null, stateVersionAt: null, enrolledAt: ago(20_000) });
    expect(isBehind(fresh, NOW)).toBe(false);
    expect(isBehind({ ...fresh, enrolledAt: ago(2 * MINUTE) }, NOW)).toBe(true);
  });

  test("a device on an older version is behind only once the change is more than a minute old", () => {
    expect(isBehind(device({ lastStateVersion: 2, stateVersionAt: ago(30_000) }), NOW)).toBe(false);
    expect(isBehind(device({ lastStateVersion: 2, stateVersionAt: ago(MINUTE) }), NOW)).toBe(true);
    expect(isBehind(device({ lastStateVersion: 2, stateVersionAt: ago(2 * MINUTE) }), NOW)).toBe(
      true,
    );
  });

  test("a device that never received a state is behind; an unrecorded change counts as long ago", () => {
    expect(isBehind(device({ lastStateVersion: null }), NOW)).toBe(true);
    expect(isBehind(device({ lastStateVersion: 1, stateVersionAt: null }), NOW)).toBe(true);
    expect(isBehind(device({ lastStateVersion: null, stateVersionAt: ago(5_000) }), NOW)).toBe(
      false,
    );
  });

  test("property: a device holding the current version is never behind, however old the change", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.integer({ min: 0, max: 400 * 24 * 60 * MINUTE }), { nil: null }),
        (version, changedAgo) => {
          const row = device({
            lastStateVersion: version,
            stateVersion: version,
            stateVersionAt: changedAgo === null ? null : ago(changedAgo),
          });
          expect(isBehind(row, NOW)).toBe(false);
        },
      ),
    );
  });

  test("property: behind exactly when outdated and the change is at least the grace period old", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: -MINUTE, max: 10 * MINUTE }),
        (held, current, changedAgo) => {
          const row = device({
            lastStateVersion: held,
            stateVersion: current,
            stateVersionAt: ago(changedAgo),
          });
          const outdated = held === null || held < current;
          expect(isBehind(row, NOW)).toBe(outdated && changedAgo >= FLEET_HEALTH.behindGraceMs);
        },
      ),
    );
  });
});

describe("healthBadges", () => {
  test("say every problem in words, and 'Up to date' only when there is none", () => {
    expect(healthBadges(deviceHealth(device(), NOW)).map((b) => b.label)).toEqual(["Up to date"]);
    const bad = deviceHealth(
      device({ lastSeenAt: ago(2 * 24 * 60 * MINUTE), lastStateVersion: 1 }),
      NOW,
    );
    expect(healthBadges(bad).map((b) => b.label)).toEqual(["Behind", "Offline > 24 h"]);
    expect(
      healthBadges(deviceHealth(device({ lastSeenAt: null }), NOW)).map((b) => b.label),
    ).toEqual(["Never seen"]);
  });
});

describe("lastUtcDays", () => {
  test("ends with today's UTC day, even just before midnight UTC", () => {
    const days = lastUtcDays(new Date("2026-03-01T23:59:59.999Z"), 3);
    expect(days).toEqual(["2026-02-27", "2026-02-28", "2026-03-01"]);
  });

  test("property: consecutive distinct days, oldest first, the last being the day of now", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("2000-01-01T00:00:00Z"),
          max: new Date("2100-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 60 }),
        (now, count) => {
          const days = lastUtcDays(now, count);
          expect(days).toHaveLength(count);
          expect(days.at(-1)).toBe(utcDayKey(now));
          for (let i = 1; i < days.length; i++) {
            const gap = Date.parse(`${days[i]}T00:00:00Z`) - Date.parse(`${days[i - 1]}T00:00:00Z`);
            expect(gap).toBe(24 * 60 * MINUTE);
          }
        },
      ),
    );
  });
});

describe("FleetSearchSchema", () => {
  test("reads the filter, owner search and page", () => {
    expect(FleetSearchSchema.parse({ filter: "behind", q: "  Ada ", page: "3" })).toEqual({
      filter: "behind",
      q: "Ada",
      page: 3,
    });
  });

  test("property: any query string parses, falling back to all devices, no search, page 1", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("filter", "q", "page", "other"), fc.string(), {
          maxKeys: 4,
        }),
        (params) => {
          const parsed = FleetSearchSchema.parse(params);
          expect(["all", "behind", "stale", "offline"]).toContain(parsed.filter);
          expect(Number.isInteger(parsed.page) && parsed.page >= 1).toBe(true);
          expect(parsed.q.length).toBeLessThanOrEqual(100);
        },
      ),
    );
    expect(
      FleetSearchSchema.parse({ filter: "everything", page: "-2", q: "x".repeat(101) }),
    ).toEqual({ filter: "all", page: 1, q: "" });
  });
});
