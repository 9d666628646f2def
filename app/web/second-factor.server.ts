/**
 * Between a right password and the second factor: a signed, short-lived,
 * httpOnly cookie naming the person (ADR 0022). It is not a session: it opens
 * nothing but the code page, and only for five minutes.
 */
import { randomBytes } from "node:crypto";
import { createCookie } from "@remix-run/node";
import { z } from "zod";
import { SECOND_FACTOR_TTL_MS } from "#app/domain/two-factor.ts";
import { getEnv } from "#app/utils/env.server.ts";

const PendingSchema = z.object({ userId: z.string().min(1), until: z.number(), nonce: z.string() });

let cookie: ReturnType<typeof createCookie> | undefined;
function pendingCookie() {
  if (!cookie) {
    const env = getEnv();
    cookie = createCookie(env.isProduction ? "__Host-lull_second_factor" : "lull_second_factor", {
      httpOnly: true,
      sameSite: "lax",
      secure: env.isProduction,
      path: "/",
      secrets: env.sessionSecrets,
      maxAge: SECOND_FACTOR_TTL_MS / 1000,
    });
  }
  return cookie;
}

export function serializePendingSecondFactor(userId: string, now: Date): Promise<string> {
  return pendingCookie().serialize({
    userId,
    until: now.getTime() + SECOND_FACTOR_TTL_MS,
    nonce: randomBytes(16).toString("base64url"),
  });
}

/** The person who gave the right password in the last five minutes, or null. */
export async function readPendingSecondFactor(
  request: Request,
  now: Date,
): Promise<{ userId: string } | null> {
  const parsed = PendingSchema.safeParse(
    await pendingCookie().parse(request.headers.get("Cookie")),
  );
  if (!parsed.success || parsed.data.until <= now.getTime()) return null;
  return { userId: parsed.data.userId };
}

export function clearPendingSecondFactor(): Promise<string> {
  return pendingCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}
