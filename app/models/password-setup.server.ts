import { createHash, randomBytes } from "node:crypto";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { SETUP_LINK_EXPIRED_MESSAGE, SETUP_LINK_TTL_MS } from "#app/domain/user-admin.ts";
import { recordAuditEvent } from "#app/utils/audit.server.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { hashPassword } from "#app/utils/password.server.ts";
import { passwordWeakness } from "#app/utils/password-strength.server.ts";
import { deleteSessionsOfUser } from "./session.server.ts";

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/**
 * A new one-time set-password token for `userId` (256 random bits, returned
 * once; only its SHA-256 is stored). Older unused tokens of the person stop
 * working, so only the newest link is ever valid.
 */
export async function issueSetupToken(
  tx: Tx,
  { userId, actorId, now }: { userId: string; actorId: string; now: Date },
) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SETUP_LINK_TTL_MS);
  await tx.passwordSetupToken.updateMany({
    where: { userId, usedAt: null, expiresAt: { gt: now } },
    data: { expiresAt: now },
  });
  await tx.passwordSetupToken.create({
    data: { userId, tokenHash: sha256(token), createdById: actorId, createdAt: now, expiresAt },
  });
  await recordAuditEvent(tx, {
    actorId,
    subjectUserId: userId,
    action: "user.setup_link",
    targetType: "User",
    targetId: userId,
    metadata: { expiresAt: expiresAt.toISOString() },
    at: now,
  });
  return { token, expiresAt };
}

/** The person a token is for, while it is unused, unexpired and their account active. */
export async function findValidSetupToken(token: string, now: Date) {
  const row = await prisma.passwordSetupToken.findUnique({
    where: { tokenHash: sha256(token) },
    select: {
      id: true,
      usedAt: true,
      expiresAt: true,
      createdById: true,
      user: { select: { id: true, name: true, email: true, deactivatedAt: true } },
    },
  });
  if (!row || row.usedAt || row.expiresAt <= now || row.user.deactivatedAt) return null;
  return { id: row.id, createdById: row.createdById, user: row.user };
}

const linkExpired = () => refuse("link_expired", SETUP_LINK_EXPIRED_MESSAGE);

/**
 * Sets the password and uses up the token, in one transaction: a second use
 * of the link, or a race between two tabs, finds it used. Any sessions of
 * the account end (a reset must lock out whoever had the old password).
 */
export async function completePasswordSetup(
  token: string,
  password: string,
  now: Date,
): Promise<{ ok: true; email: string } | Refused> {
  const valid = await findValidSetupToken(token, now);
  if (!valid) return linkExpired();
  const weakness = passwordWeakness(password, [valid.user.name, valid.user.email]);
  if (weakness) return refuse("weak_password", weakness, "password");
  const hash = await hashPassword(password);
  // Checked again after the (slow) hash: a newer link or a deactivation in the
  // meantime voids this one.
  const at = new Date(Math.max(now.getTime(), Date.now()));
  return runCommand(at, async ({ tx, audit }) => {
    const { count } = await tx.passwordSetupToken.updateMany({
      where: { id: valid.id, usedAt: null, expiresAt: { gt: at }, user: { deactivatedAt: null } },
      data: { usedAt: at },
    });
    if (count === 0) return linkExpired();
    await tx.password.upsert({
      where: { userId: valid.user.id },
      create: { userId: valid.user.id, hash },
      update: { hash },
    });
    await deleteSessionsOfUser(tx, valid.user.id);
    await audit({
      actorId: valid.user.id,
      subjectUserId: valid.user.id,
      action: "user.password_set",
      targetType: "User",
      targetId: valid.user.id,
      // Whose link it was: a password set through an admin's link is traceable to the admin.
      metadata: { linkIssuedBy: valid.createdById },
      at,
    });
    return { ok: true as const, email: valid.user.email };
  });
}
