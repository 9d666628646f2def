/**
 * Issue 15, item 6: two-factor sign-in for reviewers and admins, tested with
 * an authenticator written here from RFC 6238 and RFC 4226 (node:crypto's
 * HMAC), not with the library Lull uses: what a real phone app computes.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { action as codeAction, loader as codeLoader } from "#app/routes/login_.two-factor.tsx";
import { action as setupAction, loader as setupLoader } from "#app/routes/account.two-factor.tsx";
import { turnOffTwoFactor } from "#app/models/two-factor.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { completeSecondFactor, signIn } from "#app/web/auth.server.ts";
import { resetSignInThrottle } from "#app/web/sign-in-throttle.server.ts";
import { TEST_PASSWORD, cookieHeaderFrom, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";
import { authenticatorCode, base32Bytes } from "#test/totp-authenticator.ts";

beforeEach(() => resetSignInThrottle());

test("the test's authenticator matches RFC 6238's published values", () => {
  const key = Buffer.from("12345678901234567890");
  expect(authenticatorCode(key, 59_000, 8)).toBe("94287082");
  expect(authenticatorCode(key, 1_111_111_109_000, 8)).toBe("07081804");
  expect(authenticatorCode(key, 2_000_000_000_000, 8)).toBe("69279037");
});

type Setup = { pending: { secret: string; qrSvg: string } | null; enabled: boolean };
type Codes = { recoveryCodes?: string[]; error?: string };

/** A reviewer who has turned two-factor sign-in on through the page; their key and codes. */
async function reviewerWithTwoFactor() {
  const user = await createUser({ role: "REVIEWER" });
  const cookie = await sessionCookieFor(user.id);
  const started = await callRoute(
    setupAction,
    formRequest("/account/two-factor", { intent: "start" }, { cookie }),
  );
  expect(started.status).toBe(302);
  const page = (await callRoute(setupLoader, getRequest("/account/two-factor", { cookie })))
    .data as Setup;
  expect(page.enabled).toBe(false);
  expect(page.pending?.qrSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
  expect(page.pending?.qrSvg).not.toMatch(/style=/);
  const key = base32Bytes(page.pending!.secret);
  const firstCode = authenticatorCode(key, Date.now());
  const confirmed = await callRoute(
    setupAction,
    formRequest("/account/two-factor", { intent: "confirm", code: firstCode }, { cookie }),
  );
  expect(confirmed.status).toBe(200);
  const { recoveryCodes } = confirmed.data as Codes;
  expect(recoveryCodes).toHaveLength(10);
  return { user, cookie, key, firstCode, recoveryCodes: recoveryCodes! };
}

async function passwordStep(email: string) {
  const result = await signIn({
    email,
    password: TEST_PASSWORD,
    ip: "198.51.100.20",
    userAgent: null,
  });
  if (!result.ok) throw new Error(result.refusal.message);
  return result;
}

const codeRequest = (pendingCookie: string, code: string) =>
  formRequest(
    "/login/two-factor",
    { code, redirectTo: "/review/exemptions" },
    {
      cookie: cookieHeaderFrom(pendingCookie),
    },
  );

describe("setting it up", () => {
  test("a wrong first code leaves it off; the right one turns it on, audited and mailed", async () => {
    const user = await createUser({ role: "ADMIN" });
    const cookie = await sessionCookieFor(user.id);
    await callRoute(
      setupAction,
      formRequest("/account/two-factor", { intent: "start" }, { cookie }),
    );
    const page = (await callRoute(setupLoader, getRequest("/account/two-factor", { cookie })))
      .data as Setup;
    const key = base32Bytes(page.pending!.secret);
    const wrong = String((Number(authenticatorCode(key, Date.now())) + 1) % 1_000_000).padStart(
      6,
      "0",
    );
    const refused = await callRoute(
      setupAction,
      formRequest("/account/two-factor", { intent: "confirm", code: wrong }, { cookie }),
    );
    expect(refused.status).toBe(400);
    expect(
      (await prisma.twoFactor.findUniqueOrThrow({ where: { userId: user.id } })).enabledAt,
    ).toBeNull();
    expect((await passwordStep(user.email)).secondFactorPending).toBe(false);

    await callRoute(
      setupAction,
      formRequest(
        "/account/two-factor",
        { intent: "confirm", code: authenticatorCode(key, Date.now()) },
        { cookie },
      ),
    );
    expect((await passwordStep(user.email)).secondFactorPending).toBe(true);
    expect(
      await prisma.auditEvent.count({ where: { actorId: user.id, action: "user.two_factor_on" } }),
    ).toBe(1);
    const stored = await prisma.twoFactor.findUniqueOrThrow({ where: { userId: user.id } });
    expect(stored.sealedSecret).not.toContain(page.pending!.secret);
    const hashes = await prisma.recoveryCode.findMany({ where: { userId: user.id } });
    expect(hashes).toHaveLength(10);
  });

  test("workers have no two-factor page", async () => {
    const worker = await createUser();
    const cookie = await sessionCookieFor(worker.id);
    const res = await callRoute(setupLoader, getRequest("/account/two-factor", { cookie }));
    expect(res.status).toBe(403);
  });
});

describe("signing in with it", () => {
  test("the password alone starts no session; the code page needs the password step first", async () => {
    const { user } = await reviewerWithTwoFactor();
    const sessionsBefore = await prisma.session.count({ where: { userId: user.id } });
    const step = await passwordStep(user.email);
    expect(step.secondFactorPending).toBe(true);
    expect(step.setCookie).toMatch(/^lull_second_factor=/);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(sessionsBefore);
    const noStep = await callRoute(codeLoader, getRequest("/login/two-factor"));
    expect(noStep.headers.get("Location")).toBe("/login");
    const withStep = await callRoute(
      codeLoader,
      new Request("http://127.0.0.1/login/two-factor", {
        headers: { Cookie: cookieHeaderFrom(step.setCookie) },
      }),
    );
    expect(withStep.status).toBe(200);
  });

  test("the right code signs in and goes on; the code used to turn it on does not work again", async () => {
    const { user, key, firstCode } = await reviewerWithTwoFactor();
    const step = await passwordStep(user.email);
    const replay = await callRoute(codeAction, codeRequest(step.setCookie, firstCode));
    expect(replay.status).toBe(400);
    // The next step's code (a phone clock a little ahead) is accepted, once.
    const next = authenticatorCode(key, Date.now() + 30_000);
    const res = await callRoute(codeAction, codeRequest(step.setCookie, next));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/review/exemptions");
    expect(res.headers.get("Set-Cookie")).toMatch(/lull_session=/);
    const audit = await prisma.auditEvent.findFirstOrThrow({
      where: { actorId: user.id, action: "auth.sign_in" },
      orderBy: { at: "desc" },
    });
    expect(JSON.parse(audit.metadata ?? "{}")).toMatchObject({ secondFactor: "totp" });
    const again = await callRoute(codeAction, codeRequest(step.setCookie, next));
    expect(again.status).toBe(400);
  });

  test("two sign-ins racing with one code: exactly one gets in", async () => {
    const { user, key } = await reviewerWithTwoFactor();
    const step = await passwordStep(user.email);
    const code = authenticatorCode(key, Date.now() + 30_000);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => callRoute(codeAction, codeRequest(step.setCookie, code))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([302, 400, 400, 400]);
  });

  test("a recovery code signs in once, and says how many are left", async () => {
    const { user, recoveryCodes } = await reviewerWithTwoFactor();
    const step = await passwordStep(user.email);
    const typed = recoveryCodes[0]!.toUpperCase().replace("-", " ");
    const res = await callRoute(codeAction, codeRequest(step.setCookie, typed));
    expect(res.status).toBe(302);
    const again = await callRoute(codeAction, codeRequest(step.setCookie, recoveryCodes[0]!));
    expect(again.status).toBe(400);
    expect(await prisma.recoveryCode.count({ where: { userId: user.id, usedAt: null } })).toBe(9);
  });

  test("the sixth code in five minutes is refused with Retry-After, even a right one", async () => {
    const { user, key } = await reviewerWithTwoFactor();
    const step = await passwordStep(user.email);
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await callRoute(codeAction, codeRequest(step.setCookie, "000000"))).status);
    }
    const right = await callRoute(
      codeAction,
      codeRequest(step.setCookie, authenticatorCode(key, Date.now() + 30_000)),
    );
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("Retry-After"))).toBeGreaterThan(0);
  });

  test("after five minutes the password step has to be done again", async () => {
    const { user, key } = await reviewerWithTwoFactor();
    const step = await passwordStep(user.email);
    const later = new Date(Date.now() + 5 * 60_000 + 1_000);
    const result = await completeSecondFactor({
      request: codeRequest(step.setCookie, "123456"),
      code: { kind: "totp", code: authenticatorCode(key, later.getTime()) },
      ip: "198.51.100.20",
      userAgent: null,
      now: later,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.code).toBe("expired");
  });
});

describe("turning it off and new recovery codes", () => {
  test("need a fresh authenticator code; then sign-in asks for the password only", async () => {
    const { user, cookie, key, recoveryCodes } = await reviewerWithTwoFactor();
    const renew = await callRoute(
      setupAction,
      formRequest(
        "/account/two-factor",
        { intent: "renew", code: authenticatorCode(key, Date.now() + 30_000) },
        { cookie },
      ),
    );
    const fresh = (renew.data as Codes).recoveryCodes!;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recoveryCodes[0]);
    const refused = await callRoute(
      setupAction,
      formRequest("/account/two-factor", { intent: "off", code: "12345" }, { cookie }),
    );
    expect(refused.status).toBe(400);
    expect((await passwordStep(user.email)).secondFactorPending).toBe(true);
    // A minute later (a code is taken once per 30-second step): the next code turns it off.
    const later = new Date(Date.now() + 60_000);
    const off = await turnOffTwoFactor(user.id, authenticatorCode(key, later.getTime()), later);
    expect(off.ok).toBe(true);
    expect((await passwordStep(user.email)).secondFactorPending).toBe(false);
    expect(await prisma.recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(
      await prisma.auditEvent.count({ where: { actorId: user.id, action: "user.two_factor_off" } }),
    ).toBe(1);
  });
});
