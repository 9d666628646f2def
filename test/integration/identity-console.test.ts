/**
 * Issue 19, part 4: the Identity page. Sign-in settings, the group → role
 * mapping (one recomputation for every directory-managed person), SCIM
 * tokens shown once and kept hashed, and a directory-managed role that the
 * console cannot change.
 */
import { describe, expect, test } from "vitest";
import { findLiveScimToken } from "#app/models/scim-token.server.ts";
import { action as identityAction, loader as identityLoader } from "#app/routes/admin.identity.tsx";
import { action as userAction } from "#app/routes/admin.users.$userId.tsx";
import { loader as adminLoader } from "#app/routes/admin._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";
import { updateIdentitySettings } from "#app/models/identity-settings.server.ts";

async function admin() {
  const user = await createUser({ role: "ADMIN" });
  return { user, cookie: await sessionCookieFor(user.id) };
}

function post(cookie: string, fields: Record<string, string>) {
  return callRoute(identityAction, formRequest("/admin/identity", fields, { cookie }));
}

/** A person whose role the directory sets, in these SCIM groups. */
async function directoryPerson(groups: string[], role: "WORKER" | "REVIEWER" | "ADMIN" = "WORKER") {
  const person = await createUser({ role });
  await prisma.user.update({ where: { id: person.id }, data: { roleSource: "DIRECTORY" } });
  for (const name of groups) {
    const group = await prisma.directoryGroup.upsert({
      where: { displayName: name },
      create: { displayName: name, createdAt: new Date(), updatedAt: new Date() },
      update: {},
    });
    await prisma.directoryGroupMember.create({ data: { groupId: group.id, userId: person.id } });
  }
  return person;
}

async function roleOf(userId: string) {
  return (await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { role: true } }))
    .role;
}

describe("group roles", () => {
  test("mapping a group raises its directory-managed members at once, the highest role wins, and console roles stay", async () => {
    const { cookie } = await admin();
    const reviewer = await directoryPerson(["Privacy-Reviewers"]);
    const both = await directoryPerson(["privacy-reviewers", "Lull-Admins"]);
    const consolePerson = await createUser({ role: "WORKER" });
    const outsider = await directoryPerson(["engineering"]);

    expect(
      (await post(cookie, { intent: "add-group", group: "Privacy-Reviewers", role: "REVIEWER" }))
        .status,
    ).toBe(302);
    expect(await roleOf(reviewer.id)).toBe("REVIEWER");
    expect(await roleOf(both.id)).toBe("REVIEWER");

    await post(cookie, { intent: "add-group", group: "lull-admins", role: "ADMIN" });
    expect(await roleOf(both.id)).toBe("ADMIN");
    expect(await roleOf(reviewer.id)).toBe("REVIEWER");
    expect(await roleOf(consolePerson.id)).toBe("WORKER");
    expect(await roleOf(outsider.id)).toBe("WORKER");

    const changes = await prisma.auditEvent.findMany({
      where: { action: "user.role_change", subjectUserId: both.id },
      orderBy: { at: "asc" },
    });
    expect(changes.map((c) => JSON.parse(c.metadata))).toEqual([
      { from: "WORKER", to: "REVIEWER", source: "directory", via: "console" },
      { from: "REVIEWER", to: "ADMIN", source: "directory", via: "console" },
    ]);
    const mapping = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "identity.group_role", targetId: "lull-admins" },
    });
    expect(JSON.parse(mapping.metadata)).toMatchObject({
      group: "lull-admins",
      to: "ADMIN",
      peopleChanged: 1,
    });
  });

  test("a person whose group loses its admin role loses the admin pages at their next request", async () => {
    const { cookie } = await admin();
    await post(cookie, { intent: "add-group", group: "console-admins", role: "ADMIN" });
    const person = await directoryPerson(["console-admins"]);
    await post(cookie, { intent: "add-group", group: "console-admins", role: "ADMIN" });
    const theirs = await sessionCookieFor(person.id);
    expect((await callRoute(adminLoader, getRequest("/admin", { cookie: theirs }))).status).toBe(
      200,
    );

    const res = await post(cookie, { intent: "remove-group", key: "console-admins" });
    expect(res.status).toBe(302);
    expect(await roleOf(person.id)).toBe("WORKER");
    expect((await callRoute(adminLoader, getRequest("/admin", { cookie: theirs }))).status).toBe(
      403,
    );
  });

  test("removing a mapping that is gone is refused and changes nothing", async () => {
    const { cookie } = await admin();
    const before = await prisma.auditEvent.count();
    const res = await post(cookie, { intent: "remove-group", key: "never-mapped" });
    expect(res.status).toBe(404);
    expect(await prisma.auditEvent.count()).toBe(before);
  });

  test("an empty group name is refused on its field", async () => {
    const { cookie } = await admin();
    const res = await post(cookie, { intent: "add-group", group: "  ", role: "ADMIN" });
    expect(res.status).toBe(400);
    expect(await prisma.groupRole.count({ where: { key: "" } })).toBe(0);
  });
});

describe("a role managed by the directory", () => {
  test("cannot be changed in the console; the manager and time zone still can", async () => {
    const { cookie } = await admin();
    const person = await directoryPerson([]);
    const here = `/admin/users/${person.id}`;
    const refused = await callRoute(
      userAction,
      formRequest(
        here,
        { intent: "update", role: "ADMIN", managerEmail: "", timezone: "UTC" },
        { cookie },
      ),
      { params: { userId: person.id } },
    );
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.data)).toContain("managed by your directory");
    expect(await prisma.user.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({
      role: "WORKER",
      timezone: "Europe/Berlin",
    });

    const saved = await callRoute(
      userAction,
      formRequest(
        here,
        { intent: "update", role: "WORKER", managerEmail: "", timezone: "UTC" },
        { cookie },
      ),
      { params: { userId: person.id } },
    );
    expect(saved.status).toBe(302);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: person.id } })).timezone).toBe(
      "UTC",
    );
  });
});

describe("sign-in settings", () => {
  test("single sign-on only is refused while no provider is configured (as in this test run)", async () => {
    const { user, cookie } = await admin();
    const res = await post(cookie, {
      intent: "settings",
      passwordSignIn: "BREAK_GLASS_ONLY",
      breakGlassEmails: user.email,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.data)).toContain("not configured");
    expect(
      (await prisma.identitySettings.findUniqueOrThrow({ where: { id: 1 } })).passwordSignIn,
    ).toBe("EVERYONE");
  });

  test("with a provider: needs a break-glass admin, who must be an active admin with a password", async () => {
    const { user } = await admin();
    const worker = await createUser();
    const now = new Date();
    const values = { passwordSignIn: "BREAK_GLASS_ONLY" as const, justInTimeProvisioning: false };
    const none = await updateIdentitySettings({
      actorId: user.id,
      values: { ...values, breakGlassEmails: [] },
      ssoConfigured: true,
      now,
    });
    expect(none).toMatchObject({ ok: false, refusal: { code: "no_break_glass" } });
    const notAdmin = await updateIdentitySettings({
      actorId: user.id,
      values: { ...values, breakGlassEmails: [worker.email] },
      ssoConfigured: true,
      now,
    });
    expect(notAdmin).toMatchObject({ ok: false, refusal: { code: "not_admin" } });
    expect(await prisma.auditEvent.count({ where: { action: "identity.settings" } })).toBe(0);

    await prisma.user.update({ where: { id: user.id }, data: { roleSource: "DIRECTORY" } });
    const saved = await updateIdentitySettings({
      actorId: user.id,
      values: {
        ...values,
        breakGlassEmails: [user.email.toUpperCase().toLowerCase()],
        justInTimeProvisioning: true,
      },
      ssoConfigured: true,
      now,
    });
    expect(saved).toEqual({
      ok: true,
      value: { changed: ["passwordSignIn", "breakGlassEmails", "justInTimeProvisioning"] },
    });
    const events = await prisma.auditEvent.findMany({ where: { action: "identity.settings" } });
    expect(events.map((e) => JSON.parse(e.metadata).field).sort()).toEqual([
      "breakGlassEmails",
      "justInTimeProvisioning",
      "passwordSignIn",
    ]);
    // A break-glass admin's role is the console's again.
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).roleSource).toBe(
      "CONSOLE",
    );
  });

  test("a malformed break-glass list is refused on its field", async () => {
    const { cookie } = await admin();
    const res = await post(cookie, {
      intent: "settings",
      passwordSignIn: "EVERYONE",
      breakGlassEmails: "not-an-email",
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.data)).toContain("Not an email address: not-an-email");
  });
});

describe("SCIM tokens", () => {
  test("a new token is shown once, stored only as its hash, works until revoked, and both are audited", async () => {
    const { user, cookie } = await admin();
    const res = await post(cookie, { intent: "create-token", name: "Entra ID" });
    expect(res.status).toBe(200);
    const token = (res.data as { token: { value: string } }).token.value;
    expect(token).toMatch(/^lull_scim_/);
    const row = await prisma.scimToken.findFirstOrThrow({ where: { name: "Entra ID" } });
    expect(JSON.stringify(row)).not.toContain(token.slice(10));
    expect(await findLiveScimToken(token, new Date())).toMatchObject({
      id: row.id,
      name: "Entra ID",
    });

    const page = await callRoute(identityLoader, getRequest("/admin/identity", { cookie }));
    expect(JSON.stringify(page.data)).not.toContain(token.slice(10));

    const unconfirmed = await post(cookie, { intent: "revoke-token", tokenId: row.id });
    expect(unconfirmed.data).toMatchObject({ kind: "confirm" });
    expect(await findLiveScimToken(token, new Date())).not.toBeNull();

    const revoked = await post(cookie, {
      intent: "revoke-token",
      tokenId: row.id,
      confirmed: `revoke-scim-token:${row.id}`,
    });
    expect(revoked.status).toBe(302);
    expect(await findLiveScimToken(token, new Date())).toBeNull();
    const again = await post(cookie, {
      intent: "revoke-token",
      tokenId: row.id,
      confirmed: `revoke-scim-token:${row.id}`,
    });
    expect(again.status).toBe(404);

    const audit = await prisma.auditEvent.findMany({
      where: { action: { startsWith: "identity.scim_token" } },
      orderBy: { at: "asc" },
    });
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ["identity.scim_token_create", user.id],
      ["identity.scim_token_revoke", user.id],
    ]);
    expect(audit.map((a) => a.metadata).join()).not.toContain(token.slice(10));
  });

  test("a token that was never made, or is not a Lull SCIM token, is not live", async () => {
    expect(await findLiveScimToken("lull_scim_nothing-like-this", new Date())).toBeNull();
    expect(await findLiveScimToken("Bearer x", new Date())).toBeNull();
  });
});
