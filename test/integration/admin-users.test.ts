import { createHash, randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { SETUP_LINK_TTL_MS } from "#app/domain/user-admin.ts";
import { MAX_IMPORT_ROWS } from "#app/domain/user-import.ts";
import { completePasswordSetup } from "#app/models/password-setup.server.ts";
import { createEnrollmentCode } from "#app/models/device.server.ts";
import { createUserAccount } from "#app/models/user-account.server.ts";
import { deliverOutbox } from "#app/commands/outbox-dispatcher.server.ts";
import { applyImport } from "#app/models/user-import.server.ts";
import { loader as stateLoader } from "#app/routes/api.agent.v1.state.ts";
import { callStateStream } from "#test/state-stream-server.ts";
import { action as newUserAction } from "#app/routes/admin.users.new.tsx";
import { action as userAction, loader as userLoader } from "#app/routes/admin.users.$userId.tsx";
import { action as importAction } from "#app/routes/admin.users.import.tsx";
import {
  action as setPasswordAction,
  loader as setPasswordLoader,
} from "#app/routes/set-password.$token.tsx";
import { getUser, signIn } from "#app/web/auth.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

async function signedInAdmin() {
  const admin = await createUser({ role: "ADMIN", name: "Amara Admin", timezone: "UTC" });
  return { admin, cookie: await sessionCookieFor(admin.id) };
}

/** A device with a token we know (the enrollment API has its own tests). */
async function deviceWithToken(workerId: string) {
  const token = randomBytes(32).toString("base64url");
  await prisma.device.create({
    data: {
      workerId,
      name: "Laptop",
      platform: "linux",
      agentVersion: "1.0.0",
      tokenHash: createHash("sha256").update(token).digest("hex"),
    },
  });
  return token;
}

function agentState(token: string) {
  return callRoute(
    stateLoader,
    new Request("http://127.0.0.1/api/agent/v1/state", {
      headers: { Authorization: `Bearer ${token}` },
    }),
  );
}

/** An admin's change to an account; a deactivation confirmed as the dialog confirms it. */
function changeUser(cookie: string, userId: string, fields: Record<string, string>) {
  const confirmed: Record<string, string> =
    fields.intent === "deactivate" ? { confirmed: `deactivate-user:${userId}` } : {};
  return callRoute(
    userAction,
    formRequest(`/admin/users/${userId}`, { ...confirmed, ...fields }, { cookie }),
    { params: { userId } },
  );
}

function tokenFrom(url: string): string {
  return url.split("/set-password/")[1]!;
}

describe("creating a user", () => {
  test("the new person gets a one-time link by mail, sets a password through it and signs in", async () => {
    const { admin, cookie } = await signedInAdmin();
    const manager = await createUser({ email: `boss-${Date.now()}@example.test` });
    const res = await callRoute(
      newUserAction,
      formRequest(
        "/admin/users/new",
        {
          name: "Noor Haddad",
          email: " Noor.Haddad@Example.test ",
          role: "WORKER",
          managerEmail: manager.email,
          timezone: "Asia/Dubai",
        },
        { cookie },
      ),
    );
    expect(res.status).toBe(200);
    const created = (res.data as { created: { id: string; url: string; email: string } }).created;
    expect(created.email).toBe("noor.haddad@example.test");
    const user = await prisma.user.findUniqueOrThrow({
      where: { id: created.id },
      include: { password: true },
    });
    expect(user).toMatchObject({ role: "WORKER", timezone: "Asia/Dubai", managerId: manager.id });
    expect(user.password).toBeNull();

    // Mailed through the transport, with the same link the admin sees.
    const mail = await prisma.outboundEmail.findFirstOrThrow({ where: { to: created.email } });
    expect(mail.subject).toBe("Set your Lull password");
    expect(mail.text).toContain(created.url);
    // Only the hash of the token is stored.
    const token = tokenFrom(created.url);
    expect(token.length).toBeGreaterThanOrEqual(43);
    const stored = await prisma.passwordSetupToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(stored.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(SETUP_LINK_TTL_MS);
    expect(JSON.stringify(await prisma.auditEvent.findMany())).not.toContain(token);

    const page = await callRoute(setPasswordLoader, getRequest(`/set-password/${token}`), {
      params: { token },
    });
    expect(page.data).toEqual({ person: { name: "Noor Haddad", email: created.email } });

    const set = await callRoute(
      setPasswordAction,
      formRequest(`/set-password/${token}`, {
        password: "a long and private phrase",
        confirm: "a long and private phrase",
      }),
      { params: { token } },
    );
    expect(set.status).toBe(302);
    expect(set.headers.get("Location")).toBe("/login");
    const signedIn = await signIn({
      email: created.email,
      password: "a long and private phrase",
      ip: "192.0.2.1",
      userAgent: null,
    });
    expect(signedIn.ok).toBe(true);

    // The link works once.
    const again = await callRoute(
      setPasswordAction,
      formRequest(`/set-password/${token}`, {
        password: "another long phrase here",
        confirm: "another long phrase here",
      }),
      { params: { token } },
    );
    expect(again.status).toBe(410);
    const reopened = await callRoute(setPasswordLoader, getRequest(`/set-password/${token}`), {
      params: { token },
    });
    expect(reopened.status).toBe(410);

    const actions = await prisma.auditEvent.findMany({
      where: { subjectUserId: user.id },
      orderBy: { at: "asc" },
      select: { action: true, actorId: true },
    });
    expect(actions).toEqual([
      { action: "user.create", actorId: admin.id },
      { action: "user.setup_link", actorId: admin.id },
      { action: "user.password_set", actorId: user.id },
      { action: "auth.sign_in", actorId: user.id },
    ]);
  });

  test("a link stops working after 72 hours, and a newer link voids the older one", async () => {
    const { admin, cookie } = await signedInAdmin();
    const now = new Date();
    const outcome = await createUserAccount({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      input: {
        name: "Late Larkin",
        email: `late-${Date.now()}@example.test`,
        role: "WORKER",
        managerEmail: null,
        timezone: "UTC",
      },
      now,
    });
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    const { link, userId } = outcome.value;
    const after72h = new Date(now.getTime() + SETUP_LINK_TTL_MS);
    expect(
      await completePasswordSetup(link.token, "a long and private phrase", after72h),
    ).toMatchObject({
      ok: false,
      refusal: { code: "link_expired" },
    });

    const res = await changeUser(cookie, userId, { intent: "issue-link" });
    expect(res.status).toBe(200);
    const fresh = tokenFrom((res.data as { link: { url: string } }).link.url);
    expect(
      await completePasswordSetup(link.token, "a long and private phrase", new Date()),
    ).toMatchObject({ ok: false, refusal: { code: "link_expired" } });
    expect(
      await completePasswordSetup(fresh, "a long and private phrase", new Date()),
    ).toMatchObject({ ok: true });
  });

  test("bad input names each field and writes nothing", async () => {
    const { cookie } = await signedInAdmin();
    const users = await prisma.user.count();
    const audits = await prisma.auditEvent.count();
    const res = await callRoute(
      newUserAction,
      formRequest(
        "/admin/users/new",
        {
          name: "",
          email: "not-an-email",
          role: "OWNER",
          managerEmail: "nobody",
          timezone: "Mars/Olympus",
        },
        { cookie },
      ),
    );
    expect(res.status).toBe(400);
    const errors = (res.data as { result: { error: Record<string, string[]> } }).result.error;
    expect(Object.keys(errors).sort()).toEqual([
      "email",
      "managerEmail",
      "name",
      "role",
      "timezone",
    ]);
    expect(errors.timezone).toEqual([
      "That is not a time zone; use a name such as Europe/Berlin or UTC.",
    ]);
    expect(await prisma.user.count()).toBe(users);
    expect(await prisma.auditEvent.count()).toBe(audits);
  });

  test("an email already in use, or an unknown manager, is refused on its field", async () => {
    const { cookie } = await signedInAdmin();
    const taken = await createUser();
    const fields = { name: "Dup", role: "WORKER", timezone: "UTC" };
    const dup = await callRoute(
      newUserAction,
      formRequest(
        "/admin/users/new",
        { ...fields, email: taken.email.toUpperCase(), managerEmail: "" },
        { cookie },
      ),
    );
    expect(dup.status).toBe(409);
    expect(
      (dup.data as { result: { error: Record<string, string[]> } }).result.error.email,
    ).toEqual([`${taken.email} already has an account.`]);
    const users = await prisma.user.count();
    const unknown = await callRoute(
      newUserAction,
      formRequest(
        "/admin/users/new",
        { ...fields, email: "fresh@example.test", managerEmail: "ghost@example.test" },
        { cookie },
      ),
    );
    expect(unknown.status).toBe(400);
    expect(
      (unknown.data as { result: { error: Record<string, string[]> } }).result.error.managerEmail,
    ).toEqual(["Nobody with ghost@example.test has an active account."]);
    expect(await prisma.user.count()).toBe(users);
  });
});

describe("changing a user", () => {
  test("role and manager changes are saved and audited with old and new values", async () => {
    const { admin, cookie } = await signedInAdmin();
    const manager = await createUser();
    const worker = await createUser({ timezone: "UTC" });
    const res = await changeUser(cookie, worker.id, {
      intent: "update",
      role: "REVIEWER",
      managerEmail: manager.email,
      timezone: "UTC",
    });
    expect(res.status).toBe(302);
    expect(await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).toMatchObject({
      role: "REVIEWER",
      managerId: manager.id,
    });
    const events = await prisma.auditEvent.findMany({
      where: { subjectUserId: worker.id, actorId: admin.id },
      orderBy: { action: "asc" },
    });
    expect(events.map((e) => [e.action, JSON.parse(e.metadata)])).toEqual([
      ["user.role_change", { field: "role", from: "WORKER", to: "REVIEWER" }],
      ["user.update", { field: "manager", from: null, to: manager.email }],
    ]);
  });

  test("a manager nobody has is refused on its field, and nothing changes", async () => {
    const { cookie } = await signedInAdmin();
    const worker = await createUser();
    const res = await changeUser(cookie, worker.id, {
      intent: "update",
      role: "ADMIN",
      managerEmail: "ghost@example.test",
      timezone: "UTC",
    });
    expect(res.status).toBe(400);
    expect(
      (res.data as { result: { error: Record<string, string[]> } }).result.error.managerEmail,
    ).toBeDefined();
    expect(await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).toMatchObject({
      role: "WORKER",
      managerId: null,
      timezone: "Europe/Berlin",
    });
  });

  test("a manager who would close a loop, or who has left, is refused", async () => {
    const { cookie } = await signedInAdmin();
    const top = await createUser();
    const middle = await createUser();
    await prisma.user.update({ where: { id: middle.id }, data: { managerId: top.id } });
    const loop = await changeUser(cookie, top.id, {
      intent: "update",
      role: "WORKER",
      managerEmail: middle.email,
      timezone: "UTC",
    });
    expect(loop.status).toBe(400);
    expect(
      (loop.data as { result: { error: Record<string, string[]> } }).result.error.managerEmail,
    ).toEqual([`${middle.email} is managed, directly or further down, by this person.`]);

    const gone = await createUser();
    await prisma.user.update({ where: { id: gone.id }, data: { deactivatedAt: new Date() } });
    const left = await changeUser(cookie, middle.id, {
      intent: "update",
      role: "WORKER",
      managerEmail: gone.email,
      timezone: "UTC",
    });
    expect(left.status).toBe(400);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: middle.id } })).managerId).toBe(
      top.id,
    );
  });

  test("someone else's id that does not exist is a 404", async () => {
    const { cookie } = await signedInAdmin();
    const res = await callRoute(userLoader, getRequest("/admin/users/nobody", { cookie }), {
      params: { userId: "nobody" },
    });
    expect(res.status).toBe(404);
  });
});

describe("the last admin", () => {
  test("cannot demote or deactivate themselves; with a second admin they can", async () => {
    // Each test file has its own database, but earlier tests here made admins: start clean.
    await prisma.user.updateMany({ where: { role: "ADMIN" }, data: { role: "WORKER" } });
    const { admin, cookie } = await signedInAdmin();
    const demote = await changeUser(cookie, admin.id, {
      intent: "update",
      role: "WORKER",
      managerEmail: "",
      timezone: "UTC",
    });
    expect(demote.status).toBe(409);
    expect(
      (demote.data as { result: { error: Record<string, string[]> } }).result.error.role,
    ).toEqual(["You are the last active admin: make someone else an admin first."]);
    const deactivate = await changeUser(cookie, admin.id, { intent: "deactivate" });
    expect(deactivate.status).toBe(409);
    expect((deactivate.data as { error: string }).error).toMatch(/last active admin/);
    expect(await prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).toMatchObject({
      role: "ADMIN",
      deactivatedAt: null,
    });
    expect(await getUser(getRequest("/", { cookie }))).not.toBeNull();

    await createUser({ role: "ADMIN" });
    const now = await changeUser(cookie, admin.id, {
      intent: "update",
      role: "WORKER",
      managerEmail: "",
      timezone: "UTC",
    });
    expect(now.status).toBe(302);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("WORKER");
  });
});

describe("an admin who cannot sign in yet", () => {
  test("does not count as another admin: the last one who can still cannot step down", async () => {
    await prisma.user.updateMany({ where: { role: "ADMIN" }, data: { role: "WORKER" } });
    const { admin, cookie } = await signedInAdmin();
    // A second admin, created but who never set a password (their link may lapse).
    const pending = await createUserAccount({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      input: {
        name: "Pending Admin",
        email: `pending-${Date.now()}@example.test`,
        role: "ADMIN",
        managerEmail: null,
        timezone: "UTC",
      },
      now: new Date(),
    });
    expect(pending.ok).toBe(true);
    const res = await changeUser(cookie, admin.id, { intent: "deactivate" });
    expect(res.status).toBe(409);
    expect(
      (await prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).deactivatedAt,
    ).toBeNull();
  });
});

describe("deactivating asks first", () => {
  test("unconfirmed, the answer is the question and the account stays active", async () => {
    const { cookie } = await signedInAdmin();
    const worker = await createUser();
    const asked = await changeUser(cookie, worker.id, { intent: "deactivate", confirmed: "" });
    expect(asked.status).toBe(200);
    expect(asked.data).toMatchObject({ kind: "confirm", confirm: `deactivate-user:${worker.id}` });
    expect(
      (await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).deactivatedAt,
    ).toBeNull();
    // A confirmation of another account's deactivation does not deactivate this one.
    const other = await changeUser(cookie, worker.id, {
      intent: "deactivate",
      confirmed: "deactivate-user:someone-else",
    });
    expect(other.data).toMatchObject({ kind: "confirm" });
    expect(
      (await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).deactivatedAt,
    ).toBeNull();
  });

  test("an account that does not exist is not found before any question", async () => {
    const { cookie } = await signedInAdmin();
    const res = await changeUser(cookie, "no-such-user", { intent: "deactivate", confirmed: "" });
    expect(res.status).toBe(404);
  });
});

describe("set-password links for people who already have a password", () => {
  test("are mailed as a reset and never shown to the admin", async () => {
    const { cookie } = await signedInAdmin();
    const worker = await createUser();
    const res = await changeUser(cookie, worker.id, { intent: "issue-link" });
    expect(res.status).toBe(302);
    expect(JSON.stringify(res.data)).not.toContain("/set-password/");
    const mail = await prisma.outboundEmail.findFirstOrThrow({ where: { to: worker.email } });
    expect(mail.text).toContain("/set-password/");
    const token = mail.text.match(/\/set-password\/([A-Za-z0-9_-]+)/)![1]!;
    const outcome = await completePasswordSetup(token, "a brand new long phrase", new Date());
    expect(outcome).toMatchObject({ ok: true });
    const event = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.password_set", subjectUserId: worker.id },
    });
    expect(JSON.parse(event.metadata)).toMatchObject({ linkIssuedBy: expect.any(String) });
  });
});

describe("deactivating a user", () => {
  test("ends every session and makes every device token fail with 401 at once; reactivation keeps devices revoked", async () => {
    const { admin, cookie } = await signedInAdmin();
    const worker = await createUser();
    const workerCookie = await sessionCookieFor(worker.id);
    const laptop = await deviceWithToken(worker.id);
    await createEnrollmentCode(worker.id, new Date());
    const desktop = await deviceWithToken(worker.id);
    expect((await agentState(laptop)).status).toBe(200);

    const res = await changeUser(cookie, worker.id, { intent: "deactivate" });
    expect(res.status).toBe(302);
    expect(await prisma.session.count({ where: { userId: worker.id } })).toBe(0);
    expect(await getUser(getRequest("/", { cookie: workerCookie }))).toBeNull();
    for (const token of [laptop, desktop]) {
      const state = await agentState(token);
      expect(state.status).toBe(401);
    }
    expect(await prisma.device.count({ where: { workerId: worker.id, revokedAt: null } })).toBe(0);
    const event = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.deactivate", subjectUserId: worker.id },
    });
    expect(event.actorId).toBe(admin.id);
    expect(JSON.parse(event.metadata)).toEqual({ revokedDevices: 2 });

    // Codes and links from before no longer work either.
    expect(
      await prisma.enrollmentCode.count({
        where: { workerId: worker.id, usedAt: null, expiresAt: { gt: new Date() } },
      }),
    ).toBe(0);

    const back = await changeUser(cookie, worker.id, { intent: "reactivate" });
    expect(back.status).toBe(302);
    expect(
      (await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).deactivatedAt,
    ).toBeNull();
    expect((await agentState(laptop)).status).toBe(401);
  });

  test("closes the worker's open state streams within a second", async () => {
    const { cookie } = await signedInAdmin();
    const worker = await createUser();
    const token = await deviceWithToken(worker.id);
    const res = (await callStateStream(
      new Request("http://127.0.0.1/api/agent/v1/state/stream", {
        headers: { Authorization: `Bearer ${token}` },
      }),
    )) as Response;
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^event: state/);
    const started = Date.now();
    expect((await changeUser(cookie, worker.id, { intent: "deactivate" })).status).toBe(302);
    const ended = await Promise.race([
      reader.read(),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 1000)),
    ]);
    expect(ended).toEqual({ done: true, value: undefined });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("voids a pending set-password link: it no longer opens or works", async () => {
    const { admin, cookie } = await signedInAdmin();
    const created = await createUserAccount({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      input: {
        name: "Short Stay",
        email: `short-${Date.now()}@example.test`,
        role: "WORKER",
        managerEmail: null,
        timezone: "UTC",
      },
      now: new Date(),
    });
    if (!created.ok) throw new Error(created.refusal.message);
    const { link, userId } = created.value;
    const token = link.token;
    expect((await changeUser(cookie, userId, { intent: "deactivate" })).status).toBe(302);
    const page = await callRoute(setPasswordLoader, getRequest(`/set-password/${token}`), {
      params: { token },
    });
    expect(page.status).toBe(410);
    expect(
      await completePasswordSetup(token, "a long and private phrase", new Date()),
    ).toMatchObject({
      ok: false,
      refusal: { code: "link_expired" },
    });
    // Reactivating does not revive it: a new link must be sent.
    await changeUser(cookie, userId, { intent: "reactivate" });
    expect(
      await completePasswordSetup(token, "a long and private phrase", new Date()),
    ).toMatchObject({
      ok: false,
      refusal: { code: "link_expired" },
    });
  });

  test("deactivating twice is refused without a second audit event", async () => {
    const { cookie } = await signedInAdmin();
    const worker = await createUser();
    expect((await changeUser(cookie, worker.id, { intent: "deactivate" })).status).toBe(302);
    const again = await changeUser(cookie, worker.id, { intent: "deactivate" });
    expect(again.status).toBe(409);
    expect(
      await prisma.auditEvent.count({
        where: { action: "user.deactivate", subjectUserId: worker.id },
      }),
    ).toBe(1);
  });

  test("an unknown intent names the field and changes nothing", async () => {
    const { cookie } = await signedInAdmin();
    const worker = await createUser();
    const before = await prisma.auditEvent.count();
    const res = await changeUser(cookie, worker.id, { intent: "delete-everything" });
    expect(res.status).toBe(400);
    expect(
      (res.data as { result: { error: Record<string, string[]> } }).result.error.intent,
    ).toEqual(["Choose what to change."]);
    expect(await prisma.auditEvent.count()).toBe(before);
  });
});

function uploadRequest(cookie: string, csv: string) {
  const form = new FormData();
  form.set("intent", "preview");
  form.set("file", new File([csv], "people.csv", { type: "text/csv" }));
  return new Request("http://127.0.0.1/admin/users/import", {
    method: "POST",
    body: form,
    headers: { Cookie: cookie },
  });
}

type ImportData =
  | { step: "preview"; check: { ok: boolean; rows: { line: number; errors: string[] }[] } }
  | { step: "done"; people: { email: string; url: string }[] }
  | { step: "error"; errors: string[] };

async function countWrites() {
  const [users, audits, tokens, mails] = await Promise.all([
    prisma.user.count(),
    prisma.auditEvent.count(),
    prisma.passwordSetupToken.count(),
    prisma.outboundEmail.count(),
  ]);
  return { users, audits, tokens, mails };
}

describe("importing users from CSV", () => {
  test("the dry run writes nothing and reports each bad row", async () => {
    const { cookie } = await signedInAdmin();
    const existing = await createUser({ email: "existing@example.test" });
    const before = await countWrites();
    const csv = [
      "name,email,role,manager email,timezone",
      "Good Person,good@example.test,Worker,existing@example.test,Europe/Paris",
      "Unknown Boss,u@example.test,Worker,nobody@example.test,UTC",
      "Bad Email,not-an-email,Worker,,UTC",
      `Duplicate,${existing.email},Worker,,UTC`,
      "Bad Zone,zone@example.test,Worker,,Mars/Olympus",
    ].join("\r\n");
    const res = await callRoute(importAction, uploadRequest(cookie, csv));
    expect(res.status).toBe(400);
    const data = res.data as ImportData;
    if (data.step !== "preview") throw new Error(`expected a preview, got ${data.step}`);
    expect(data.check.ok).toBe(false);
    expect(data.check.rows.map((r) => [r.line, r.errors.length > 0])).toEqual([
      [2, false],
      [3, true],
      [4, true],
      [5, true],
      [6, true],
    ]);
    expect(data.check.rows[1]!.errors[0]).toMatch(
      /Manager email: nobody with nobody@example.test has an active account/,
    );
    expect(data.check.rows[2]!.errors[0]).toMatch(/^Email:/);
    expect(data.check.rows[3]!.errors[0]).toMatch(/already has an account/);
    expect(data.check.rows[4]!.errors[0]).toMatch(/^Time zone:/);
    expect(await countWrites()).toEqual(before);
    // Even a clean file's dry run writes nothing.
    const clean = await callRoute(
      importAction,
      uploadRequest(cookie, "name,email\nSolo Person,solo@example.test\n"),
    );
    expect(clean.status).toBe(200);
    expect(await countWrites()).toEqual(before);
  });

  test("the apply writes everyone, managers included, each with a link and an audit event", async () => {
    const { admin, cookie } = await signedInAdmin();
    const csv = [
      "name,email,role,manager email,timezone",
      "Team Lead,lead@import.test,Reviewer,,Europe/Oslo",
      "Team Member,member@import.test,,lead@import.test,",
    ].join("\n");
    const res = await callRoute(
      importAction,
      formRequest("/admin/users/import", { intent: "apply", csv }, { cookie }),
    );
    expect(res.status).toBe(200);
    const data = res.data as ImportData;
    if (data.step !== "done") throw new Error(`expected done, got ${data.step}`);
    expect(data.people.map((p) => p.email)).toEqual(["lead@import.test", "member@import.test"]);
    const lead = await prisma.user.findUniqueOrThrow({ where: { email: "lead@import.test" } });
    const member = await prisma.user.findUniqueOrThrow({ where: { email: "member@import.test" } });
    expect(lead).toMatchObject({ role: "REVIEWER", timezone: "Europe/Oslo", managerId: null });
    expect(member).toMatchObject({ role: "WORKER", timezone: "UTC", managerId: lead.id });
    expect(
      await prisma.passwordSetupToken.count({ where: { userId: { in: [lead.id, member.id] } } }),
    ).toBe(2);
    await deliverOutbox(); // the answer does not wait for the links to be mailed
    expect(
      await prisma.outboundEmail.count({
        where: { to: { in: ["lead@import.test", "member@import.test"] } },
      }),
    ).toBe(2);
    // Per person a user.create and a user.setup_link event, as for one created by hand; one user.import.
    const events = await prisma.auditEvent.findMany({
      where: { actorId: admin.id, action: { startsWith: "user." } },
      select: { action: true, subjectUserId: true, metadata: true },
    });
    expect(events.map((e) => [e.action, e.subjectUserId])).toEqual([
      ["user.create", lead.id],
      ["user.setup_link", lead.id],
      ["user.create", member.id],
      ["user.setup_link", member.id],
      ["user.import", null],
    ]);
    expect(JSON.parse(events[2]!.metadata)).toEqual({
      role: "WORKER",
      manager: "lead@import.test",
      timezone: "UTC",
      imported: true,
    });
    expect(JSON.parse(events[4]!.metadata)).toEqual({ count: 2 });
    // The link shown (and mailed) works.
    const token = tokenFrom(data.people[1]!.url);
    expect(
      await completePasswordSetup(token, "a long and private phrase", new Date()),
    ).toMatchObject({ ok: true, email: "member@import.test" });
  });

  test("the apply is all or nothing: one row gone bad since the preview, and nobody is written", async () => {
    const { cookie } = await signedInAdmin();
    const csv = "name,email\nFirst,first@late.test\nSecond,second@late.test\n";
    const preview = await callRoute(importAction, uploadRequest(cookie, csv));
    expect(preview.status).toBe(200);
    // Someone takes the second email between the dry run and the apply.
    await createUser({ email: "second@late.test" });
    const before = await countWrites();
    const res = await callRoute(
      importAction,
      formRequest("/admin/users/import", { intent: "apply", csv }, { cookie }),
    );
    expect(res.status).toBe(400);
    const data = res.data as ImportData;
    if (data.step !== "preview") throw new Error(`expected a preview, got ${data.step}`);
    expect(data.check.rows[1]!.errors).toEqual(["Email: second@late.test already has an account."]);
    expect(await countWrites()).toEqual(before);
    expect(await prisma.user.findUnique({ where: { email: "first@late.test" } })).toBeNull();
  });

  // Timing is the benchmark's business: these only say the largest file is written whole or not
  // at all, with room for a slow, busy machine.
  test(
    "a file of the largest allowed size is written whole, or not at all",
    { timeout: 120_000 },
    async () => {
      const { admin, cookie } = await signedInAdmin();
      const people = (last: string) =>
        [
          "name,email,role,manager email,timezone",
          ...Array.from({ length: MAX_IMPORT_ROWS - 1 }, (_, i) =>
            // Everyone reports to the first person, who comes later in the file.
            i === 0
              ? `Head,head@bulk.test,Admin,,UTC`
              : `Person ${i},p${i}@bulk.test,,head@bulk.test,`,
          ).reverse(),
          `Last One,${last},,head@bulk.test,Europe/Paris`,
        ].join("\n");
      // The last row's email is taken after the dry run: nothing is written.
      await createUser({ email: "taken@bulk.test" });
      const before = await countWrites();
      const refused = await callRoute(
        importAction,
        formRequest(
          "/admin/users/import",
          { intent: "apply", csv: people("taken@bulk.test") },
          {
            cookie,
          },
        ),
      );
      expect(refused.status).toBe(400);
      const data = refused.data as ImportData;
      if (data.step !== "preview") throw new Error(`expected a preview, got ${data.step}`);
      expect(data.check.rows.filter((r) => r.errors.length > 0)).toEqual([
        { ...data.check.rows.at(-1)!, errors: ["Email: taken@bulk.test already has an account."] },
      ]);
      expect(await countWrites()).toEqual(before);

      // The same file with a free email in its last row: everyone, each with a link and events.
      const outcome = await applyImport({
        actorId: admin.id,
        linkBase: "http://127.0.0.1",
        csv: people("last@bulk.test"),
        now: new Date(),
      });
      if (!outcome.ok) throw new Error(outcome.refusal.message);
      expect(outcome.value.people).toHaveLength(MAX_IMPORT_ROWS);
      const head = await prisma.user.findUniqueOrThrow({ where: { email: "head@bulk.test" } });
      expect(head).toMatchObject({ role: "ADMIN", managerId: null });
      expect(
        await prisma.user.count({
          where: { email: { endsWith: "@bulk.test" }, managerId: head.id },
        }),
      ).toBe(MAX_IMPORT_ROWS - 1);
      await deliverOutbox(); // the answer does not wait for the links to be mailed
      const after = await countWrites();
      expect(after).toEqual({
        users: before.users + MAX_IMPORT_ROWS,
        audits: before.audits + 2 * MAX_IMPORT_ROWS + 1,
        tokens: before.tokens + MAX_IMPORT_ROWS,
        mails: before.mails + MAX_IMPORT_ROWS, // each link mailed once the import has finished
      });
    },
  );

  test("no file at all is named as the problem", async () => {
    const { cookie } = await signedInAdmin();
    const res = await callRoute(
      importAction,
      formRequest("/admin/users/import", { intent: "preview" }, { cookie }),
    );
    expect(res.status).toBe(400);
    expect(res.data).toEqual({ step: "error", errors: ["Choose a CSV file to import."] });
  });
});
