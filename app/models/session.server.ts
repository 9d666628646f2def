import { runCommand } from "#app/commands/command.server.ts";
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { hashSessionToken, nextSessionExpiry } from "#app/utils/session.server.ts";

const sessionUserSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  timezone: true,
  deactivatedAt: true,
} as const;

export async function createSessionRecord(
  tx: Tx,
  {
    token,
    userId,
    now,
    userAgent,
    ip,
  }: { token: string; userId: string; now: Date; userAgent: string | null; ip: string | null },
) {
  return tx.session.create({
    data: {
      id: hashSessionToken(token),
      userId,
      createdAt: now,
      expiresAt: nextSessionExpiry(now, now),
      userAgent: userAgent?.slice(0, 512) ?? null,
      ip,
    },
    select: { id: true, expiresAt: true },
  });
}

export function findSessionWithUser(token: string) {
  return prisma.session.findUnique({
    where: { id: hashSessionToken(token) },
    select: {
      id: true,
      createdAt: true,
      expiresAt: true,
      user: { select: sessionUserSelect },
    },
  });
}

export function extendSession(id: string, expiresAt: Date) {
  return prisma.session.updateMany({ where: { id }, data: { expiresAt } });
}

export function deleteSessionByToken(tx: Tx, token: string) {
  return tx.session.deleteMany({ where: { id: hashSessionToken(token) } });
}

export function deleteSessionsOfUser(tx: Tx, userId: string) {
  return tx.session.deleteMany({ where: { userId } });
}

export function deleteExpiredSessionsOfUser(tx: Tx, userId: string, now: Date) {
  return tx.session.deleteMany({ where: { userId, expiresAt: { lte: now } } });
}

export function listActiveSessions(userId: string, now: Date) {
  return prisma.session.findMany({
    where: { userId, expiresAt: { gt: now } },
    orderBy: { createdAt: "desc" },
    select: { id: true, createdAt: true, expiresAt: true, userAgent: true, ip: true },
  });
}

/** How much of a session's id (the hash of its token) the person's own list shows and sends back. */
export const SESSION_KEY_LENGTH = 12;

/**
 * Ends the person's own sessions from Home: one (by the key shown there), or
 * every one but the session asking. The session asking is never ended here
 * (that is "Sign out"). Audited as auth.sign_out with what was ended.
 * Refusal: `not_found` (no such session of theirs, or it already ended).
 */
export async function endOwnSessions({
  userId,
  currentSessionId,
  which,
  now,
}: {
  userId: string;
  currentSessionId: string;
  which: { key: string } | "others";
  now: Date;
}): Promise<Outcome<{ ended: number }>> {
  return runCommand(now, async ({ tx, audit }) => {
    const where =
      which === "others"
        ? { userId, id: { not: currentSessionId } }
        : { userId, id: { startsWith: which.key, not: currentSessionId } };
    const { count } = await tx.session.deleteMany({ where });
    if (which !== "others" && count === 0) {
      return refuse("not_found", "That session has already ended.");
    }
    await audit({
      actorId: userId,
      subjectUserId: userId,
      action: "auth.sign_out",
      targetType: "Session",
      targetId: which === "others" ? undefined : which.key,
      metadata: { ended: count, scope: which === "others" ? "every other session" : "one session" },
    });
    return accept({ ended: count });
  });
}
