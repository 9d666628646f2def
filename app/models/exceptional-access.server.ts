import { EXCEPTIONAL_ACCESS_TTL_MS } from "#app/domain/user-admin.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createNotification } from "./notification.server.ts";

/**
 * Records an admin's stated reason for opening one worker's data, and gives
 * a read-only grant for 30 minutes. The audit event names the worker as its
 * subject and carries the reason, so it appears in the worker's access log;
 * the worker is also told on their home page.
 */
export async function grantExceptionalAccess({
  adminId,
  workerId,
  reason,
  purposeId,
  now,
}: {
  adminId: string;
  workerId: string;
  reason: string;
  /** The purpose named for this access (ADR 0042). */
  purposeId: string;
  now: Date;
}) {
  const expiresAt = new Date(now.getTime() + EXCEPTIONAL_ACCESS_TTL_MS);
  return runCommand(now, async ({ tx, audit }) => {
    const grant = await tx.exceptionalAccess.create({
      data: { adminId, workerId, reason, purposeId, createdAt: now, expiresAt },
      select: { id: true, expiresAt: true },
    });
    await audit({
      actorId: adminId,
      subjectUserId: workerId,
      action: "data.exceptional_access",
      targetType: "ExceptionalAccess",
      targetId: grant.id,
      metadata: { reason, expiresAt: expiresAt.toISOString() },
      purposeId,
      at: now,
    });
    const admin = await tx.user.findUniqueOrThrow({
      where: { id: adminId },
      select: { name: true },
    });
    await createNotification(
      tx,
      {
        userId: workerId,
        title: "An admin opened your data",
        body: `${admin.name} opened your collected data (read-only, for 30 minutes). The reason they gave: “${reason}”`,
        href: "/data/access",
      },
      now,
    );
    return grant;
  });
}

/** The grant, if it is this admin's, for this worker, and not yet expired, with its purpose's name. */
export async function findActiveGrant(id: string, adminId: string, workerId: string, now: Date) {
  const grant = await prisma.exceptionalAccess.findFirst({
    where: { id, adminId, workerId, expiresAt: { gt: now } },
    select: { id: true, reason: true, createdAt: true, expiresAt: true, purposeId: true },
  });
  if (!grant) return null;
  const purpose = grant.purposeId
    ? await prisma.purpose.findUnique({ where: { id: grant.purposeId }, select: { name: true } })
    : null;
  return { ...grant, purposeName: purpose?.name ?? null };
}
