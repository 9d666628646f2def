/**
 * Issue 20, "Private applications", must show: a worker's own list and the
 * organisation's on /privacy, the privacy office's list on /admin/privacy,
 * ingestion discarding and counting, the agents' state, and deleting what an
 * entry covers with a signed receipt.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { MAX_PRIVATE_APPS_PER_LIST } from "#app/domain/private-app-rules.ts";
import { getAgentState } from "#app/models/agent-state.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { formatReceipt, verifyReceiptFile, type Receipt } from "#app/receipts/receipt.ts";
import { action as adminAction, loader as adminLoader } from "#app/routes/admin.privacy.tsx";
import { loader as devicesLoader } from "#app/routes/devices.tsx";
import { action as privacyAction, loader as privacyLoader } from "#app/routes/privacy.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

async function signedIn(role: "WORKER" | "ADMIN" = "WORKER") {
  const user = await createUser({ role });
  return { user, cookie: await sessionCookieFor(user.id) };
}

type Entry = { id: string; label: string; wildcard: boolean; storedEvents: number };
type Page = {
  own: Entry[];
  organisation: Entry[];
  seenApps: string[];
  receipt: { id: string; events: number } | null;
};

async function page(cookie: string, url = "/privacy") {
  const res = await callRoute(privacyLoader, getRequest(url, { cookie }));
  expect(res.status).toBe(200);
  return res.data as Page;
}

function post(cookie: string, fields: Record<string, string>, url = "/privacy") {
  return callRoute(privacyAction, formRequest(url, fields, { cookie }));
}

function postAdmin(cookie: string, fields: Record<string, string>) {
  return callRoute(adminAction, formRequest("/admin/privacy", fields, { cookie }));
}

async function stateVersion(userId: string) {
  return (await prisma.user.findUniqueOrThrow({ where: { id: userId } })).stateVersion;
}

function fieldErrors(data: unknown) {
  return (data as { result: { error?: Record<string, string[]> } }).result.error ?? {};
}

/** `count` events of each app, over the last hour, stored for the worker's device. */
async function storeEvents(
  device: { id: string; workerId: string },
  apps: Record<string, number>,
  now = new Date(),
) {
  const events = Object.entries(apps).flatMap(([app, n]) =>
    Array.from({ length: n }, (_, i) => ({
      type: "click" as const,
      at: new Date(now.getTime() - 3_000_000 + i * 1000).toISOString(),
      app,
      data: { n: i },
    })),
  );
  return ingestBatch(device, { batchId: randomUUID(), events }, now);
}

describe("a worker's own list", () => {
  test("adding shows the entry; removing takes it off; both move the state version", async () => {
    const { user, cookie } = await signedIn();
    const v0 = await stateVersion(user.id);
    const added = await post(cookie, { intent: "add", app: "  My Bank Online " });
    expect(added.status).toBe(302);
    expect(added.headers.get("Location")).toBe("/privacy");
    let shown = await page(cookie);
    expect(shown.own).toEqual([
      { id: expect.any(String), label: "My Bank Online", wildcard: false, storedEvents: 0 },
    ]);
    const v1 = await stateVersion(user.id);
    expect(v1).not.toBe(v0);
    expect(
      await prisma.privateApp.findFirstOrThrow({ where: { workerId: user.id } }),
    ).toMatchObject({ pattern: "my bank online", label: "My Bank Online" });

    const removed = await post(cookie, { intent: "remove", id: shown.own[0]!.id });
    expect(removed.status).toBe(302);
    shown = await page(cookie);
    expect(shown.own).toEqual([]);
    expect(await stateVersion(user.id)).not.toBe(v1);
  });

  test("a duplicate (whatever its case) is refused on the field, 400, and nothing changes", async () => {
    const { user, cookie } = await signedIn();
    await post(cookie, { intent: "add", app: "*bank*" });
    const before = await stateVersion(user.id);
    const res = await post(cookie, { intent: "add", app: " *BANK* " });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.data).app).toEqual(['"*BANK*" is already on the list.']);
    expect(await prisma.privateApp.count({ where: { workerId: user.id } })).toBe(1);
    expect(await stateVersion(user.id)).toBe(before);
  });

  test(`a full list (${MAX_PRIVATE_APPS_PER_LIST}) is refused, 400, and nothing changes`, async () => {
    const { user, cookie } = await signedIn();
    await prisma.privateApp.createMany({
      data: Array.from({ length: MAX_PRIVATE_APPS_PER_LIST }, (_, i) => ({
        workerId: user.id,
        pattern: `app ${i}`,
        label: `App ${i}`,
      })),
    });
    const res = await post(cookie, { intent: "add", app: "One more" });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.data).app?.[0]).toMatch(/at most 100 applications/);
    expect(await prisma.privateApp.count({ where: { workerId: user.id } })).toBe(
      MAX_PRIVATE_APPS_PER_LIST,
    );
  });

  test.each([
    [{ intent: "add", app: "" }, "Enter an application name or pattern."],
    [{ intent: "add", app: "   " }, "Enter an application name or pattern."],
    [{ intent: "add" }, "Enter an application name or pattern."],
    [{ intent: "add", app: "**" }, /a \* alone would stop all collection/],
    [{ intent: "add", app: "x".repeat(201) }, /at most 200 characters/],
    [
      { intent: "add", app: "Bank\u0007" },
      "An application name cannot contain control characters.",
    ],
  ])("bad input %j is refused on the field, 400, and nothing changes", async (fields, message) => {
    const { user, cookie } = await signedIn();
    const before = await stateVersion(user.id);
    const res = await post(cookie, fields);
    expect(res.status).toBe(400);
    const errors = fieldErrors(res.data).app ?? [];
    if (typeof message === "string") expect(errors).toContain(message);
    else expect(errors.join(" ")).toMatch(message);
    expect(await prisma.privateApp.count({ where: { workerId: user.id } })).toBe(0);
    expect(await stateVersion(user.id)).toBe(before);
  });

  test.each([
    [{ intent: "remove" }],
    [{ intent: "purge", id: "" }],
    [{ intent: "rename", id: "x" }],
    [{}],
  ])("a change without an entry %j is 400 with a sentence", async (fields) => {
    const { cookie } = await signedIn();
    const res = await post(cookie, fields as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.data).toEqual({
      intent: "change",
      message: "Choose an entry on the list, then try again.",
    });
  });

  test("another worker's entry is not found, for removing and deleting, and nothing changes", async () => {
    const owner = await signedIn();
    await post(owner.cookie, { intent: "add", app: "Diary" });
    const [entry] = (await page(owner.cookie)).own;
    const other = await signedIn();
    const attempts: Record<string, string>[] = [
      { intent: "remove", id: entry!.id },
      { intent: "purge", id: entry!.id },
      { intent: "purge", id: entry!.id, confirmed: `purge-private-app:${entry!.id}` },
    ];
    for (const fields of attempts) {
      const res = await post(other.cookie, fields);
      expect(res.status).toBe(404);
      expect(res.thrown).toBe(true);
    }
    expect(await prisma.privateApp.count({ where: { id: entry!.id } })).toBe(1);
    expect(await prisma.deletionReceipt.count({ where: { workerId: other.user.id } })).toBe(0);
  });

  test("signed out: the page and its form send the visitor to sign in", async () => {
    const res = await callRoute(privacyLoader, getRequest("/privacy"));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/login/);
    const posted = await callRoute(
      privacyAction,
      formRequest("/privacy", { intent: "add", app: "X" }),
    );
    expect(posted.status).toBe(302);
    expect(await prisma.privateApp.count({ where: { label: "X" } })).toBe(0);
  });
});

describe("ingestion and the agents' state", () => {
  test("a private entry reaches the agent's state, and ingestion discards and counts its events", async () => {
    const { user, cookie } = await signedIn();
    const device = await createDevice(user.id);
    const now = new Date();
    const before = await getAgentState(user.id, now);
    expect(before?.privateApps).toEqual([]);
    await post(cookie, { intent: "add", app: "Health*" });
    const after = await getAgentState(user.id, now);
    expect(after?.privateApps).toEqual(["health*"]);
    expect(after?.stateVersion).not.toBe(before?.stateVersion);

    const result = await storeEvents(device, { HealthPortal: 3, Editor: 2 }, now);
    expect(result).toMatchObject({ stored: 2, discardedPrivateApp: 3 });
    expect(await prisma.event.count({ where: { deviceId: device.id } })).toBe(2);
    expect(await prisma.event.count({ where: { deviceId: device.id, app: "HealthPortal" } })).toBe(
      0,
    );
    expect(
      await prisma.privacyDiscardDay.findFirstOrThrow({ where: { workerId: user.id } }),
    ).toMatchObject({ privateApp: 3, forgotten: 0 });

    // The device page shows the count with the other refusals.
    const devices = await callRoute(devicesLoader, getRequest("/devices", { cookie }));
    const [shown] = (devices.data as { devices: { counts: Record<string, number> }[] }).devices;
    expect(shown!.counts).toMatchObject({
      stored: 2,
      discardedPrivateApp: 3,
      discardedForgotten: 0,
    });
  });
});

describe("the organisation's list", () => {
  test("the privacy office adds an entry every worker sees and cannot remove", async () => {
    const admin = await signedIn("ADMIN");
    const a = await signedIn();
    const b = await signedIn();
    const versions = [await stateVersion(a.user.id), await stateVersion(b.user.id)];
    const added = await postAdmin(admin.cookie, { intent: "add", app: "1Password" });
    expect(added.status).toBe(302);
    expect(added.headers.get("Location")).toBe("/admin/privacy");
    // Every worker's state version moved.
    expect([await stateVersion(a.user.id), await stateVersion(b.user.id)]).not.toContain(
      versions[0],
    );
    expect(await stateVersion(b.user.id)).not.toBe(versions[1]);

    const listed = await callRoute(
      adminLoader,
      getRequest("/admin/privacy", { cookie: admin.cookie }),
    );
    const [entry] = (listed.data as { entries: { id: string; label: string }[] }).entries.filter(
      (e) => e.label === "1Password",
    );
    expect(entry).toBeDefined();

    for (const worker of [a, b]) {
      const shown = await page(worker.cookie);
      expect(shown.organisation.map((e) => e.label)).toContain("1Password");
      expect(shown.own).toEqual([]);
      expect((await getAgentState(worker.user.id, new Date()))?.privateApps).toContain("1password");
      // A worker cannot remove it: not found, and it stays.
      const res = await post(worker.cookie, { intent: "remove", id: entry!.id });
      expect(res.status).toBe(404);
    }
    expect(await prisma.privateApp.count({ where: { id: entry!.id } })).toBe(1);

    // A worker adding the same name is told it is private already.
    const dup = await post(a.cookie, { intent: "add", app: "1PASSWORD" });
    expect(dup.status).toBe(400);
    expect(fieldErrors(dup.data).app?.[0]).toMatch(/already private for everyone/);

    // The privacy office removes it.
    const removed = await postAdmin(admin.cookie, { intent: "remove", id: entry!.id });
    expect(removed.status).toBe(302);
    expect(await prisma.privateApp.count({ where: { id: entry!.id } })).toBe(0);
    expect((await page(a.cookie)).organisation.map((e) => e.label)).not.toContain("1Password");
  });

  test("the office's form: bad input is 400 with nothing changed; a worker's entry or a purge is refused", async () => {
    const admin = await signedIn("ADMIN");
    const worker = await signedIn();
    await post(worker.cookie, { intent: "add", app: "Secret diary" });
    const [own] = (await page(worker.cookie)).own;
    const before = await prisma.privateApp.count();
    const bad = await postAdmin(admin.cookie, { intent: "add", app: "*" });
    expect(bad.status).toBe(400);
    expect(fieldErrors(bad.data).app?.[0]).toMatch(/a \* alone/);
    expect((await postAdmin(admin.cookie, { intent: "remove", id: own!.id })).status).toBe(404);
    expect((await postAdmin(admin.cookie, { intent: "purge", id: own!.id })).status).toBe(400);
    expect(await prisma.privateApp.count()).toBe(before);
  });

  test("workers and reviewers are refused the office's page and form", async () => {
    for (const role of ["WORKER", "REVIEWER"] as const) {
      const user = await createUser({ role });
      const cookie = await sessionCookieFor(user.id);
      expect((await callRoute(adminLoader, getRequest("/admin/privacy", { cookie }))).status).toBe(
        403,
      );
      expect((await postAdmin(cookie, { intent: "add", app: "Anything" })).status).toBe(403);
    }
    expect(await prisma.privateApp.count({ where: { label: "Anything" } })).toBe(0);
  });
});

describe("deleting what an entry covers", () => {
  test("asks first, then deletes the covered apps' events and rollups only, with a verifiable receipt", async () => {
    const { user, cookie } = await signedIn();
    const device = await createDevice(user.id);
    await storeEvents(device, { "Bank A": 4, "bank b": 2, Editor: 5 });
    let shown = await page(cookie);
    expect(shown.seenApps).toEqual(["Editor", "Bank A", "bank b"]);

    await post(cookie, { intent: "add", app: "bank*" });
    shown = await page(cookie);
    const [entry] = shown.own;
    expect(entry).toMatchObject({ label: "bank*", wildcard: true, storedEvents: 6 });
    // Applications already private are not offered again.
    expect(shown.seenApps).toEqual(["Editor"]);

    // Unconfirmed, or confirmed for another entry: the question, and nothing deleted.
    const key = `purge-private-app:${entry!.id}`;
    const extras: Record<string, string>[] = [{}, { confirmed: "purge-private-app:another" }];
    for (const extra of extras) {
      const asked = await post(cookie, { intent: "purge", id: entry!.id, ...extra });
      expect(asked.status).toBe(200);
      expect(asked.data).toEqual({ kind: "confirm", confirm: key });
    }
    expect(await prisma.event.count({ where: { workerId: user.id } })).toBe(11);
    expect(await prisma.deletionReceipt.count({ where: { workerId: user.id } })).toBe(0);

    const done = await post(cookie, { intent: "purge", id: entry!.id, confirmed: key });
    expect(done.status).toBe(302);
    const receipt = await prisma.deletionReceipt.findFirstOrThrow({ where: { workerId: user.id } });
    expect(done.headers.get("Location")).toBe(`/privacy?receipt=${receipt.id}`);
    expect(receipt).toMatchObject({ kind: "PRIVATE_APP", app: "bank*", events: 6 });

    // Only the covered applications' events and rollups went.
    const left = await prisma.event.groupBy({
      by: ["app"],
      where: { workerId: user.id },
      _count: true,
    });
    expect(left).toEqual([{ app: "Editor", _count: 5 }]);
    for (const rollups of [
      await prisma.eventRollup.findMany({ where: { workerId: user.id }, select: { app: true } }),
      await prisma.eventRollupDay.findMany({ where: { workerId: user.id }, select: { app: true } }),
    ]) {
      expect(rollups.length).toBeGreaterThan(0);
      expect(new Set(rollups.map((r) => r.app))).toEqual(new Set(["Editor"]));
    }

    // The receipt verifies against the portal's published key.
    const file = formatReceipt(JSON.parse(receipt.receipt) as Receipt);
    const verified = verifyReceiptFile(file, receiptPublicKey().publicKeyPem);
    expect(verified.ok).toBe(true);
    expect(JSON.parse(receipt.receipt).payload.deletion).toMatchObject({
      kind: "private_app",
      app: "bank*",
      events: 6,
    });

    // The page names the count and links the receipt; the entry covers nothing stored now.
    shown = await page(cookie, `/privacy?receipt=${receipt.id}`);
    expect(shown.receipt).toEqual({ id: receipt.id, events: 6 });
    expect(shown.own[0]!.storedEvents).toBe(0);
    // Someone else's receipt id shows nothing.
    const other = await signedIn();
    expect((await page(other.cookie, `/privacy?receipt=${receipt.id}`)).receipt).toBeNull();
  });

  test("a worker can delete what an organisation entry covers in their own data only", async () => {
    const admin = await signedIn("ADMIN");
    const a = await signedIn();
    const b = await signedIn();
    const deviceA = await createDevice(a.user.id);
    const deviceB = await createDevice(b.user.id);
    await storeEvents(deviceA, { KeePass: 3, Editor: 1 });
    await storeEvents(deviceB, { KeePass: 2 });
    await postAdmin(admin.cookie, { intent: "add", app: "KeePass" });
    const [entry] = (await page(a.cookie)).organisation.filter((e) => e.label === "KeePass");
    expect(entry!.storedEvents).toBe(3);
    const key = `purge-private-app:${entry!.id}`;
    expect((await post(a.cookie, { intent: "purge", id: entry!.id, confirmed: key })).status).toBe(
      302,
    );
    expect(await prisma.event.count({ where: { workerId: a.user.id, app: "KeePass" } })).toBe(0);
    expect(await prisma.event.count({ where: { workerId: a.user.id, app: "Editor" } })).toBe(1);
    expect(await prisma.event.count({ where: { workerId: b.user.id, app: "KeePass" } })).toBe(2);
    // The organisation's entry itself stays.
    expect(await prisma.privateApp.count({ where: { id: entry!.id } })).toBe(1);
    await postAdmin(admin.cookie, { intent: "remove", id: entry!.id });
  });
});
