import { prisma, type Tx } from "#app/utils/db.server.ts";

export type NotificationInput = { userId: string; title: string; body: string; href?: string };

/** Written in the same transaction as the change it reports. */
export async function createNotification(tx: Tx, input: NotificationInput, now: Date) {
  await tx.notification.create({ data: { ...input, createdAt: now } });
}

/** The person's notifications, unread first, newest first; and how many are unread. */
export async function listNotifications(userId: string, take = 10) {
  const [unread, items] = await prisma.$transaction([
    prisma.notification.count({ where: { userId, readAt: null } }),
    prisma.notification.findMany({
      where: { userId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: { id: true, title: true, body: true, href: true, createdAt: true, readAt: true },
    }),
  ]);
  return { unread, items };
}

/** Marks the person's notifications read: all, or those that point at `href`. */
export async function markNotificationsRead(userId: string, now: Date, href?: string) {
  await prisma.notification.updateMany({
    where: { userId, readAt: null, ...(href ? { href } : {}) },
    data: { readAt: now },
  });
}

export function countUnreadNotifications(userId: string) {
  return prisma.notification.count({ where: { userId, readAt: null } });
}
