import { beforeEach, describe, expect, test } from "vitest";
import { INVALID_CREDENTIALS_MESSAGE } from "#app/domain/sign-in.ts";
import { action as loginAction, loader as loginLoader } from "#app/routes/login.tsx";
import { action as logoutAction } from "#app/routes/logout.tsx";
import { getUser, signIn } from "#app/web/auth.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { hashSessionToken } from "#app/utils/session.server.ts";
import { TEST_PASSWORD, cookieHeaderFrom, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { TEST_CONTEXT, callRoute, formRequest, getRequest } from "#test/route-harness.ts";

function signInRequest(fields: Record<string, string>, query = "") {
  return formRequest(`/login${query}`, fields);
}

function formErrorsOf(data: unknown): string[] {
  return (data as { error?: Record<string, string[]> }).error?.[""] ?? [];
}

async function countRows() {
  const [sessions, audit] = await Promise.all([prisma.session.count(), prisma.auditEvent.count()]);
  return { sessions, audit };
}

// The throttle counts failures per IP, and every request here comes from the same one.
beforeEach(async () => {
  await prisma.loginFailure.deleteMany();
});

describe("signing in", () => {
  test("correct credentials start a server-side session and record the sign-in", async () => {
    const user = await createUser();
    const res = await callRoute(
      loginAction,
      signInRequest({ email: user.email.toUpperCase(), password: TEST_PASSWORD }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/");
    const setCookie = res.headers.get("Set-Cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const sessions = await prisma.session.findMany({ where: { userId: user.id } });
    expect(sessions).toHaveLength(1);
    const events = await prisma.auditEvent.findMany({ where: { subjectUserId: user.id } });
    expect(events.map((e) => e.action)).toEqual(["auth.sign_in"]);

    const signedIn = await getUser(getRequest("/", { cookie: cookieHeaderFrom(setCookie) }));
    expect(signedIn?.id).toBe(user.id);
  });

  test("the database stores only a hash of the session token", async () => {
    const user = await createUser();
    const res = await callRoute(
      loginAction,
      signInRequest({ email: user.email, password: TEST_PASSWORD }),
    );
    const cookieValue = decodeURIComponent(
      cookieHeaderFrom(res.headers.get("Set-Cookie")!).split("=")[1]!,
    );
    const token = JSON.parse(atob(cookieValue.split(".")[0]!)) as string;
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    const [session] = await prisma.session.findMany({ where: { userId: user.id } });
    expect(session!.id).toBe(hashSessionToken(token));
    expect(session!.id).not.toContain(token);
  });

  test("a wrong password gets a form error and changes nothing", async () => {
    const user = await createUser();
    const before = await countRows();
    const res = await callRoute(
      loginAction,
      signInRequest({ email: user.email, password: "wrong" }),
    );
    expect(res.status).toBe(400);
    expect(formErrorsOf(res.data)).toEqual([INVALID_CREDENTIALS_MESSAGE]);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(await countRows()).toEqual(before);
    // The password is never sent back to the browser.
    expect(JSON.stringify(res.data)).not.toContain("wrong");
  });

  test("an unknown email gets exactly the same error as a wrong password", async () => {
    const res = await callRoute(
      loginAction,
      signInRequest({ email: "nobody@example.test", password: TEST_PASSWORD }),
    );
    expect(res.status).toBe(400);
    expect(formErrorsOf(res.data)).toEqual([INVALID_CREDENTIALS_MESSAGE]);
  });

  test("malformed input names the field", async () => {
    const res = await callRoute(
      loginAction,
      signInRequest({ email: "not-an-email", password: "" }),
    );
    expect(res.status).toBe(400);
    const errors = (res.data as { error: Record<string, string[]> }).error;
    expect(errors.email).toEqual(["Enter an email address like name@company.com."]);
    expect(errors.password).toEqual(["Enter your password."]);
  });

  test("the 6th failed attempt for one email within a minute gets 429 with a clear message", async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i++) {
      const res = await callRoute(
        loginAction,
        signInRequest({ email: user.email, password: `nope-${i}` }),
      );
      expect(res.status).toBe(400);
    }
    const sixth = await callRoute(
      loginAction,
      signInRequest({ email: user.email, password: "nope" }),
    );
    expect(sixth.status).toBe(429);
    expect(formErrorsOf(sixth.data)[0]).toMatch(
      /^Too many sign-in attempts\. Try again in \d+ seconds?\.$/,
    );
    expect(Number(sixth.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(Number(sixth.headers.get("Retry-After"))).toBeLessThanOrEqual(60);

    // Even the right password is refused while the limit holds.
    const right = await callRoute(
      loginAction,
      signInRequest({ email: user.email, password: TEST_PASSWORD }),
    );
    expect(right.status).toBe(429);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  test("failures from one IP address across many emails are limited too", async () => {
    for (let i = 0; i < 5; i++) {
      await callRoute(
        loginAction,
        signInRequest({ email: `guess${i}@example.test`, password: "x" }),
      );
    }
    const res = await callRoute(
      loginAction,
      signInRequest({ email: "another@example.test", password: "x" }),
    );
    expect(res.status).toBe(429);
    // Another address is not affected.
    const other = await callRoute(
      loginAction,
      signInRequest({ email: "another@example.test", password: "x" }),
      { context: { ...TEST_CONTEXT, clientIp: "198.51.100.7" } },
    );
    expect(other.status).toBe(400);
  });

  test("the limit lifts once the failures are a minute old", async () => {
    const user = await createUser();
    const start = new Date("2026-03-01T10:00:00Z");
    for (let i = 0; i < 5; i++) {
      const r = await signIn({
        email: user.email,
        password: "bad",
        ip: "203.0.113.1",
        userAgent: null,
        now: new Date(start.getTime() + i * 1000),
      });
      expect(r.ok).toBe(false);
    }
    const blocked = await signIn({
      email: user.email,
      password: TEST_PASSWORD,
      ip: "203.0.113.1",
      userAgent: null,
      now: new Date(start.getTime() + 30_000),
    });
    expect(blocked).toMatchObject({
      ok: false,
      refusal: { code: "rate_limited" },
      retryAfterSeconds: 30,
    });
    const later = await signIn({
      email: user.email,
      password: TEST_PASSWORD,
      ip: "203.0.113.1",
      userAgent: null,
      now: new Date(start.getTime() + 60_001),
    });
    expect(later.ok).toBe(true);
  });

  test("redirectTo to another site is ignored", async () => {
    const user = await createUser();
    for (const evil of [
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
    ]) {
      const res = await callRoute(
        loginAction,
        signInRequest({ email: user.email, password: TEST_PASSWORD, redirectTo: evil }),
      );
      expect(res.status).toBe(302);
      expect(res.headers.get("Location")).toBe("/");
    }
  });

  test("redirectTo to a page of ours is followed", async () => {
    const user = await createUser();
    const res = await callRoute(
      loginAction,
      signInRequest({
        email: user.email,
        password: TEST_PASSWORD,
        redirectTo: "/admin/people?q=ada",
      }),
    );
    expect(res.headers.get("Location")).toBe("/admin/people?q=ada");
  });

  test("a deactivated account cannot sign in", async () => {
    const user = await createUser();
    await prisma.user.update({ where: { id: user.id }, data: { deactivatedAt: new Date() } });
    const res = await callRoute(
      loginAction,
      signInRequest({ email: user.email, password: TEST_PASSWORD }),
    );
    expect(res.status).toBe(403);
    expect(formErrorsOf(res.data)[0]).toMatch(/deactivated/);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  test("the sign-in page sends signed-in people home", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.id);
    const res = await callRoute(loginLoader, getRequest("/login", { cookie }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/");
  });
});

describe("signing out", () => {
  test("deletes the session row and clears the cookie", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.id);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(1);

    const res = await callRoute(logoutAction, formRequest("/logout", {}, { cookie }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login");
    expect(res.headers.get("Set-Cookie")).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await getUser(getRequest("/", { cookie }))).toBeNull();
    const events = await prisma.auditEvent.findMany({ where: { subjectUserId: user.id } });
    expect(events.map((e) => e.action)).toContain("auth.sign_out");
  });
});
