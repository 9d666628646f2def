import type { Role } from "#app/domain/roles.ts";
import { recordAuditEvent } from "#app/utils/audit.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { deleteSessionsOfUser } from "./session.server.ts";

export function findUserForSignIn(email: string) {
  return prisma.user.findUnique({
    where: { email },
    select: { id: true, deactivatedAt: true, password: { select: { hash: true } } },
  });
}

export function getUserProfile(userId: string) {
  return prisma.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      name: true,
      email: true,
      role: true,
      timezone: true,
      createdAt: true,
      manager: { select: { name: true, email: true } },
    },
  });
}

export const PEOPLE_PAGE_SIZE = 25;

export async function listPeople({
  query,
  role,
  page,
}: {
  query: string;
  role: Role | null;
  page: number;
}) {
  const where = {
    ...(query ? { OR: [{ name: { contains: query } }, { email: { contains: query } }] } : {}),
    ...(role ? { role } : {}),
  };
  const [total, people] = await prisma.$transaction([
    prisma.user.count({ where }),
    prisma.user.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (page - 1) * PEOPLE_PAGE_SIZE,
      take: PEOPLE_PAGE_SIZE,
      select: {
        id: true,
        name: true,
        email: true,
        role: true,
        timezone: true,
        deactivatedAt: true,
        manager: { select: { name: true } },
      },
    }),
  ]);
  return { total, people, pageCount: Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE)) };
}

/**
 * Deactivates or reactivates an account. Deactivation also deletes every
 * session of the account, so it is signed out everywhere at once.
 * Returns false when the user does not exist or is already in that state.
 */
export async function setUserActive({
  actorId,
  userId,
  active,
  now,
}: {
  actorId: string;
  userId: string;
  active: boolean;
  now: Date;
}): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: { id: true, deactivatedAt: true },
    });
    if (!user || (user.deactivatedAt === null) === active) return false;
    await tx.user.update({
      where: { id: userId },
      data: { deactivatedAt: active ? null : now },
    });
    if (!active) await deleteSessionsOfUser(tx, userId);
    await recordAuditEvent(tx, {
      actorId,
      subjectUserId: userId,
      action: active ? "user.reactivate" : "user.deactivate",
      targetType: "User",
      targetId: userId,
      at: now,
    });
    return true;
  });
}

export function countActivePeople() {
  return prisma.user.count({ where: { deactivatedAt: null } });
}
