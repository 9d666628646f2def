import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { lastAdminRefusal } from "#app/domain/user-admin.ts";
import { runCommand, type Command } from "#app/commands/command.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { withPeopleDirectory } from "#app/commands/people-directory.server.ts";
import { deleteSessionsOfUser } from "./session.server.ts";
import { accountNotFound, countOtherUsableAdmins, lastAdmin } from "./user-account.server.ts";

type ActivationChange = { actorId: string; userId: string; active: boolean };

/** Why the change may not be made, or null when it may. */
async function activationRefusal(tx: Tx, { actorId, userId, active }: ActivationChange) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: { role: true, deactivatedAt: true },
  });
  if (!user) return accountNotFound();
  if ((user.deactivatedAt === null) === active) {
    return active
      ? refuse("already_active", "That account is already active.")
      : refuse("already_deactivated", "That account is already deactivated.");
  }
  const refusal = lastAdminRefusal(
    { role: user.role, active: user.deactivatedAt === null, isSelf: actorId === userId },
    { active },
    await countOtherUsableAdmins(tx, userId),
  );
  return refusal ? lastAdmin(refusal) : null;
}

/**
 * Whether `setUserActive` would be allowed now, changing nothing: checked
 * before the admin is asked to confirm a deactivation, so a refusal comes
 * before the question.
 */
export async function checkUserActive(change: ActivationChange): Promise<Outcome<null>> {
  return (await activationRefusal(prisma, change)) ?? accept(null);
}

/**
 * What deactivation does, inside the caller's command (the console's and
 * the directory's alike): ends every session, revokes every device (each
 * agent's token gets 401 on its next request, and its open streams close
 * within a second) and voids set-password links and enrollment codes.
 * Returns how many devices were revoked. The caller sets deactivatedAt.
 */
export async function cutOffAccess(
  { tx, now, touchWorker }: Command,
  userId: string,
): Promise<number> {
  // Open state streams re-read the state, find the worker gone and close.
  touchWorker(userId);
  await deleteSessionsOfUser(tx, userId);
  const revokedDevices = (
    await tx.device.updateMany({
      where: { workerId: userId, revokedAt: null },
      data: { revokedAt: now },
    })
  ).count;
  await tx.passwordSetupToken.updateMany({
    where: { userId, usedAt: null, expiresAt: { gt: now } },
    data: { expiresAt: now },
  });
  // An unused enrollment code must not bring a device back after reactivation.
  await tx.enrollmentCode.updateMany({
    where: { workerId: userId, usedAt: null, expiresAt: { gt: now } },
    data: { expiresAt: now },
  });
  return revokedDevices;
}

/**
 * Deactivates or reactivates an account. Deactivation, in one transaction,
 * ends every session, revokes every device (so each agent's token gets 401
 * on its next request, and open streams close) and voids any set-password
 * link. Reactivation lets the person sign in again; their devices stay
 * revoked and are enrolled afresh. Refuses to deactivate the last admin.
 * Refusals: `not_found`, `already_active`, `already_deactivated`, `last_admin`.
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
}): Promise<Outcome<{ revokedDevices: number }>> {
  return withPeopleDirectory(() =>
    runCommand(now, async (command): Promise<Outcome<{ revokedDevices: number }>> => {
      const { tx, audit } = command;
      const refused = await activationRefusal(tx, { actorId, userId, active });
      if (refused) return refused;
      await tx.user.update({
        where: { id: userId },
        data: { deactivatedAt: active ? null : now },
      });
      const revokedDevices = active ? 0 : await cutOffAccess(command, userId);
      await audit({
        actorId,
        subjectUserId: userId,
        action: active ? "user.reactivate" : "user.deactivate",
        targetType: "User",
        targetId: userId,
        metadata: active ? {} : { revokedDevices },
        at: now,
      });
      return accept({ revokedDevices });
    }),
  );
}
