/**
 * A person changes their own password: the current one is checked, the new
 * one must not be easy to guess, and every other session ends (whoever knew
 * the old password is out). Audited and mailed to the person.
 */
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { hashPassword, verifyPassword } from "#app/utils/password.server.ts";
import { passwordWeakness } from "#app/utils/password-strength.server.ts";

export async function changeOwnPassword({
  userId,
  currentSessionId,
  current,
  next,
  now,
}: {
  userId: string;
  currentSessionId: string;
  current: string;
  next: string;
  now: Date;
}): Promise<Outcome<{ endedSessions: number }>> {
  const user = await prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: { name: true, email: true, password: { select: { hash: true } } },
  });
  if (!user.password || !(await verifyPassword(current, user.password.hash))) {
    return refuse("invalid_credentials", "That is not your current password.", "current");
  }
  const weakness = passwordWeakness(next, [user.name, user.email]);
  if (weakness) return refuse("weak_password", weakness, "password");
  const hash = await hashPassword(next);
  const oldHash = user.password.hash;
  return runCommand(now, async ({ tx, audit, mail }) => {
    // Only if the password is still the one checked: two changes at once cannot both pass.
    const { count } = await tx.password.updateMany({
      where: { userId, hash: oldHash },
      data: { hash },
    });
    if (count !== 1) {
      return refuse("conflict", "Your password was changed meanwhile. Sign in again.", "current");
    }
    const ended = await tx.session.deleteMany({ where: { userId, id: { not: currentSessionId } } });
    await audit({
      actorId: userId,
      subjectUserId: userId,
      action: "user.password_change",
      targetType: "User",
      targetId: userId,
      metadata: { otherSessionsEnded: ended.count },
    });
    mail({
      to: user.email,
      subject: "Lull: your password was changed",
      text: `Hello ${user.name},\n\nThe password of your Lull account was changed just now, and every other session was signed out.\n\nIf this was not you, tell your administrator at once.\n`,
    });
    return accept({ endedSessions: ended.count });
  });
}
