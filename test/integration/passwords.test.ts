/**
 * Issue 15, item 6: passwords that are common or easy to guess are refused
 * wherever one is chosen, and a person changes their own password (the
 * current one required), which signs out every other session.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { action as changeAction } from "#app/routes/account.password.tsx";
import { action as setPasswordAction } from "#app/routes/set-password.$token.tsx";
import { issueSetupToken } from "#app/models/password-setup.server.ts";
import { COMMON_PASSWORD_MESSAGE } from "#app/utils/password-strength.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { verifyPassword } from "#app/utils/password.server.ts";
import { getUser, signIn } from "#app/web/auth.server.ts";
import { resetSignInThrottle } from "#app/web/sign-in-throttle.server.ts";
import { TEST_PASSWORD, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

type Reply = { error?: Record<string, string[] | undefined> };

beforeEach(() => resetSignInThrottle());

async function passwordHash(userId: string) {
  return (await prisma.password.findUniqueOrThrow({ where: { userId } })).hash;
}

describe("choosing a password through a set-password link", () => {
  test("a common, repeated or personal password is refused and the link still works", async () => {
    const user = await createUser({ name: "Ines Okafor", email: "ines.okafor@example.test" });
    const admin = await createUser({ role: "ADMIN" });
    const { token } = await prisma.$transaction((tx) =>
      issueSetupToken(tx, { userId: user.id, actorId: admin.id, now: new Date() }),
    );
    const before = await passwordHash(user.id);
    for (const weak of ["aaaaaaaaaaaa", "1q2w3e4r5t6y", "ines.okafor2026"]) {
      const res = await callRoute(
        setPasswordAction,
        formRequest(`/set-password/${token}`, { password: weak, confirm: weak }),
        { params: { token } },
      );
      expect(res.status, weak).toBe(400);
      expect((res.data as Reply).error?.password?.[0], weak).toMatch(/common|guess|name/);
    }
    expect(await passwordHash(user.id)).toBe(before);
    const strong = "tangerine orbit cello fjord";
    const res = await callRoute(
      setPasswordAction,
      formRequest(`/set-password/${token}`, { password: strong, confirm: strong }),
      { params: { token } },
    );
    expect(res.status).toBe(302);
    expect(await verifyPassword(strong, await passwordHash(user.id))).toBe(true);
  });
});

describe("changing one's own password", () => {
  async function twoSessions() {
    const user = await createUser();
    const here = await sessionCookieFor(user.id);
    const elsewhere = await sessionCookieFor(user.id);
    return { user, here, elsewhere };
  }
  const change = (cookie: string, fields: Record<string, string>) =>
    callRoute(changeAction, formRequest("/account/password", fields, { cookie }));
  const signedIn = async (cookie: string) => (await getUser(getRequest("/", { cookie }))) !== null;

  test("with the current password: changed, every other session ends, this one stays, audited", async () => {
    const { user, here, elsewhere } = await twoSessions();
    const next = "quiet lantern harbour moss";
    const res = await change(here, { current: TEST_PASSWORD, password: next, confirm: next });
    expect(res.status).toBe(302);
    expect(await verifyPassword(next, await passwordHash(user.id))).toBe(true);
    expect(await signedIn(here)).toBe(true);
    expect(await signedIn(elsewhere)).toBe(false);
    const audit = await prisma.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "user.password_change" },
    });
    expect(JSON.parse(audit.metadata ?? "{}")).toMatchObject({ otherSessionsEnded: 1 });
    // The person is told by mail (queued in the outbox, or already delivered).
    const queued = await prisma.outboxMessage.count({
      where: { kind: "mail", payload: { contains: user.email } },
    });
    const sent = await prisma.outboundEmail.count({ where: { to: user.email } });
    expect(queued + sent).toBe(1);
    const signIn2 = await signIn({
      email: user.email,
      password: next,
      ip: "198.51.100.7",
      userAgent: null,
    });
    expect(signIn2.ok).toBe(true);
  });

  test("a wrong current password, a weak or a mismatched new one change nothing", async () => {
    const { user, here, elsewhere } = await twoSessions();
    const before = await passwordHash(user.id);
    const strong = "quiet lantern harbour moss";
    const cases: [Record<string, string>, string][] = [
      [{ current: "not my password at all", password: strong, confirm: strong }, "current"],
      [{ current: TEST_PASSWORD, password: "password1234", confirm: "password1234" }, "password"],
      [{ current: TEST_PASSWORD, password: strong, confirm: `${strong}!` }, "confirm"],
      [{ current: TEST_PASSWORD, password: TEST_PASSWORD, confirm: TEST_PASSWORD }, "password"],
    ];
    for (const [fields, field] of cases) {
      const res = await change(here, fields);
      expect(res.status, field).toBe(400);
      expect((res.data as Reply).error?.[field]?.length, field).toBe(1);
    }
    expect(await passwordHash(user.id)).toBe(before);
    expect(await signedIn(elsewhere)).toBe(true);
    expect(
      await prisma.auditEvent.count({
        where: { subjectUserId: user.id, action: "user.password_change" },
      }),
    ).toBe(0);
  });

  test("guessing the current password is throttled like signing in", async () => {
    const { here } = await twoSessions();
    const strong = "quiet lantern harbour moss";
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const res = await change(here, {
        current: `wrong guess ${i}`,
        password: strong,
        confirm: strong,
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  test("the common-password message names the problem", () => {
    expect(COMMON_PASSWORD_MESSAGE).toMatch(/common and leaked/);
  });

  test("signed out: sent to sign in, nothing changes", async () => {
    const res = await change("", { current: "x", password: "y", confirm: "y" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/login/);
  });
});
