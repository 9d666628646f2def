/**
 * Single sign-on's records (ADR 0038, 0039): the sign-ins in flight
 * (SsoAttempt, used once within ten minutes) and the rule that finds the
 * account behind a verified ID token: by the provider's subject; the first
 * time only, by a verified email, making the Connection; otherwise a new
 * account when just-in-time accounts are on; otherwise no one.
 */
import { createHash } from "node:crypto";
import type { Command } from "#app/commands/command.server.ts";
import { groupsFromClaim } from "#app/domain/directory-roles.ts";
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { DEACTIVATED_MESSAGE } from "#app/domain/sign-in.ts";
import { prisma } from "#app/utils/db.server.ts";
import { applyDirectoryRole, getIdentitySettings } from "./directory.server.ts";

/** How long the provider has to send the browser back. */
export const SSO_ATTEMPT_TTL_MS = 10 * 60 * 1000;

function attemptId(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/** Remembers a sign-in sent to the provider (only the state's hash is the key). */
export async function createSsoAttempt({
  state,
  nonce,
  codeVerifier,
  redirectTo,
  now,
}: {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectTo: string;
  now: Date;
}): Promise<void> {
  await prisma.$transaction([
    // Housekeeping: attempts past their time are of no use to anyone.
    prisma.ssoAttempt.deleteMany({
      where: { expiresAt: { lt: new Date(now.getTime() - SSO_ATTEMPT_TTL_MS) } },
    }),
    prisma.ssoAttempt.create({
      data: {
        id: attemptId(state),
        nonce,
        codeVerifier,
        redirectTo,
        createdAt: now,
        expiresAt: new Date(now.getTime() + SSO_ATTEMPT_TTL_MS),
      },
    }),
  ]);
}

/**
 * Takes the attempt named by `state`, once: two callbacks with the same
 * state (a replay, even from the same browser) cannot both get it.
 * Refusals: `already_used`, `expired` (past ten minutes, or unknown).
 */
export async function takeSsoAttempt(
  state: string,
  now: Date,
): Promise<Outcome<{ nonce: string; codeVerifier: string; redirectTo: string }>> {
  const id = attemptId(state);
  const { count } = await prisma.ssoAttempt.updateMany({
    where: { id, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  const attempt = await prisma.ssoAttempt.findUnique({
    where: { id },
    select: { nonce: true, codeVerifier: true, redirectTo: true, usedAt: true },
  });
  if (count === 1 && attempt) {
    const { nonce, codeVerifier, redirectTo } = attempt;
    return accept({ nonce, codeVerifier, redirectTo });
  }
  if (attempt?.usedAt) {
    return refuse("already_used", "This sign-in has already been used.");
  }
  return refuse("expired", "This sign-in took too long or is not known.");
}

export type SsoIdentity = {
  /** The issuer, as the provider's metadata names it. */
  issuer: string;
  /** The verified ID token's claims. */
  claims: Record<string, unknown>;
};

export type SsoRules = {
  emailClaim: string;
  groupsClaim: string | null;
  requireVerifiedEmail: boolean;
};

export type SsoAccount = {
  userId: string;
  /** How the account was found: its connection, its email (linked now), or made now. */
  how: "connection" | "email" | "provisioned";
};

/** The email the token carries, lower-cased, or null. */
function emailOf(claims: Record<string, unknown>, claim: string): string | null {
  const value = claims[claim];
  if (typeof value !== "string") return null;
  const email = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(email) && email.length <= 254 ? email : null;
}

/** email_verified as providers send it: true, or (some) the string "true". */
function emailVerified(claims: Record<string, unknown>): boolean {
  return claims.email_verified === true || claims.email_verified === "true";
}

function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== "string" || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function nameOf(claims: Record<string, unknown>, email: string): string {
  const name = typeof claims.name === "string" ? claims.name.trim() : "";
  return (name || email).slice(0, 200);
}

/**
 * The account behind a verified ID token, inside the sign-in's command:
 * links or makes it (audited) and, with a groups claim or a new account,
 * recomputes the directory role. `subject` is set to the account a refusal
 * is about, when there is one. Refusals (each a reason code): `deactivated`,
 * `no_email`, `email_unverified`, `already_linked`, `unknown_user`.
 */
export async function resolveSsoAccount(
  command: Command,
  { issuer, claims }: SsoIdentity,
  rules: SsoRules,
  subject: { userId: string | null },
): Promise<Outcome<SsoAccount>> {
  const { tx, now, audit } = command;
  const sub = typeof claims.sub === "string" ? claims.sub : "";
  const groups = rules.groupsClaim ? groupsFromClaim(claims[rules.groupsClaim]) : null;
  const groupsData = groups ? { groups: JSON.stringify(groups) } : {};

  const connection = await tx.connection.findUnique({
    where: { provider_subject: { provider: issuer, subject: sub } },
    select: { id: true, user: { select: { id: true, deactivatedAt: true } } },
  });
  if (connection) {
    subject.userId = connection.user.id;
    if (connection.user.deactivatedAt) return refuse("deactivated", DEACTIVATED_MESSAGE);
    await tx.connection.update({
      where: { id: connection.id },
      data: { lastSignInAt: now, ...groupsData },
    });
    if (groups) await applyDirectoryRole(command, connection.user.id, { via: "sso" });
    return accept({ userId: connection.user.id, how: "connection" });
  }

  const email = emailOf(claims, rules.emailClaim);
  if (!email) return refuse("no_email", "The provider did not say which email address is yours.");
  const verified = emailVerified(claims) || !rules.requireVerifiedEmail;
  const user = await tx.user.findUnique({
    where: { email },
    select: { id: true, deactivatedAt: true },
  });

  if (user) {
    subject.userId = user.id;
    if (!verified) {
      return refuse("email_unverified", "The provider has not verified this email address.");
    }
    if (user.deactivatedAt) return refuse("deactivated", DEACTIVATED_MESSAGE);
    // By email only the first time: an account already linked at this provider keeps its subject.
    const linked = await tx.connection.findFirst({
      where: { userId: user.id, provider: issuer },
      select: { id: true },
    });
    if (linked) {
      return refuse("already_linked", "This account is linked to another identity there.");
    }
    await tx.connection.create({
      data: {
        provider: issuer,
        subject: sub,
        userId: user.id,
        createdAt: now,
        lastSignInAt: now,
        ...groupsData,
      },
    });
    await audit({
      actorId: user.id,
      subjectUserId: user.id,
      action: "user.link",
      targetType: "User",
      targetId: user.id,
      metadata: { provider: issuer, via: "email" },
    });
    if (groups) await applyDirectoryRole(command, user.id, { via: "sso" });
    return accept({ userId: user.id, how: "email" });
  }

  const settings = await getIdentitySettings(tx);
  if (!settings.justInTimeProvisioning) {
    return refuse("unknown_user", "Nobody has an account with this email address.");
  }
  if (!verified) {
    return refuse("email_unverified", "The provider has not verified this email address.");
  }
  const created = await tx.user.create({
    data: {
      email,
      name: nameOf(claims, email),
      role: "WORKER",
      timezone: isTimeZone(claims.zoneinfo) ? claims.zoneinfo : "UTC",
      createdAt: now,
    },
    select: { id: true },
  });
  await tx.connection.create({
    data: {
      provider: issuer,
      subject: sub,
      userId: created.id,
      createdAt: now,
      lastSignInAt: now,
      ...groupsData,
    },
  });
  await audit({
    actorId: null,
    subjectUserId: created.id,
    action: "user.provision",
    targetType: "User",
    targetId: created.id,
    metadata: { via: "sso", provider: issuer },
  });
  await applyDirectoryRole(command, created.id, { via: "sso" });
  return accept({ userId: created.id, how: "provisioned" });
}

/** A failed single sign-on, audited with its reason (never a token); changes nothing else. */
export async function recordSsoFailure(
  command: Command,
  { reason, userId, ip }: { reason: string; userId: string | null; ip: string },
): Promise<void> {
  await command.audit({
    actorId: null,
    subjectUserId: userId,
    action: "auth.sso_failed",
    metadata: { reason, ip },
  });
}
