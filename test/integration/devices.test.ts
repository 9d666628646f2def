import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { action as enrollAction } from "#app/routes/api.agent.v1.enroll.ts";
import { loader as stateLoader } from "#app/routes/api.agent.v1.state.ts";
import { flushDevicesSeen } from "#app/web/device-seen.server.ts";
import { action as devicesAction, loader as devicesLoader } from "#app/routes/devices.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";
import { AGENT_API, enrollThroughApi } from "#test/agent-enrollment.ts";

async function signedInWorker() {
  const user = await createUser();
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function enrollWithCode(code: string) {
  const res = await callRoute(
    enrollAction,
    new Request("http://127.0.0.1/api/agent/v1/enroll", {
      method: "POST",
      body: JSON.stringify({
        code,
        deviceName: "Work laptop",
        platform: "macos",
        agentVersion: "1.2.3",
      }),
    }),
  );
  return res.data as { deviceId: string; token: string };
}

describe("/devices", () => {
  test("creating a code shows it once and keeps only its hash", async () => {
    const { user, cookie } = await signedInWorker();
    const res = await callRoute(
      devicesAction,
      formRequest("/devices", { intent: "create-code" }, { cookie }),
    );
    expect(res.status).toBe(200);
    const { code } = res.data as { code: string };
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const stored = await prisma.enrollmentCode.findFirstOrThrow({ where: { workerId: user.id } });
    expect(stored.codeHash).toBe(createHash("sha256").update(code.replace("-", "")).digest("hex"));
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(15 * 60_000);
  });

  test("lists the worker's devices with whether each has the current state", async () => {
    const { cookie } = await signedInWorker();
    const { code } = (
      await callRoute(devicesAction, formRequest("/devices", { intent: "create-code" }, { cookie }))
    ).data as { code: string };
    const { token } = await enrollWithCode(code);
    let page = await callRoute(devicesLoader, getRequest("/devices", { cookie }));
    let [device] = (
      page.data as {
        devices: { name: string; connection: string; behind: boolean; lastSeen: string | null }[];
      }
    ).devices;
    expect(device).toMatchObject({
      name: "Work laptop",
      connection: "never",
      behind: false,
      lastSeen: null,
    });
    await callRoute(
      stateLoader,
      new Request("http://127.0.0.1/api/agent/v1/state", {
        headers: { Authorization: `Bearer ${token}` },
      }),
    );
    // Last contact is written in batches, within a second (ADR 0029).
    await flushDevicesSeen();
    page = await callRoute(devicesLoader, getRequest("/devices", { cookie }));
    [device] = (
      page.data as {
        devices: { name: string; connection: string; behind: boolean; lastSeen: string | null }[];
      }
    ).devices;
    expect(device).toMatchObject({ connection: "recent", behind: false });
    expect(device!.lastSeen).not.toBeNull();
  });

  test("rename and revoke act on the worker's own devices; revocation is 401 on the next request", async () => {
    const { user, cookie } = await signedInWorker();
    const { code } = (
      await callRoute(devicesAction, formRequest("/devices", { intent: "create-code" }, { cookie }))
    ).data as { code: string };
    const { deviceId, token } = await enrollWithCode(code);

    expect(
      (
        await callRoute(
          devicesAction,
          formRequest("/devices", { intent: "rename", deviceId, name: "Home desktop" }, { cookie }),
        )
      ).status,
    ).toBe(302);
    expect((await prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).name).toBe(
      "Home desktop",
    );

    const bad = await callRoute(
      devicesAction,
      formRequest("/devices", { intent: "rename", deviceId, name: "   " }, { cookie }),
    );
    expect(bad.status).toBe(400);
    expect((bad.data as { result: { error: Record<string, string[]> } }).result.error.name).toEqual(
      ["Enter a name for the device."],
    );

    const other = await signedInWorker();
    const attempts: Record<string, string>[] = [
      { intent: "rename", deviceId, name: "Mine now" },
      { intent: "revoke", deviceId },
    ];
    for (const fields of attempts) {
      expect(
        (await callRoute(devicesAction, formRequest("/devices", fields, { cookie: other.cookie })))
          .status,
      ).toBe(404);
    }
    expect(
      (await prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).revokedAt,
    ).toBeNull();

    // Revoking asks first: unconfirmed, the answer is the confirm step and nothing changes.
    const asked = await callRoute(
      devicesAction,
      formRequest("/devices", { intent: "revoke", deviceId }, { cookie }),
    );
    expect(asked.status).toBe(200);
    expect(asked.data).toEqual({ kind: "confirm", confirm: `revoke-device:${deviceId}` });
    // A confirmation for another device confirms nothing.
    const wrongKey = await callRoute(
      devicesAction,
      formRequest(
        "/devices",
        { intent: "revoke", deviceId, confirmed: "revoke-device:someone-else" },
        { cookie },
      ),
    );
    expect(wrongKey.data).toEqual({ kind: "confirm", confirm: `revoke-device:${deviceId}` });
    expect(
      (await prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).revokedAt,
    ).toBeNull();
    expect(
      (
        await callRoute(
          devicesAction,
          formRequest(
            "/devices",
            { intent: "revoke", deviceId, confirmed: `revoke-device:${deviceId}` },
            { cookie },
          ),
        )
      ).status,
    ).toBe(302);
    const state = await callRoute(
      stateLoader,
      new Request("http://127.0.0.1/api/agent/v1/state", {
        headers: { Authorization: `Bearer ${token}` },
      }),
    );
    expect(state.status).toBe(401);
    const actions = (
      await prisma.auditEvent.findMany({
        where: { subjectUserId: user.id },
        orderBy: { at: "asc" },
      })
    ).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "device.code_created",
        "device.enroll",
        "device.rename",
        "device.revoke",
      ]),
    );
  });
});

describe("what the devices page says about each device", () => {
  type Listed = {
    devices: { id: string; connection: string; behind: boolean; revoked: string | null }[];
  };
  const listed = async (cookie: string) =>
    ((await callRoute(devicesLoader, getRequest("/devices", { cookie }))).data as Listed).devices;

  test("a freshly enrolled agent that fetched its state is online and up to date, not behind", async () => {
    const { user, cookie } = await signedInWorker();
    const { worker, deviceId, token } = await enrollThroughApi(user);
    expect(worker.id).toBe(user.id);
    const state = await callRoute(
      stateLoader,
      new Request(`${AGENT_API}/state`, { headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(state.status).toBe(200);
    await flushDevicesSeen();
    // Even long after the last change: it holds the current version.
    await prisma.user.update({
      where: { id: user.id },
      data: { stateVersionAt: new Date(Date.now() - 3_600_000) },
    });
    const [device] = await listed(cookie);
    expect(device).toMatchObject({ id: deviceId, connection: "recent", behind: false });
  });

  test("a device that never connected is waiting, not behind; one that missed a change is behind", async () => {
    const { user, cookie } = await signedInWorker();
    const { deviceId: waiting } = await enrollThroughApi(user);
    const { deviceId: missed, token } = await enrollThroughApi(user);
    await callRoute(
      stateLoader,
      new Request(`${AGENT_API}/state`, { headers: { Authorization: `Bearer ${token}` } }),
    );
    await flushDevicesSeen();
    // A change two minutes ago that the second device has not fetched.
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await prisma.user.update({
      where: { id: user.id },
      data: { stateVersion: { increment: 1 }, stateVersionAt: twoMinutesAgo },
    });
    await prisma.device.updateMany({
      where: { id: { in: [waiting, missed] } },
      data: { createdAt: new Date(Date.now() - 600_000) },
    });
    const devices = await listed(cookie);
    expect(devices.find((d) => d.id === waiting)).toMatchObject({
      connection: "never",
      behind: false,
    });
    expect(devices.find((d) => d.id === missed)).toMatchObject({
      connection: "recent",
      behind: true,
    });
  });
});
