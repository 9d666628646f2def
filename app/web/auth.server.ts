import { redirect } from "@remix-run/node";
import { DEACTIVATED_MESSAGE, INVALID_CREDENTIALS_MESSAGE } from "#app/domain/sign-in.ts";
import { tooManyAttemptsMessage } from "#app/domain/login-throttle.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
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
import { prisma } from "#app/utils/db.server.ts";
import { decoyHash, verifyPassword } from "#app/utils/password.server.ts";
import { reserveSignInAttempt, signedInClearsAttempts } from "./sign-in-throttle.server.ts";
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
  | { ok: true; setCookie: string; userId: string }
  /** `rate_limited` (with when to try again), `invalid_credentials` or `forbidden` (deactivated). */
  | (Refused & { retryAfterSeconds?: number });

/**
 * Counts the attempt against the throttle, then checks the credentials, then
 * creates a session and records the sign-in. A failed attempt changes nothing
 * but the throttle.
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

  const user = await findUserForSignIn(email);
  const valid = await verifyPassword(password, user?.password?.hash ?? (await decoyHash()));
  if (!user || !user.password || !valid) {
    return refuse("invalid_credentials", INVALID_CREDENTIALS_MESSAGE);
  }
  if (user.deactivatedAt) {
    return refuse("forbidden", DEACTIVATED_MESSAGE);
  }

  const token = newSessionToken();
  await prisma.$transaction(async (tx) => {
    await deleteExpiredSessionsOfUser(tx, user.id, now);
    const session = await createSessionRecord(tx, {
      token,
      userId: user.id,
      now,
      userAgent,
      ip,
    });
    await recordAuditEvent(tx, {
      actorId: user.id,
      subjectUserId: user.id,
      action: "auth.sign_in",
      targetType: "Session",
      // A prefix of the hash identifies the session in the audit trail
      // without making it usable.
      targetId: session.id.slice(0, 12),
      metadata: { ip, userAgent: userAgent?.slice(0, 200) ?? null },
      at: now,
    });
  });
  await signedInClearsAttempts(email, ip);
  return { ok: true, setCookie: await serializeSessionCookie(token), userId: user.id };
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
