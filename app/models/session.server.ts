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
