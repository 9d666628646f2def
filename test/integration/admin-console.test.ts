import { describe, expect, test } from "vitest";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import {
  action as exceptionalAction,
  loader as exceptionalLoader,
} from "#app/routes/admin.users.$userId_.data.tsx";
import { forgetRecent } from "#app/models/forget.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

type RouteModule = { loader?: unknown; action?: unknown };
type RouteFn = Parameters<typeof callRoute>[0];

// Every route file under /admin, found by name: a new admin page is checked without editing this test.
const adminRoutes = import.meta.glob<RouteModule>("../../app/routes/admin*.{ts,tsx}", {
  eager: true,
});

async function signedInAdmin() {
  const admin = await createUser({ role: "ADMIN", name: "Amara Admin", timezone: "UTC" });
  return { admin, cookie: await sessionCookieFor(admin.id) };
}

describe("every admin route", () => {
  test("is found by the check below", () => {
    const names = Object.keys(adminRoutes).map((p) => p.split("/").pop());
    for (const page of [
      "admin.tsx",
      "admin._index.tsx",
      "admin.users._index.tsx",
      "admin.users.new.tsx",
      "admin.users.import.tsx",
      "admin.users.$userId.tsx",
      "admin.users.$userId_.data.tsx",
      "admin.policy.tsx",
      "admin.privacy.tsx",
      "admin.devices.tsx",
      "admin.documents._index.tsx",
      "admin.audit.tsx",
    ]) {
      expect(names).toContain(page);
    }
  });

  for (const role of ["WORKER", "REVIEWER", "REPRESENTATIVE", "DATA_STEWARD"] as const) {
    test(`refuses a ${role.toLowerCase()} with 403, for reading and for changing, and changes nothing`, async () => {
      const user = await createUser({ role });
      const other = await createUser();
      const cookie = await sessionCookieFor(user.id);
      const params = { userId: other.id, documentId: "any" };
      const audits = await prisma.auditEvent.count();
      let checked = 0;
      for (const [path, mod] of Object.entries(adminRoutes)) {
        if (typeof mod.loader === "function") {
          const res = await callRoute(mod.loader as RouteFn, getRequest("/admin", { cookie }), {
            params,
          });
          expect(res.status, `${path} loader`).toBe(403);
          checked++;
        }
        if (typeof mod.action === "function") {
          const res = await callRoute(
            mod.action as RouteFn,
            formRequest("/admin", { intent: "deactivate", reason: "x".repeat(40) }, { cookie }),
            { params },
          );
          expect(res.status, `${path} action`).toBe(403);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(15);
      expect(await prisma.auditEvent.count()).toBe(audits);
      expect(
        (await prisma.user.findUniqueOrThrow({ where: { id: other.id } })).deactivatedAt,
      ).toBeNull();
    });
  }
});

describe("exceptional access to one worker's data", () => {
  function openWith(cookie: string, workerId: string, reason?: string) {
    return callRoute(
      exceptionalAction,
      formRequest(
        `/admin/users/${workerId}/data`,
        reason === undefined ? {} : { reason, purpose: "security-investigation" },
        { cookie },
      ),
      { params: { userId: workerId } },
    );
  }
  function view(cookie: string, workerId: string, grant?: string) {
    return callRoute(
      exceptionalLoader,
      getRequest(`/admin/users/${workerId}/data${grant ? `?access=${grant}` : ""}`, { cookie }),
      { params: { userId: workerId } },
    );
  }

  test("without a reason, or with one under 20 characters, is refused and leaves no trace", async () => {
    const { cookie } = await signedInAdmin();
    const worker = await createUser();
    const audits = await prisma.auditEvent.count();
    const none = await openWith(cookie, worker.id);
    expect(none.status).toBe(400);
    expect((none.data as { error: Record<string, string[]> }).error.reason).toEqual([
      "Say why you need to open this worker's data.",
    ]);
    const short = await openWith(cookie, worker.id, "  checking things  ");
    expect(short.status).toBe(400);
    expect((short.data as { error: Record<string, string[]> }).error.reason![0]).toMatch(
      /at least 20 characters/,
    );
    expect(await prisma.exceptionalAccess.count()).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(audits);
    // And the data view itself shows only the reason form.
    const page = await view(cookie, worker.id);
    expect((page.data as { view: unknown }).view).toBeNull();
  });

  test("with a reason, opens the data read-only and appears in the worker's access log with the reason", async () => {
    const { admin, cookie } = await signedInAdmin();
    const worker = await createUser({ name: "Wren Worker" });
    const device = await createDevice(worker.id);
    await prisma.event.create({
      data: {
        workerId: worker.id,
        deviceId: device.id,
        type: "keystroke",
        at: new Date(),
        app: "Editor",
      },
    });
    const reason = "Legal hold request LH-2231 from counsel, 27 November";
    const res = await openWith(cookie, worker.id, reason);
    expect(res.status).toBe(302);
    const location = res.headers.get("Location")!;
    const grant = new URL(location, "http://x").searchParams.get("access")!;
    expect(location).toBe(`/admin/users/${worker.id}/data?access=${grant}`);

    // The worker forgot the last 15 minutes before the admin looked: the admin never sees when.
    const forgot = await forgetRecent({
      workerId: worker.id,
      timeZone: "UTC",
      minutes: 15,
      now: new Date(Date.now() - 20 * 60_000),
    });
    expect(forgot.ok).toBe(true);

    const page = await view(cookie, worker.id, grant);
    const data = page.data as {
      view: { reason: string; events: { type: string }[] };
    };
    expect(data.view.reason).toBe(reason);
    expect(data.view.events.map((e) => e.type)).toEqual(["keystroke"]);
    expect(JSON.stringify(page.data)).not.toMatch(/forget|Forgotten/i);

    const workerCookie = await sessionCookieFor(worker.id);
    const log = await callRoute(accessLoader, getRequest("/data/access", { cookie: workerCookie }));
    const entries = (log.data as { events: { who: string; what: string; reason: string | null }[] })
      .events;
    expect(entries).toContainEqual(
      expect.objectContaining({
        who: "Amara Admin (Admin)",
        what: "Opened a worker's data (exceptional access)",
        reason,
      }),
    );
    const notice = await prisma.notification.findFirstOrThrow({ where: { userId: worker.id } });
    expect(notice).toMatchObject({ title: "An admin opened your data", href: "/data/access" });
    expect(notice.body).toContain(reason);
    const event = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "data.exceptional_access" },
    });
    expect(event).toMatchObject({ actorId: admin.id, subjectUserId: worker.id, targetId: grant });
  });

  test("a grant works only for its admin, its worker and 30 minutes", async () => {
    const { admin, cookie } = await signedInAdmin();
    const other = await signedInAdmin();
    const worker = await createUser();
    const someoneElse = await createUser();
    const res = await openWith(cookie, worker.id, "Investigating a reported agent fault");
    const grant = new URL(res.headers.get("Location")!, "http://x").searchParams.get("access")!;
    expect(
      ((await view(other.cookie, worker.id, grant)).data as { view: unknown }).view,
    ).toBeNull();
    expect(((await view(cookie, someoneElse.id, grant)).data as { view: unknown }).view).toBeNull();
    await prisma.exceptionalAccess.update({
      where: { id: grant },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const expired = (await view(cookie, worker.id, grant)).data as {
      view: unknown;
      expiredGrant: boolean;
    };
    expect(expired).toMatchObject({ view: null, expiredGrant: true });
    expect(admin.id).not.toBe(other.admin.id);
  });

  test("a worker who does not exist, or is deactivated, is a 404", async () => {
    const { cookie } = await signedInAdmin();
    const gone = await createUser();
    await prisma.user.update({ where: { id: gone.id }, data: { deactivatedAt: new Date() } });
    expect((await view(cookie, "nobody")).status).toBe(404);
    expect((await openWith(cookie, gone.id, "A long enough reason for this test")).status).toBe(
      404,
    );
  });
});
