import { redirect } from "@remix-run/node";
import {
  DEACTIVATED_MESSAGE,
  INVALID_CREDENTIALS_MESSAGE,
  PASSWORD_SIGN_IN_OFF_MESSAGE,
} from "#app/domain/sign-in.ts";
import { tooManyAttemptsMessage, tooManyCodesMessage } from "#app/domain/login-throttle.ts";
import { accept, refuse, type Outcome, type Refused } from "#app/domain/refusal.ts";
import type { SecondFactorCode } from "#app/domain/two-factor.ts";
import { runCommand, type Command } from "#app/commands/command.server.ts";
import { withPeopleDirectory } from "#app/commands/people-directory.server.ts";
import { getIdentitySettings, isBreakGlass } from "#app/models/directory.server.ts";
import { resolveSsoAccount, type SsoIdentity, type SsoRules } from "#app/models/sso.server.ts";
import { takeSecondFactor } from "#app/models/two-factor.server.ts";
import { hasRole, type Role } from "#app/domain/roles.ts";
import {
  createSessionRecord,
  deleteExpiredSessionsOfUser,
  deleteSessionByToken,
  extendSession,
  findSessionWithUser,
} from "#app/models/session.server.ts";
import { findUserForSignIn } from "#app/models/user.server.ts";
import { recordAuditEvent } from "#app/utils/audit.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { decoyHash, verifyPassword } from "#app/utils/password.server.ts";
import { readPendingSecondFactor, serializePendingSecondFactor } from "./second-factor.server.ts";
import {
  reserveSecondFactorAttempt,
  reserveSignInAttempt,
  secondFactorClears,
  signedInClearsAttempts,
} from "./sign-in-throttle.server.ts";
import {
  SESSION_TOUCH_INTERVAL_MS,
  clearSessionCookie,
  newSessionToken,
  nextSessionExpiry,
  hashSessionToken,
  readSessionToken,
  serializeSessionCookie,
} from "#app/utils/session.server.ts";

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  timezone: string;
};

const resolved = new WeakMap<Request, Promise<SessionUser | null>>();

/**
 * The signed-in user, or null: no cookie, a cookie whose signature fails,
 * an unknown or expired session, or a deactivated account all mean
 * "signed out". Each use slides the idle expiry forward (written at most
 * every few minutes). Memoised per request, since several loaders ask.
 */
export function getUser(request: Request): Promise<SessionUser | null> {
  let pending = resolved.get(request);
  if (!pending) {
    pending = loadUser(request);
    resolved.set(request, pending);
  }
  return pending;
}

async function loadUser(request: Request): Promise<SessionUser | null> {
  const token = await readSessionToken(request);
  if (!token) return null;
  const session = await findSessionWithUser(token);
  const now = new Date();
  if (!session || session.expiresAt <= now || session.user.deactivatedAt) return null;
  const next = nextSessionExpiry(session.createdAt, now);
  if (next.getTime() - session.expiresAt.getTime() > SESSION_TOUCH_INTERVAL_MS) {
    await extendSession(session.id, next);
  }
  const { id, email, name, role, timezone } = session.user;
  return { id, email, name, role, timezone };
}

function signInPath(request: Request): string {
  const url = new URL(request.url);
  const here = url.pathname + url.search;
  return here === "/" ? "/login" : `/login?${new URLSearchParams({ redirectTo: here })}`;
}

/** The signed-in user; otherwise a redirect to the sign-in page that comes back here. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getUser(request);
  if (!user) throw redirect(signInPath(request));
  return user;
}

/** The signed-in user if they hold one of `roles`; otherwise a 403 page. */
export async function requireRole(request: Request, roles: readonly Role[]): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!hasRole(user.role, roles)) {
    throw new Response("You do not have access to this page.", {
      status: 403,
      statusText: "Forbidden",
    });
  }
  return user;
}

/** For pages only signed-out visitors need (the sign-in page). */
export async function requireAnonymous(request: Request): Promise<void> {
  if (await getUser(request)) throw redirect("/");
}

export type SignInResult =
  /**
   * `setCookie` starts the session, or, when the person has two-factor sign-in
   * (`secondFactorPending`), only the five-minute wait for their code.
   */
  | { ok: true; setCookie: string; userId: string; secondFactorPending: boolean }
  /** `rate_limited` (with when to try again), `invalid_credentials` or `forbidden` (deactivated). */
  | (Refused & { retryAfterSeconds?: number });

type Client = { ip: string; userAgent: string | null };

/**
 * Who a new session is for, found inside its transaction (single sign-on
 * links or makes the account there), with what the sign-in event records.
 */
type SessionFor = (
  command: Command,
) => Promise<Outcome<{ userId: string; metadata: Record<string, unknown> }>>;

/**
 * A new session (a new id, whatever the way in) for `who` and its audit
 * event, in one transaction; the cookie that carries it.
 */
async function startSession(
  who: string | SessionFor,
  { ip, userAgent }: Client,
  now: Date,
  secondFactor?: (tx: Tx) => Promise<Outcome<{ method: string }>>,
): Promise<Outcome<{ setCookie: string; userId: string }>> {
  const token = newSessionToken();
  const outcome = await runCommand(now, async (command) => {
    const { tx, audit } = command;
    const found =
      typeof who === "string" ? accept({ userId: who, metadata: {} }) : await who(command);
    if (!found.ok) return found;
    const { userId, metadata } = found.value;
    const factor = secondFactor ? await secondFactor(tx) : undefined;
    if (factor && !factor.ok) return factor;
    await deleteExpiredSessionsOfUser(tx, userId, now);
    const session = await createSessionRecord(tx, { token, userId, now, userAgent, ip });
    await audit({
      actorId: userId,
      subjectUserId: userId,
      action: "auth.sign_in",
      targetType: "Session",
      // A prefix of the hash identifies the session in the audit trail
      // without making it usable.
      targetId: session.id.slice(0, 12),
      metadata: {
        ip,
        userAgent: userAgent?.slice(0, 200) ?? null,
        ...metadata,
        ...(factor ? { secondFactor: factor.value.method } : {}),
      },
    });
    return accept(userId);
  });
  if (!outcome.ok) return outcome;
  return accept({ setCookie: await serializeSessionCookie(token), userId: outcome.value });
}

/**
 * Password sign-in is off for everyone but the break-glass admins when the
 * privacy office chose so and single sign-on is configured (without a
 * provider the setting has no effect: passwords are the only way in).
 */
async function passwordSignInAllowed(email: string): Promise<boolean> {
  if (!getEnv().oidc) return true;
  const settings = await getIdentitySettings();
  return settings.passwordSignIn === "EVERYONE" || isBreakGlass(settings, email);
}

/**
 * Counts the attempt against the throttle, then checks the credentials, then
 * creates a session and records the sign-in (or, with two-factor sign-in,
 * waits for the code). A failed attempt changes nothing but the throttle.
 */
export async function signIn({
  email,
  password,
  ip,
  userAgent,
  now = new Date(),
}: {
  email: string;
  password: string;
  ip: string;
  userAgent: string | null;
  now?: Date;
}): Promise<SignInResult> {
  // Counted before the password is checked: attempts in flight count too.
  const attempt = await reserveSignInAttempt(email, ip);
  if (!attempt.allowed) {
    return {
      ...refuse("rate_limited", tooManyAttemptsMessage(attempt.retryAfterSeconds)),
      retryAfterSeconds: attempt.retryAfterSeconds,
    };
  }

  if (!(await passwordSignInAllowed(email))) {
    // Refused before the password is looked at: the form offers no answer about it.
    const known = await findUserForSignIn(email);
    await runCommand(now, ({ audit }) =>
      audit({
        actorId: null,
        subjectUserId: known?.id ?? null,
        action: "auth.password_refused",
        metadata: { ip, userAgent: userAgent?.slice(0, 200) ?? null },
      }),
    );
    return refuse("forbidden", PASSWORD_SIGN_IN_OFF_MESSAGE);
  }

  const user = await findUserForSignIn(email);
  const valid = await verifyPassword(password, user?.password?.hash ?? (await decoyHash()));
  if (!user || !user.password || !valid) {
    return refuse("invalid_credentials", INVALID_CREDENTIALS_MESSAGE);
  }
  if (user.deactivatedAt) {
    return refuse("forbidden", DEACTIVATED_MESSAGE);
  }
  if (user.twoFactor?.enabledAt) {
    const setCookie = await serializePendingSecondFactor(user.id, now);
    return { ok: true, setCookie, userId: user.id, secondFactorPending: true };
  }
  const started = await startSession(user.id, { ip, userAgent }, now);
  if (!started.ok) return started;
  await signedInClearsAttempts(email, ip);
  return {
    ok: true,
    setCookie: started.value.setCookie,
    userId: user.id,
    secondFactorPending: false,
  };
}

export type SecondFactorResult =
  | { ok: true; setCookie: string; recoveryCodesLeft: number | null }
  /** `expired` (back to the password), `rate_limited` or `invalid_code`. */
  | (Refused & { retryAfterSeconds?: number });

/**
 * The second step: the person named by the pending cookie gives a code; a
 * right one (taken once) starts the session in the same transaction.
 */
export async function completeSecondFactor({
  request,
  code,
  ip,
  userAgent,
  now = new Date(),
}: {
  request: Request;
  code: SecondFactorCode;
  now?: Date;
} & Client): Promise<SecondFactorResult> {
  const pending = await readPendingSecondFactor(request, now);
  if (!pending) {
    return refuse("expired", "Signing in took too long. Enter your email and password again.");
  }
  const attempt = await reserveSecondFactorAttempt(pending.userId);
  if (!attempt.allowed) {
    return {
      ...refuse("rate_limited", tooManyCodesMessage(attempt.retryAfterSeconds), "code"),
      retryAfterSeconds: attempt.retryAfterSeconds,
    };
  }
  const user = await prisma.user.findUnique({
    where: { id: pending.userId },
    select: { email: true, deactivatedAt: true },
  });
  if (!user || user.deactivatedAt) return refuse("forbidden", DEACTIVATED_MESSAGE);
  let recoveryCodesLeft: number | null = null;
  const started = await startSession(pending.userId, { ip, userAgent }, now, async (tx) => {
    const taken = await takeSecondFactor(tx, pending.userId, code, now);
    if (taken.ok) recoveryCodesLeft = taken.value.recoveryCodesLeft;
    return taken;
  });
  if (!started.ok) return started;
  await Promise.all([signedInClearsAttempts(user.email, ip), secondFactorClears(pending.userId)]);
  return { ok: true, setCookie: started.value.setCookie, recoveryCodesLeft };
}

/**
 * Signs in the person behind a verified ID token: finds, links or makes
 * their account (`resolveSsoAccount`) and starts the same server-side
 * session as a password does, in one transaction; the sign-in event says
 * `method: "sso"`. Lull's own second factor is not asked: the provider did
 * the authentication (ADR 0039). A refusal changes nothing; `subject.userId`
 * names the account it is about, when there is one.
 */
export async function signInWithSso({
  identity,
  rules,
  ip,
  userAgent,
  now = new Date(),
  subject = { userId: null },
}: {
  identity: SsoIdentity;
  rules: SsoRules;
  now?: Date;
  subject?: { userId: string | null };
} & Client): Promise<Outcome<{ setCookie: string; userId: string }>> {
  const start = () =>
    startSession(
      async (command) => {
        const found = await resolveSsoAccount(command, identity, rules, subject);
        if (!found.ok) return found;
        return accept({
          userId: found.value.userId,
          metadata: { method: "sso", provider: identity.issuer, account: found.value.how },
        });
      },
      { ip, userAgent },
      now,
    );
  // Making an account waits for a running import, as every other account change does.
  const { justInTimeProvisioning } = await getIdentitySettings();
  return justInTimeProvisioning ? withPeopleDirectory(start) : start();
}

/** The id of the request's own session (the hash of its token), if it carries one. */
export async function currentSessionId(request: Request): Promise<string | null> {
  const token = await readSessionToken(request);
  return token ? hashSessionToken(token) : null;
}

/** Deletes the request's session (if any) and returns the cookie that clears it. */
export async function signOut(request: Request): Promise<string> {
  const token = await readSessionToken(request);
  const user = await getUser(request);
  if (token) {
    await prisma.$transaction(async (tx) => {
      const { count } = await deleteSessionByToken(tx, token);
      if (count > 0 && user) {
        await recordAuditEvent(tx, {
          actorId: user.id,
          subjectUserId: user.id,
          action: "auth.sign_out",
        });
      }
    });
  }
  return clearSessionCookie();
}
