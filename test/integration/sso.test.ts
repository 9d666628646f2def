/**
 * Issue 19, single sign-on's rules on a real database (ADR 0038, 0039). The
 * provider itself is stood in for (its answers are given as verified
 * claims; test/e2e/sso.spec.ts runs a real one): everything from the
 * browser's state cookie to the session is Lull's own code.
 *
 * A person is found by the provider's subject; the first time only, by a
 * verified email (an unverified one is refused); someone unknown is refused
 * unless just-in-time accounts are on. With password sign-in off, only the
 * break-glass admins sign in with a password. A failed sign-in writes its
 * audit event and nothing else.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { action as loginAction } from "#app/routes/login.tsx";
import { getUser, signIn } from "#app/web/auth.server.ts";
import { resetSignInThrottle } from "#app/web/sign-in-throttle.server.ts";
import { beginSsoSignIn, finishSsoSignIn } from "#app/web/sso.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import type * as EnvModule from "#app/utils/env.server.ts";
import type * as OidcModule from "#app/utils/oidc.server.ts";
import { TEST_PASSWORD, cookieHeaderFrom, createUser } from "#test/fixtures.ts";
import { TEST_CONTEXT, callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const ISSUER = "https://idp.example.test";

/** What the stand-in provider answers at the code exchange. */
const provider = vi.hoisted(() => ({
  claims: {} as Record<string, unknown>,
  failure: null as string | null,
}));

vi.mock("#app/utils/env.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof EnvModule>();
  let env: ReturnType<typeof real.parseEnv> | undefined;
  return {
    ...real,
    getEnv: () =>
      (env ??= real.parseEnv({
        ...process.env,
        OIDC_ISSUER: "https://idp.example.test",
        OIDC_CLIENT_ID: "lull",
        OIDC_CLIENT_SECRET: "secret",
        OIDC_GROUPS_CLAIM: "groups",
        OIDC_PROVIDER_NAME: "Example Corp",
      })),
  };
});

vi.mock("#app/utils/oidc.server.ts", async (importOriginal) => {
  const real = await importOriginal<typeof OidcModule>();
  return {
    ...real,
    startAuthorization: async () => ({
      url: new URL("https://idp.example.test/authorize"),
      state: `state-${Math.random().toString(36).slice(2)}`,
      nonce: "nonce",
      codeVerifier: "verifier",
    }),
    completeAuthorization: async () => {
      if (provider.failure) {
        throw new real.SsoFailure(
          provider.failure as ConstructorParameters<typeof real.SsoFailure>[0],
        );
      }
      return { issuer: "https://idp.example.test", claims: provider.claims, idToken: "a.b.c" };
    },
  };
});

const CLIENT = { ip: TEST_CONTEXT.clientIp, userAgent: "vitest" };

async function setSettings({
  passwordSignIn = "EVERYONE",
  breakGlass = [],
  justInTime = false,
}: {
  passwordSignIn?: "EVERYONE" | "BREAK_GLASS_ONLY";
  breakGlass?: string[];
  justInTime?: boolean;
}) {
  await prisma.identitySettings.update({
    where: { id: 1 },
    data: {
      passwordSignIn,
      breakGlassEmails: JSON.stringify(breakGlass),
      justInTimeProvisioning: justInTime,
    },
  });
}

/** The browser's round trip: start (state cookie), then the provider's redirect back. */
async function roundTrip(
  claims: Record<string, unknown>,
  { tamperState = false }: { tamperState?: boolean } = {},
) {
  provider.claims = claims;
  const started = await beginSsoSignIn(getRequest("/auth/sso"), "/pauses", CLIENT);
  if (!started.ok) throw new Error(started.page.reason);
  const cookie = cookieHeaderFrom(started.setCookie);
  const state = tamperState ? "someone-elses-state" : stateOf(started);
  const callback = () =>
    finishSsoSignIn(
      getRequest(`/auth/sso/callback?code=abc&state=${encodeURIComponent(state)}`, { cookie }),
      CLIENT,
    );
  return { callback, first: await callback() };
}

/** The state the browser was sent to the provider with (what comes back in the query). */
function stateOf(started: { setCookie: string }): string {
  const value = decodeURIComponent(cookieHeaderFrom(started.setCookie).split("=")[1]!);
  return JSON.parse(atob(value.split(".")[0]!)) as string;
}

async function counts() {
  const [users, connections, sessions, audit] = await Promise.all([
    prisma.user.count(),
    prisma.connection.count(),
    prisma.session.count(),
    prisma.auditEvent.count(),
  ]);
  return { users, connections, sessions, audit };
}

async function lastAudit(action: string) {
  const event = await prisma.auditEvent.findFirst({
    where: { action },
    orderBy: { at: "desc" },
  });
  return event
    ? { ...event, metadata: JSON.parse(event.metadata) as Record<string, unknown> }
    : null;
}

function claimsFor(email: string, extra: Record<string, unknown> = {}) {
  return { sub: `sub-${randomUUID()}`, email, email_verified: true, ...extra };
}

async function sessionUserOf(setCookies: string[]) {
  const cookie = setCookies
    .filter((c) => /lull_session=/.test(c))
    .map(cookieHeaderFrom)
    .join("; ");
  return getUser(getRequest("/", { cookie }));
}

beforeEach(async () => {
  provider.failure = null;
  resetSignInThrottle();
  await setSettings({});
  await prisma.groupRole.deleteMany();
});

describe("finding the account", () => {
  test("the first time by verified email: the connection is made, audited, and the session is the usual one", async () => {
    const user = await createUser();
    const claims = claimsFor(user.email.toUpperCase());
    const { first } = await roundTrip(claims);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.redirectTo).toBe("/pauses");
    expect((await sessionUserOf(first.setCookies))?.id).toBe(user.id);

    const connection = await prisma.connection.findFirstOrThrow({ where: { userId: user.id } });
    expect(connection).toMatchObject({ provider: ISSUER, subject: claims.sub });
    expect((await lastAudit("user.link"))?.subjectUserId).toBe(user.id);
    const signIn = await lastAudit("auth.sign_in");
    expect(signIn?.metadata).toMatchObject({ method: "sso", account: "email" });
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(1);
  });

  test("afterwards by subject, whatever email the token then carries", async () => {
    const user = await createUser();
    const claims = claimsFor(user.email);
    await roundTrip(claims);
    const { first } = await roundTrip({ ...claims, email: "renamed@elsewhere.test" });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect((await sessionUserOf(first.setCookies))?.id).toBe(user.id);
    expect((await lastAudit("auth.sign_in"))?.metadata).toMatchObject({ account: "connection" });
    // Two sign-ins, two sessions: each a new id.
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(2);
  });

  test("an unverified email is not linked: refused, and nothing but the audit event is written", async () => {
    const user = await createUser();
    const before = await counts();
    const { first } = await roundTrip(claimsFor(user.email, { email_verified: false }));
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.page).toMatchObject({ reason: "email_unverified", status: 403 });
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
    const failed = await lastAudit("auth.sso_failed");
    expect(failed).toMatchObject({ subjectUserId: user.id, actorId: null });
    expect(failed?.metadata).toMatchObject({ reason: "email_unverified" });
  });

  test("an account already linked to another subject there is not linked again by email", async () => {
    const user = await createUser();
    await roundTrip(claimsFor(user.email));
    const { first } = await roundTrip(claimsFor(user.email));
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.page.reason).toBe("already_linked");
    expect(await prisma.connection.count({ where: { userId: user.id } })).toBe(1);
  });

  test("someone unknown is refused while just-in-time accounts are off; nothing but the audit event", async () => {
    const before = await counts();
    const { first } = await roundTrip(claimsFor("nobody@example.test"));
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.page).toMatchObject({ reason: "unknown_user", status: 403 });
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
    expect(await lastAudit("auth.sso_failed")).toMatchObject({
      actorId: null,
      subjectUserId: null,
    });
  });

  test("a deactivated account is refused", async () => {
    const user = await createUser();
    const claims = claimsFor(user.email);
    await roundTrip(claims);
    await prisma.user.update({ where: { id: user.id }, data: { deactivatedAt: new Date() } });
    const { first } = await roundTrip(claims);
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.page).toMatchObject({ reason: "deactivated", status: 403 });
  });

  test("with just-in-time accounts on, a newcomer gets an account with the role of their groups", async () => {
    await setSettings({ justInTime: true });
    await prisma.groupRole.create({
      data: {
        key: "lull-admins",
        displayName: "Lull-Admins",
        role: "ADMIN",
        createdAt: new Date(),
      },
    });
    const email = `new-${randomUUID().slice(0, 8)}@example.test`;
    const { first } = await roundTrip(
      claimsFor(email, { name: "Nova New", zoneinfo: "Europe/Oslo", groups: ["lull-ADMINS"] }),
    );
    expect(first.ok).toBe(true);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({
      name: "Nova New",
      timezone: "Europe/Oslo",
      role: "ADMIN",
      roleSource: "DIRECTORY",
    });
    expect((await lastAudit("user.provision"))?.metadata).toMatchObject({ via: "sso" });
  });

  test("a just-in-time account with no mapped group is a worker, in UTC when the zone is not real", async () => {
    await setSettings({ justInTime: true });
    const email = `new-${randomUUID().slice(0, 8)}@example.test`;
    await roundTrip(claimsFor(email, { zoneinfo: "Mars/Olympus" }));
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({ name: email, timezone: "UTC", role: "WORKER" });
  });

  test("each sign-in carrying groups recomputes the directory role", async () => {
    await prisma.groupRole.create({
      data: { key: "reviewers", displayName: "Reviewers", role: "REVIEWER", createdAt: new Date() },
    });
    const user = await createUser();
    const claims = claimsFor(user.email, { groups: ["Reviewers"] });
    await roundTrip(claims);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("REVIEWER");
    await roundTrip({ ...claims, groups: [] });
    expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      role: "WORKER",
      roleSource: "DIRECTORY",
    });
  });
});

describe("the round trip", () => {
  test("a callback is taken once: replayed with the same state cookie, it is refused", async () => {
    const user = await createUser();
    const { callback, first } = await roundTrip(claimsFor(user.email));
    expect(first.ok).toBe(true);
    const before = await counts();
    const again = await callback();
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.page).toMatchObject({ reason: "already_used", status: 400 });
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
  });

  test("a state that is not the browser's is refused, and the attempt stays unused", async () => {
    const user = await createUser();
    const { first } = await roundTrip(claimsFor(user.email), { tamperState: true });
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.page).toMatchObject({ reason: "wrong_state", status: 400 });
    const attempt = await prisma.ssoAttempt.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
    expect(attempt.usedAt).toBeNull();
  });

  test("an attempt older than ten minutes is refused", async () => {
    const user = await createUser();
    provider.claims = claimsFor(user.email);
    const started = await beginSsoSignIn(getRequest("/auth/sso"), "/", CLIENT);
    if (!started.ok) throw new Error("did not start");
    await prisma.ssoAttempt.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await finishSsoSignIn(
      getRequest(`/auth/sso/callback?code=abc&state=${stateOf(started)}`, {
        cookie: cookieHeaderFrom(started.setCookie),
      }),
      CLIENT,
    );
    expect(res.ok ? null : res.page.reason).toBe("expired");
  });

  test("a token the checks refuse (another audience) is a 401 page, audited with its reason", async () => {
    provider.failure = "wrong_audience";
    const before = await counts();
    const { first } = await roundTrip(claimsFor("anyone@example.test"));
    expect(first.ok ? null : first.page).toMatchObject({ reason: "wrong_audience", status: 401 });
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
    const failed = await lastAudit("auth.sso_failed");
    expect(failed?.metadata).toEqual({ reason: "wrong_audience", ip: CLIENT.ip });
  });
});

describe("password sign-in switched off", () => {
  test("refused for anyone not named as break-glass, audited, with no session", async () => {
    await setSettings({ passwordSignIn: "BREAK_GLASS_ONLY", breakGlass: ["someone@else.test"] });
    const user = await createUser();
    const res = await callRoute(
      loginAction,
      formRequest("/login", { email: user.email, password: TEST_PASSWORD }),
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await lastAudit("auth.password_refused")).toMatchObject({
      subjectUserId: user.id,
      actorId: null,
    });
  });

  test("a break-glass admin still signs in with a password", async () => {
    const admin = await createUser({ role: "ADMIN" });
    await setSettings({ passwordSignIn: "BREAK_GLASS_ONLY", breakGlass: [admin.email] });
    const result = await signIn({
      email: admin.email,
      password: TEST_PASSWORD,
      ip: CLIENT.ip,
      userAgent: null,
    });
    expect(result.ok).toBe(true);
  });

  test("with passwords for everyone, anyone signs in with a password", async () => {
    const user = await createUser();
    const result = await signIn({
      email: user.email,
      password: TEST_PASSWORD,
      ip: CLIENT.ip,
      userAgent: null,
    });
    expect(result.ok).toBe(true);
  });
});
