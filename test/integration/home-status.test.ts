/**
 * Issue 16, item 4: Home answers "am I being collected from, and by what?"
 * with the devices in mind, and says when the next pause is allowed.
 */
import { describe, expect, test } from "vitest";
import { changePause, createPause } from "#app/models/pause.server.ts";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

type Home = {
  overview: {
    devices: { enrolled: number; online: number; lastContact: string | null };
    pauseAgainAt: string | null;
  };
};

async function home(userId: string) {
  const cookie = await sessionCookieFor(userId);
  return ((await callRoute(homeLoader, getRequest("/", { cookie }))).data as Home).overview;
}

describe("Home's tracking status", () => {
  test("counts enrolled and online devices, and names the last contact", async () => {
    const worker = await createUser({ timezone: "UTC" });
    expect((await home(worker.id)).devices).toEqual({ enrolled: 0, online: 0, lastContact: null });
    const laptop = await createDevice(worker.id, { name: "Laptop" });
    await createDevice(worker.id, { name: "Desktop" });
    expect((await home(worker.id)).devices).toMatchObject({ enrolled: 2, online: 0 });
    await prisma.device.update({ where: { id: laptop.id }, data: { lastSeenAt: new Date() } });
    const devices = (await home(worker.id)).devices;
    expect(devices).toMatchObject({ enrolled: 2, online: 1 });
    expect(devices.lastContact).not.toBeNull();
    // A revoked device is not counted.
    await prisma.device.update({ where: { id: laptop.id }, data: { revokedAt: new Date() } });
    expect((await home(worker.id)).devices).toMatchObject({ enrolled: 1, online: 0 });
  });

  test("after a pause is ended early, Home says when the next one may start", async () => {
    const worker = await createUser({ timezone: "UTC" });
    expect((await home(worker.id)).pauseAgainAt).toBeNull();
    const now = new Date();
    const started = await createPause({
      workerId: worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 10 },
      now,
    });
    if (!started.ok) throw new Error(started.refusal.message);
    // While it runs there is no "again at": it can be ended instead.
    expect((await home(worker.id)).pauseAgainAt).toBeNull();
    const pauseId = (await prisma.pause.findFirstOrThrow({ where: { workerId: worker.id } })).id;
    const ended = await changePause({
      workerId: worker.id,
      pauseId,
      change: "end",
      now: new Date(),
    });
    expect(ended.ok).toBe(true);
    const again = (await home(worker.id)).pauseAgainAt;
    expect(again).toMatch(/^\d\d:\d\d/);
  });
});
