import { beforeEach, describe, expect, test, vi } from "vitest";
import { SIGN_IN_BUDGETS } from "#app/domain/login-throttle.ts";
import { INVALID_CREDENTIALS_MESSAGE } from "#app/domain/sign-in.ts";
import { action as loginAction, loader as loginLoader } from "#app/routes/login.tsx";
import { action as logoutAction } from "#app/routes/logout.tsx";
import { getUser, signIn } from "#app/web/auth.server.ts";
import { resetSignInThrottle } from "#app/web/sign-in-throttle.server.ts";
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

// The throttle counts attempts per address, and every request here comes from the same one.
beforeEach(() => {
  resetSignInThrottle();
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

  test("attempts in flight count: 100 at once for one account from one address, only 5 are checked", async () => {
    const user = await createUser();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        signIn({
          email: user.email,
          password: i === 99 ? TEST_PASSWORD : `wrong-${i}`,
          ip: "203.0.113.9",
          userAgent: null,
        }),
      ),
    );
    const codes = results.map((r) => (r.ok ? "signed in" : r.refusal.code));
    expect(codes.filter((c) => c === "rate_limited")).toHaveLength(95);
    expect(codes.filter((c) => c !== "rate_limited")).toHaveLength(5);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  test("an attacker at one address slows that address, not the person at theirs", async () => {
    const user = await createUser();
    const attempt = (password: string, ip: string) =>
      signIn({ email: user.email, password, ip, userAgent: null });
    for (let i = 0; i < 5; i++) expect((await attempt("guess", "203.0.113.66")).ok).toBe(false);
    expect(await attempt(TEST_PASSWORD, "203.0.113.66")).toMatchObject({
      ok: false,
      refusal: { code: "rate_limited" },
    });
    expect((await attempt(TEST_PASSWORD, "198.51.100.20")).ok).toBe(true);
  });

  test("twenty people behind one office address who mistype are never held up", async () => {
    const people = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createUser({ email: `office${i}@example.test` })),
    );
    for (const person of people) {
      for (let i = 0; i < 3; i++) {
        const r = await signIn({
          email: person.email,
          password: "typo",
          ip: "192.0.2.1",
          userAgent: null,
        });
        expect(r).toMatchObject({ ok: false, refusal: { code: "invalid_credentials" } });
      }
      const r = await signIn({
        email: person.email,
        password: TEST_PASSWORD,
        ip: "192.0.2.1",
        userAgent: null,
      });
      expect(r.ok).toBe(true);
    }
  });

  test("one address's budget covers every account it tries; another address is not affected", async () => {
    resetSignInThrottle({ ...SIGN_IN_BUDGETS, address: { attempts: 5, perSeconds: 600 } });
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
    const other = await callRoute(
      loginAction,
      signInRequest({ email: "another@example.test", password: "x" }),
      { context: { ...TEST_CONTEXT, clientIp: "198.51.100.7" } },
    );
    expect(other.status).toBe(400);
  });

  test("the limit lifts once its minute has passed", async () => {
    const user = await createUser();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const start = new Date("2026-03-01T10:00:00Z").getTime();
      vi.setSystemTime(start);
      const attempt = (password: string) =>
        signIn({ email: user.email, password, ip: "203.0.113.1", userAgent: null });
      for (let i = 0; i < 5; i++) expect((await attempt("bad")).ok).toBe(false);
      vi.setSystemTime(start + 30_000);
      expect(await attempt(TEST_PASSWORD)).toMatchObject({
        ok: false,
        refusal: { code: "rate_limited" },
        retryAfterSeconds: 30,
      });
      vi.setSystemTime(start + 60_001);
      expect((await attempt(TEST_PASSWORD)).ok).toBe(true);
    } finally {
      vi.useRealTimers();
    }
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
