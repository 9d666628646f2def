import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { setupLinkMail, setupLinkUrl } from "#app/commands/setup-link.server.ts";
import { issueSetupToken } from "./password-setup.server.ts";
import { accountNotFound, type SetupLink } from "./user-account.server.ts";

/**
 * A fresh one-time set-password link (the older one stops working). For an
 * account that already has a password it is a reset: it is mailed, and the
 * caller does not show it to the admin, who could otherwise sign in as the
 * person without giving a reason (that is what exceptional access is for).
 * Refusals: `not_found`, `account_deactivated`.
 */
export async function issueSetupLink({
  actorId,
  userId,
  linkBase,
  now,
}: {
  actorId: string;
  userId: string;
  /** Where the mailed link points (`setupLinkBase`). */
  linkBase: string;
  now: Date;
}): Promise<
  Outcome<{ link: SetupLink; url: string; email: string; name: string; isReset: boolean }>
> {
  return runCommand(now, async ({ tx, mail }) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: {
        email: true,
        name: true,
        deactivatedAt: true,
        password: { select: { userId: true } },
      },
    });
    if (!user) return accountNotFound();
    if (user.deactivatedAt) {
      return refuse("account_deactivated", "Reactivate the account before sending a link.");
    }
    const link = await issueSetupToken(tx, { userId, actorId, now });
    const url = setupLinkUrl(linkBase, link.token);
    mail(setupLinkMail({ to: user.email, name: user.name, url, expiresAt: link.expiresAt }));
    return {
      ...accept({ link, url, email: user.email, name: user.name, isReset: user.password !== null }),
    };
  });
}
