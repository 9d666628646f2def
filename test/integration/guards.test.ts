import { createCookie } from "@remix-run/node";
import { describe, expect, test } from "vitest";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import { loader as accountLoader } from "#app/routes/account._index.tsx";
import { loader as auditLoader } from "#app/routes/admin.audit.tsx";
import { loader as usersLoader } from "#app/routes/admin.users._index.tsx";
import { action as userAction } from "#app/routes/admin.users.$userId.tsx";
import { getUser, requireUser } from "#app/web/auth.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { SESSION_IDLE_MS, SESSION_TOUCH_INTERVAL_MS } from "#app/utils/session.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

describe("who is asking", () => {
  test("a tampered session cookie is treated as signed out", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.id);
    const [name, value] = cookie.split("=") as [string, string];
    const decoded = decodeURIComponent(value);
    const tampered = `${name}=${encodeURIComponent(`${decoded.slice(0, -2)}${decoded.endsWith("A") ? "BB" : "AA"}`)}`;
    expect(await getUser(getRequest("/", { cookie: tampered }))).toBeNull();

    const res = await callRoute(homeLoader, getRequest("/", { cookie: tampered }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login");
  });

  test("a cookie signed with another secret is treated as signed out", async () => {
    const user = await createUser();
    const real = await sessionCookieFor(user.id);
    const token = JSON.parse(
      atob(decodeURIComponent(real.split("=")[1]!).split(".")[0]!),
    ) as string;
    const forged = await createCookie("lull_session", {
      secrets: ["an attacker's secret, 32+ characters"],
    }).serialize(token);
    expect(await getUser(getRequest("/", { cookie: forged.split(";")[0]! }))).toBeNull();
  });

  test("a session unused for 12 hours has ended", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.id, new Date(Date.now() - SESSION_IDLE_MS - 1000));
    expect(await getUser(getRequest("/", { cookie }))).toBeNull();
  });

  test("using a session slides its idle expiry forward", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(
      user.id,
      new Date(Date.now() - 2 * SESSION_TOUCH_INTERVAL_MS),
    );
    const before = await prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(await getUser(getRequest("/", { cookie }))).not.toBeNull();
    const after = await prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(after.expiresAt.getTime()).toBeGreaterThan(before.expiresAt.getTime());
  });

  test("a deactivated account's sessions stop working at once", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.id);
    expect(await getUser(getRequest("/", { cookie }))).not.toBeNull();
    await prisma.user.update({ where: { id: user.id }, data: { deactivatedAt: new Date() } });
    expect(await getUser(getRequest("/", { cookie }))).toBeNull();
  });

  test("a signed-out visitor is sent to sign in, and comes back afterwards", async () => {
    const res = await callRoute(usersLoader, getRequest("/admin/users?page=2"));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(
      `/login?redirectTo=${encodeURIComponent("/admin/users?page=2")}`,
    );
    await expect(requireUser(getRequest("/"))).rejects.toBeInstanceOf(Response);
  });
});

describe("role guards", () => {
  test("an admin opens the admin pages", async () => {
    const admin = await createUser({ role: "ADMIN", name: "Ada Admin" });
    const cookie = await sessionCookieFor(admin.id);
    const people = await callRoute(usersLoader, getRequest("/admin/users?q=Ada", { cookie }));
    expect(people.status).toBe(200);
    expect((people.data as { people: { name: string }[] }).people.map((p) => p.name)).toContain(
      "Ada Admin",
    );
    const audit = await callRoute(auditLoader, getRequest("/admin/audit", { cookie }));
    expect(audit.status).toBe(200);
  });
});

describe("the audit trail", () => {
  test("the audit trail cannot be edited or deleted, even directly", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const worker = await createUser();
    const cookie = await sessionCookieFor(admin.id);
    await callRoute(
      userAction,
      formRequest(
        `/admin/users/${worker.id}`,
        { intent: "deactivate", confirmed: `deactivate-user:${worker.id}` },
        { cookie },
      ),
      { params: { userId: worker.id } },
    );
    const before = await prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(before.length).toBeGreaterThan(0);
    // SQLite triggers abort the statement (the driver reports it as a constraint violation).
    await expect(prisma.auditEvent.updateMany({ data: { action: "forged" } })).rejects.toThrow();
    await expect(prisma.auditEvent.deleteMany()).rejects.toThrow();
    expect(await prisma.auditEvent.findMany({ orderBy: { id: "asc" } })).toEqual(before);
  });
});

describe("home page", () => {
  test("greets the signed-in worker by name", async () => {
    const worker = await createUser({ name: "Wren Castellanos", timezone: "Europe/Berlin" });
    const cookie = await sessionCookieFor(worker.id);
    const res = await callRoute(homeLoader, getRequest("/", { cookie }));
    expect(res.status).toBe(200);
    const data = res.data as { greeting: string; profile: { name: string } };
    expect(data.greeting).toMatch(/^Good (morning|afternoon|evening)$/);
    expect(data.profile.name).toBe("Wren Castellanos");
    // The account page has the rest: the time zone and where they are signed in.
    const account = (await callRoute(accountLoader, getRequest("/account", { cookie }))).data as {
      profile: { timeZone: string };
      sessions: unknown[];
    };
    expect(account.profile.timeZone).toMatch(/^Europe\/Berlin/);
    expect(account.sessions).toHaveLength(1);
  });
});
