/**
 * Two-factor sign-in for staff (ADR 0022): a TOTP secret per person, sealed
 * at rest, confirmed with a first code before it counts; each code accepted
 * once (the last used time step is kept); ten one-time recovery codes, of
 * which only hashes are kept. Every change is audited and mailed to the person.
 */
import { createHash, randomBytes } from "node:crypto";
import { Secret, TOTP as Totp } from "otpauth";
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import {
  INVALID_CODE_MESSAGE,
  RECOVERY_CODE_COUNT,
  TOTP,
  TOTP_ISSUER,
  TOTP_WINDOW,
  formatRecoveryCode,
  type SecondFactorCode,
} from "#app/domain/two-factor.ts";
import { runCommand, type Command } from "#app/commands/command.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { open, seal } from "#app/utils/sealed-secret.server.ts";

const PURPOSE = "totp-secret";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

function totpFor(secretBase32: string, label: string): Totp {
  return new Totp({
    issuer: TOTP_ISSUER,
    label,
    algorithm: TOTP.algorithm,
    digits: TOTP.digits,
    period: TOTP.period,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The time step `code` belongs to (within the window around `now`), or null. */
function stepOf(totp: Totp, code: string, now: Date): number | null {
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : totp.counter({ timestamp: now.getTime() }) + delta;
}

const invalidCode = () => refuse("invalid_code", INVALID_CODE_MESSAGE, "code");

export type TwoFactorStatus = {
  enabled: boolean;
  /** Set up but not yet confirmed with a code: the secret to show again. */
  pending: { secret: string; uri: string } | null;
  recoveryCodesLeft: number;
};

export async function twoFactorStatus(userId: string, email: string): Promise<TwoFactorStatus> {
  const [row, recoveryCodesLeft] = await Promise.all([
    prisma.twoFactor.findUnique({ where: { userId } }),
    prisma.recoveryCode.count({ where: { userId, usedAt: null } }),
  ]);
  if (!row) return { enabled: false, pending: null, recoveryCodesLeft: 0 };
  if (row.enabledAt) return { enabled: true, pending: null, recoveryCodesLeft };
  const secret = open(row.sealedSecret, PURPOSE);
  if (!secret) return { enabled: false, pending: null, recoveryCodesLeft: 0 };
  return {
    enabled: false,
    pending: { secret, uri: totpFor(secret, email).toString() },
    recoveryCodesLeft: 0,
  };
}

/** Whether sign-in asks this person for a code. */
export async function hasTwoFactor(userId: string): Promise<boolean> {
  const row = await prisma.twoFactor.findUnique({
    where: { userId },
    select: { enabledAt: true },
  });
  return Boolean(row?.enabledAt);
}

/** A new secret to scan, replacing an unconfirmed one; refused while two-factor is on. */
export async function beginTwoFactorSetup(userId: string, now: Date): Promise<Outcome<null>> {
  const secret = new Secret({ size: 20 }).base32;
  const sealedSecret = seal(secret, PURPOSE);
  return runCommand(now, async ({ tx }) => {
    const existing = await tx.twoFactor.findUnique({ where: { userId } });
    if (existing?.enabledAt) return refuse("conflict", "Two-factor sign-in is already on.");
    await tx.twoFactor.upsert({
      where: { userId },
      create: { userId, sealedSecret, createdAt: now },
      update: { sealedSecret, createdAt: now, lastUsedStep: 0 },
    });
    return accept(null);
  });
}

async function replaceRecoveryCodes(tx: Tx, userId: string, now: Date): Promise<string[]> {
  await tx.recoveryCode.deleteMany({ where: { userId } });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    formatRecoveryCode(randomBytes(10)),
  );
  await tx.recoveryCode.createMany({
    data: codes.map((code) => ({ userId, codeHash: sha256(code), createdAt: now })),
  });
  return codes;
}

/**
 * Takes the code as used if it is right and newer than the last one taken:
 * the step only moves forward, in the same statement that checks it, so the
 * same code sent twice at once is accepted once.
 */
async function takeAuthenticatorCode(
  tx: Tx,
  userId: string,
  code: string,
  now: Date,
  confirmed: boolean,
): Promise<boolean> {
  const row = await tx.twoFactor.findUnique({ where: { userId } });
  if (!row || Boolean(row.enabledAt) !== confirmed) return false;
  const secret = open(row.sealedSecret, PURPOSE);
  if (!secret) return false;
  const step = stepOf(totpFor(secret, userId), code, now);
  if (step === null) return false;
  const { count } = await tx.twoFactor.updateMany({
    where: { userId, lastUsedStep: { lt: step } },
    data: { lastUsedStep: step },
  });
  return count === 1;
}

function mailChange(command: Command, person: { email: string; name: string }, what: string) {
  command.mail({
    to: person.email,
    subject: `Lull: ${what}`,
    text: `Hello ${person.name},\n\n${what} on your Lull account just now.\n\nIf this was not you, tell your administrator at once.\n`,
  });
}

async function personOf(tx: Tx, userId: string) {
  return tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
}

/** Confirms the scanned secret with its first code; gives the recovery codes, shown once. */
export async function confirmTwoFactor(
  userId: string,
  code: string,
  now: Date,
): Promise<Outcome<{ recoveryCodes: string[] }>> {
  return runCommand(now, async (command) => {
    const { tx, audit } = command;
    if (!(await takeAuthenticatorCode(tx, userId, code, now, false))) return invalidCode();
    await tx.twoFactor.update({ where: { userId }, data: { enabledAt: now } });
    const recoveryCodes = await replaceRecoveryCodes(tx, userId, now);
    await audit({ actorId: userId, subjectUserId: userId, action: "user.two_factor_on" });
    mailChange(command, await personOf(tx, userId), "Two-factor sign-in was turned on");
    return accept({ recoveryCodes });
  });
}

/** Turns two-factor sign-in off; needs a current authenticator code. */
export async function turnOffTwoFactor(
  userId: string,
  code: string,
  now: Date,
): Promise<Outcome<null>> {
  return runCommand(now, async (command) => {
    const { tx, audit } = command;
    if (!(await takeAuthenticatorCode(tx, userId, code, now, true))) return invalidCode();
    await tx.twoFactor.delete({ where: { userId } });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await audit({ actorId: userId, subjectUserId: userId, action: "user.two_factor_off" });
    mailChange(command, await personOf(tx, userId), "Two-factor sign-in was turned off");
    return accept(null);
  });
}

/** Ten new recovery codes in place of the old ones; needs a current authenticator code. */
export async function renewRecoveryCodes(
  userId: string,
  code: string,
  now: Date,
): Promise<Outcome<{ recoveryCodes: string[] }>> {
  return runCommand(now, async ({ tx, audit }) => {
    if (!(await takeAuthenticatorCode(tx, userId, code, now, true))) return invalidCode();
    const recoveryCodes = await replaceRecoveryCodes(tx, userId, now);
    await audit({ actorId: userId, subjectUserId: userId, action: "user.recovery_codes" });
    return accept({ recoveryCodes });
  });
}

/**
 * The second step of signing in: an authenticator code not used before, or an
 * unused recovery code (then used up). Within the caller's transaction, so the
 * session is created only with the code taken.
 */
export async function takeSecondFactor(
  tx: Tx,
  userId: string,
  code: SecondFactorCode,
  now: Date,
): Promise<Outcome<{ method: "totp" | "recovery_code"; recoveryCodesLeft: number | null }>> {
  if (code.kind === "totp") {
    if (!(await takeAuthenticatorCode(tx, userId, code.code, now, true))) return invalidCode();
    return accept({ method: "totp", recoveryCodesLeft: null });
  }
  const { count } = await tx.recoveryCode.updateMany({
    where: { userId, codeHash: sha256(code.code), usedAt: null },
    data: { usedAt: now },
  });
  if (count !== 1) return invalidCode();
  const recoveryCodesLeft = await tx.recoveryCode.count({ where: { userId, usedAt: null } });
  return accept({ method: "recovery_code", recoveryCodesLeft });
}
