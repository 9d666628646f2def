import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { deviceHealth, lastUtcDays } from "#app/domain/fleet-health.ts";
import { getFleetSummary, listFleetDevices } from "#app/models/fleet.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { loader as fleetLoader } from "#app/routes/admin.devices.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

const MINUTE = 60_000;
const NOW = new Date("2026-11-27T10:00:00.000Z");
const ago = (ms: number, now = NOW) => new Date(now.getTime() - ms);

// One database per file: every test starts from an empty fleet.
beforeEach(async () => {
  await prisma.device.deleteMany();
  await prisma.ingestDay.deleteMany();
});

type DeviceSpec = Partial<{
  name: string;
  platform: string;
  agentVersion: string;
  lastSeenAt: Date | null;
  lastStateVersion: number | null;
  revokedAt: Date | null;
  createdAt: Date;
}>;

/** A worker (current state version moved `stateVersionAt`) and one device of theirs. */
async function workerWithDevice(
  device: DeviceSpec = {},
  worker: Partial<{ name: string; stateVersion: number; stateVersionAt: Date | null }> = {},
) {
  const user = await createUser({ name: worker.name ?? "Fleet Worker" });
  await prisma.user.update({
    where: { id: user.id },
    data: {
      stateVersion: worker.stateVersion ?? 1,
      stateVersionAt:
        worker.stateVersionAt === undefined ? ago(10 * MINUTE) : worker.stateVersionAt,
    },
  });
  return { user, device: await deviceOf(user.id, device) };
}

async function deviceOf(workerId: string, spec: DeviceSpec = {}) {
  const { id } = await createDevice(workerId, { name: spec.name ?? "Laptop" });
  return prisma.device.update({
    where: { id },
    data: {
      platform: spec.platform ?? "linux",
      agentVersion: spec.agentVersion ?? "1.0.0",
      lastSeenAt: spec.lastSeenAt === undefined ? NOW : spec.lastSeenAt,
      lastStateVersion: spec.lastStateVersion === undefined ? 1 : spec.lastStateVersion,
      revokedAt: spec.revokedAt ?? null,
      createdAt: spec.createdAt ?? ago(24 * 60 * MINUTE),
    },
  });
}

describe("fleet summary", () => {
  test("counts by platform and agent version leave out revoked devices and deactivated workers", async () => {
    const { user } = await workerWithDevice({ platform: "macos", agentVersion: "1.2.0" });
    await deviceOf(user.id, { platform: "macos", agentVersion: "1.2.0" });
    await deviceOf(user.id, { platform: "windows", agentVersion: "1.1.0" });
    const revoked = await deviceOf(user.id, {
      platform: "linux",
      agentVersion: "0.9.0",
      revokedAt: ago(MINUTE),
    });
    const gone = await workerWithDevice({ platform: "linux", agentVersion: "0.8.0" });
    await prisma.user.update({ where: { id: gone.user.id }, data: { deactivatedAt: ago(MINUTE) } });

    const summary = await getFleetSummary(NOW);
    expect(summary.total).toBe(3);
    expect(summary.byPlatform).toEqual([
      { platform: "macos", count: 2 },
      { platform: "windows", count: 1 },
    ]);
    expect(summary.byVersion).toEqual([
      { agentVersion: "1.2.0", count: 2 },
      { agentVersion: "1.1.0", count: 1 },
    ]);
    const listed = await listFleetDevices({ filter: "all", q: "", page: 1, now: NOW });
    expect(listed.total).toBe(3);
    expect(listed.devices.map((d) => d.id)).not.toContain(revoked.id);
    expect(listed.devices.map((d) => d.id)).not.toContain(gone.device.id);
  });

  test("last seen more than 15 minutes and more than 24 hours ago, and never seen", async () => {
    const ages = {
      "exactly 15 min": 15 * MINUTE,
      "14 min": 14 * MINUTE,
      "16 min": 16 * MINUTE,
      "23 h": 23 * 60 * MINUTE,
      "25 h": 25 * 60 * MINUTE,
    };
    const { user } = await workerWithDevice({ name: "now", lastSeenAt: NOW });
    for (const [name, age] of Object.entries(ages)) {
      await deviceOf(user.id, { name, lastSeenAt: ago(age) });
    }
    await deviceOf(user.id, { name: "never", lastSeenAt: null });

    const summary = await getFleetSummary(NOW);
    expect(summary).toMatchObject({ total: 7, staleOver15m: 3, offlineOver24h: 1, neverSeen: 1 });
    const names = async (filter: "stale" | "offline") =>
      (await listFleetDevices({ filter, q: "", page: 1, now: NOW })).devices
        .map((d) => d.name)
        .sort();
    expect(await names("stale")).toEqual(["16 min", "23 h", "25 h"]);
    expect(await names("offline")).toEqual(["25 h"]);
  });

  test("a device behind for 30 seconds is not counted, one behind for 2 minutes is", async () => {
    await workerWithDevice(
      { name: "just changed", lastStateVersion: 1 },
      { stateVersion: 2, stateVersionAt: ago(30_000) },
    );
    const late = await workerWithDevice(
      { name: "did not follow", lastStateVersion: 1 },
      { stateVersion: 2, stateVersionAt: ago(2 * MINUTE) },
    );
    await workerWithDevice(
      { name: "followed", lastStateVersion: 2 },
      { stateVersion: 2, stateVersionAt: ago(2 * MINUTE) },
    );

    expect((await getFleetSummary(NOW)).behind).toBe(1);
    const behind = await listFleetDevices({ filter: "behind", q: "", page: 1, now: NOW });
    expect(behind.devices.map((d) => d.id)).toEqual([late.device.id]);
    const all = await listFleetDevices({ filter: "all", q: "", page: 1, now: NOW });
    expect(Object.fromEntries(all.devices.map((d) => [d.name, d.behind]))).toEqual({
      "just changed": false,
      "did not follow": true,
      followed: false,
    });
    // Half a minute later, the first one is late too.
    expect((await getFleetSummary(new Date(NOW.getTime() + 31_000))).behind).toBe(2);
  });

  test("property: the SQL counts and filters agree with the domain rule for any fleet", async () => {
    const spec = fc.record({
      seenAgo: fc.option(fc.integer({ min: 0, max: 2 * 24 * 60 * MINUTE }), { nil: null }),
      held: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      current: fc.integer({ min: 1, max: 3 }),
      changedAgo: fc.option(fc.integer({ min: 0, max: 3 * MINUTE }), { nil: null }),
      enrolledAgo: fc.integer({ min: 0, max: 3 * MINUTE }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 8 }), async (specs) => {
        await prisma.device.deleteMany();
        const expected = new Map<string, ReturnType<typeof deviceHealth>>();
        for (const s of specs) {
          const input = {
            lastSeenAt: s.seenAgo === null ? null : ago(s.seenAgo),
            lastStateVersion: s.held,
            stateVersion: s.current,
            stateVersionAt: s.changedAgo === null ? null : ago(s.changedAgo),
            enrolledAt: ago(s.enrolledAgo),
          };
          const { device } = await workerWithDevice(
            {
              lastSeenAt: input.lastSeenAt,
              lastStateVersion: input.lastStateVersion,
              createdAt: input.enrolledAt,
            },
            { stateVersion: input.stateVersion, stateVersionAt: input.stateVersionAt },
          );
          expected.set(device.id, deviceHealth(input, NOW));
        }
        const health = [...expected.values()];
        const summary = await getFleetSummary(NOW);
        expect(summary.behind).toBe(health.filter((h) => h.behind).length);
        expect(summary.neverSeen).toBe(health.filter((h) => h.lastSeen === "never").length);
        expect(summary.offlineOver24h).toBe(health.filter((h) => h.lastSeen === "offline").length);
        expect(summary.staleOver15m).toBe(
          health.filter((h) => h.lastSeen === "stale" || h.lastSeen === "offline").length,
        );
        const listed = await listFleetDevices({ filter: "all", q: "", page: 1, now: NOW });
        for (const row of listed.devices) expect(row.behind).toBe(expected.get(row.id)!.behind);
      }),
      { numRuns: 10 },
    );
  });
});

describe("events refused at ingestion per day", () => {
  test("a batch sent during a pause adds to today's paused count, once per batch", async () => {
    const { user, device } = await workerWithDevice();
    await prisma.pause.create({
      data: { workerId: user.id, kind: "NOW", startsAt: ago(5 * MINUTE), endsAt: ago(-5 * MINUTE) },
    });
    const event = (at: Date) => ({
      type: "click" as const,
      app: "Editor",
      at: at.toISOString(),
      data: {},
    });
    const batch = {
      batchId: randomUUID(),
      events: [event(ago(MINUTE)), event(ago(2 * MINUTE)), event(ago(10 * MINUTE))],
    };
    await ingestBatch({ id: device.id, workerId: user.id }, batch, NOW);
    await ingestBatch({ id: device.id, workerId: user.id }, batch, NOW); // a retry: duplicate
    await ingestBatch(
      { id: device.id, workerId: user.id },
      { batchId: randomUUID(), events: [event(ago(30_000))] },
      NOW,
    );

    expect(await prisma.ingestDay.findUnique({ where: { day: "2026-11-27" } })).toEqual({
      day: "2026-11-27",
      stored: 1,
      discardedPaused: 3,
      discardedExempt: 0,
      discardedUnacknowledged: 0,
      rejectedFuture: 0,
    });
    const today = (await getFleetSummary(NOW)).discardedPerDay.at(-1);
    expect(today).toMatchObject({ day: "2026-11-27", discardedPaused: 3, stored: 1 });
  });

  test("the last 14 UTC days are all listed, oldest first, with zeros for days without counts", async () => {
    await prisma.ingestDay.createMany({
      data: [
        { day: "2026-11-27", discardedPaused: 4, discardedExempt: 1 },
        { day: "2026-11-24", discardedUnacknowledged: 2, rejectedFuture: 5, stored: 9 },
        { day: "2026-11-13", discardedPaused: 100 }, // 15 days back: not shown
        { day: "2026-11-28", discardedPaused: 100 }, // tomorrow: not shown
      ],
    });
    const days = (await getFleetSummary(NOW)).discardedPerDay;
    expect(days.map((d) => d.day)).toEqual(lastUtcDays(NOW, 14));
    expect(days[0]!.day).toBe("2026-11-14");
    const zero = {
      stored: 0,
      discardedPaused: 0,
      discardedExempt: 0,
      discardedUnacknowledged: 0,
      rejectedFuture: 0,
    };
    expect(days.find((d) => d.day === "2026-11-27")).toEqual({
      ...zero,
      day: "2026-11-27",
      discardedPaused: 4,
      discardedExempt: 1,
    });
    expect(days.find((d) => d.day === "2026-11-24")).toEqual({
      day: "2026-11-24",
      stored: 9,
      discardedPaused: 0,
      discardedExempt: 0,
      discardedUnacknowledged: 2,
      rejectedFuture: 5,
    });
    for (const d of days.filter((d) => !["2026-11-27", "2026-11-24"].includes(d.day))) {
      expect(d).toEqual({ ...zero, day: d.day });
    }
  });
});

describe("/admin/devices", () => {
  test("workers and reviewers get 403; admins see the page", async () => {
    for (const role of ["WORKER", "REVIEWER"] as const) {
      const person = await createUser({ role });
      const res = await callRoute(
        fleetLoader,
        getRequest("/admin/devices", { cookie: await sessionCookieFor(person.id) }),
      );
      expect(res.status).toBe(403);
    }
    const admin = await createUser({ role: "ADMIN" });
    const res = await callRoute(
      fleetLoader,
      getRequest("/admin/devices", { cookie: await sessionCookieFor(admin.id) }),
    );
    expect(res.status).toBe(200);
  });

  test("rows show the owner and the agent, never collected data", async () => {
    const { user, device } = await workerWithDevice(
      { name: "Studio Mac", platform: "macos", agentVersion: "2.0.1" },
      { name: "Grace Hopper" },
    );
    await ingestBatch(
      { id: device.id, workerId: user.id },
      {
        batchId: randomUUID(),
        events: [
          {
            type: "app_focus",
            app: "SecretDiaryApp",
            at: new Date().toISOString(),
            data: { title: "private-window-title" },
          },
        ],
      },
      new Date(),
    );
    expect(await prisma.event.count({ where: { deviceId: device.id } })).toBe(1);
    const admin = await createUser({ role: "ADMIN" });
    const res = await callRoute(
      fleetLoader,
      getRequest("/admin/devices", { cookie: await sessionCookieFor(admin.id) }),
    );
    const data = res.data as { devices: Record<string, unknown>[] };
    expect(data.devices).toHaveLength(1);
    expect(Object.keys(data.devices[0]!).sort()).toEqual(
      [
        "agentVersion",
        "badges",
        "id",
        "lastSeen",
        "lastSeenIso",
        "name",
        "owner",
        "platform",
      ].sort(),
    );
    expect(data.devices[0]).toMatchObject({
      owner: "Grace Hopper",
      name: "Studio Mac",
      platform: "macOS",
      agentVersion: "2.0.1",
    });
    const text = JSON.stringify(res.data);
    expect(text).not.toContain("SecretDiaryApp");
    expect(text).not.toContain("private-window-title");
    expect(text).not.toContain("storedEvents");
  });

  test("filters by owner name (wildcards taken literally) and pages by 25", async () => {
    const { user } = await workerWithDevice({ name: "d-00" }, { name: "Ada 100% Lovelace" });
    for (let i = 1; i < 30; i++)
      await deviceOf(user.id, { name: `d-${String(i).padStart(2, "0")}` });
    await workerWithDevice({}, { name: "Alan Turing" });
    await workerWithDevice({}, { name: "Adam Smith" });
    const admin = await createUser({ role: "ADMIN" });
    const cookie = await sessionCookieFor(admin.id);
    const load = async (query: string) =>
      (await callRoute(fleetLoader, getRequest(`/admin/devices${query}`, { cookie }))).data as {
        total: number;
        pageCount: number;
        devices: { owner: string; name: string }[];
      };

    const first = await load("?q=lovelace");
    expect(first).toMatchObject({ total: 30, pageCount: 2 });
    expect(first.devices).toHaveLength(25);
    expect(new Set(first.devices.map((d) => d.owner))).toEqual(new Set(["Ada 100% Lovelace"]));
    const second = await load("?q=lovelace&page=2");
    expect(second.devices.map((d) => d.name)).toEqual(["d-25", "d-26", "d-27", "d-28", "d-29"]);
    expect((await load("?q=100%25")).total).toBe(30);
    expect((await load("?q=%25")).total).toBe(30);
    expect((await load("?q=Ad_")).total).toBe(0);
    expect((await load("?q=ada")).total).toBe(31);
    expect((await load("?filter=nonsense")).total).toBe(32);
  });
});
