import { createHash, randomBytes } from "node:crypto";
import { createCookie } from "@remix-run/node";
import { getEnv } from "./env.server.ts";

/**
 * Server-side sessions. The browser holds a random token (256 bits) in a
 * signed, httpOnly, SameSite=Lax cookie; the database holds only its
 * SHA-256, so neither a log line nor a copy of the database can be replayed.
 */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** Sliding expiry is written back at most this often, not on every request. */
export const SESSION_TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** When a session used at `now` should next expire: idle limit, capped by the absolute one. */
export function nextSessionExpiry(createdAt: Date, now: Date): Date {
  return new Date(
    Math.min(now.getTime() + SESSION_IDLE_MS, createdAt.getTime() + SESSION_ABSOLUTE_MS),
  );
}

let cookie: ReturnType<typeof createCookie> | undefined;

export function sessionCookie() {
  if (!cookie) {
    const env = getEnv();
    // __Host- requires Secure, Path=/ and no Domain: the cookie cannot be set
    // or shadowed by a sibling subdomain.
    cookie = createCookie(env.isProduction ? "__Host-lull_session" : "lull_session", {
      httpOnly: true,
      sameSite: "lax",
      secure: env.isProduction,
      path: "/",
      secrets: env.sessionSecrets,
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
  }
  return cookie;
}

/** The session token from the request's cookie, or null when absent or tampered with. */
export async function readSessionToken(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length >= 32 ? value : null;
}

export async function serializeSessionCookie(token: string): Promise<string> {
  return sessionCookie().serialize(token);
}

export async function clearSessionCookie(): Promise<string> {
  return sessionCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}
