import type { Role } from "#app/domain/roles.ts";
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { lastAdminRefusal, type CreateUserInput } from "#app/domain/user-admin.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { withPeopleDirectory } from "#app/commands/people-directory.server.ts";
import { setupLinkMail, setupLinkUrl } from "#app/commands/setup-link.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { accountSelect } from "./user.server.ts";
import { issueSetupToken } from "./password-setup.server.ts";

export type SetupLink = { token: string; expiresAt: Date };

/** Active admins other than `userId` who can sign in (a password, or a single sign-on link). */
export function countOtherUsableAdmins(tx: Tx, userId: string) {
  return tx.user.count({
    where: {
      role: "ADMIN",
      deactivatedAt: null,
      OR: [{ password: { isNot: null } }, { connections: { some: {} } }],
      id: { not: userId },
    },
  });
}

export function accountNotFound() {
  return refuse("not_found", "That account does not exist.");
}

export function lastAdmin(message: string, field?: string) {
  return refuse("last_admin", message, field);
}

/** The manager named by email: an active account, or null for "no manager"; undefined if none. */
async function findManager(tx: Tx, email: string | null) {
  if (email === null) return { id: null };
  const manager = await tx.user.findFirst({
    where: { email, deactivatedAt: null },
    select: { id: true },
  });
  return manager ?? undefined;
}

function invalidManager(email: string | null) {
  return refuse("invalid_manager", `Nobody with ${email} has an active account.`, "managerEmail");
}

/** True when making `managerId` the manager of `userId` would close a loop (A manages B manages A). */
async function wouldCycle(tx: Tx, userId: string, managerId: string | null): Promise<boolean> {
  const seen = new Set<string>();
  for (let id = managerId; id !== null && !seen.has(id);) {
    if (id === userId) return true;
    seen.add(id);
    const next = await tx.user.findUnique({ where: { id }, select: { managerId: true } });
    id = next?.managerId ?? null;
  }
  return false;
}

/** One person's account as the admin's page shows it (no collected data). */
export async function getUserForAdmin(userId: string, now: Date) {
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: {
      ...accountSelect,
      password: { select: { userId: true } },
      roleSource: true,
      externalId: true,
      deprovisionedAt: true,
      connections: {
        orderBy: { lastSignInAt: "desc" },
        select: { provider: true, lastSignInAt: true },
      },
      _count: { select: { reports: true } },
    },
  });
  if (!user) return null;
  const [activeDevices, activeSessions, pendingLink] = await Promise.all([
    prisma.device.count({ where: { workerId: userId, revokedAt: null } }),
    prisma.session.count({ where: { userId, expiresAt: { gt: now } } }),
    prisma.passwordSetupToken.findFirst({
      where: { userId, usedAt: null, expiresAt: { gt: now } },
      orderBy: { createdAt: "desc" },
      select: { expiresAt: true },
    }),
  ]);
  return {
    ...user,
    activeDevices,
    activeSessions,
    pendingLinkExpiresAt: pendingLink?.expiresAt ?? null,
  };
}

/**
 * Creates an account without a password and a one-time link to set one.
 * The email must be new and the manager must exist. Audited as user.create.
 * Refusals: `email_taken`, `invalid_manager`.
 */
export async function createUserAccount({
  actorId,
  input,
  linkBase,
  now,
}: {
  actorId: string;
  input: CreateUserInput;
  /** Where the mailed link points (`setupLinkBase`). */
  linkBase: string;
  now: Date;
}): Promise<Outcome<{ userId: string; link: SetupLink; url: string }>> {
  return withPeopleDirectory(() =>
    runCommand(now, async ({ tx, audit, mail }) => {
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
        return refuse("email_taken", `${input.email} already has an account.`, "email");
      }
      const manager = await findManager(tx, input.managerEmail);
      if (!manager) return invalidManager(input.managerEmail);
      const user = await tx.user.create({
        data: {
          name: input.name,
          email: input.email,
          role: input.role,
          timezone: input.timezone,
          managerId: manager.id,
          createdAt: now,
        },
        select: { id: true },
      });
      await audit({
        actorId,
        subjectUserId: user.id,
        action: "user.create",
        targetType: "User",
        targetId: user.id,
        metadata: { role: input.role, manager: input.managerEmail, timezone: input.timezone },
      });
      const link = await issueSetupToken(tx, { userId: user.id, actorId, now });
      const url = setupLinkUrl(linkBase, link.token);
      mail(setupLinkMail({ to: input.email, name: input.name, url, expiresAt: link.expiresAt }));
      return accept({ userId: user.id, link, url });
    }),
  );
}

/**
 * Changes role, manager and time zone; one audit event per field that
 * changed, with old and new values. Refuses to leave the organisation
 * without an active admin. Refusals: `not_found`, `last_admin`,
 * `invalid_manager`, `manages_self`, `manager_loop`.
 */
export async function updateUserAccount({
  actorId,
  userId,
  values,
  now,
}: {
  actorId: string;
  userId: string;
  values: { role: Role; managerEmail: string | null; timezone: string };
  now: Date;
}): Promise<Outcome<{ changed: string[] }>> {
  return withPeopleDirectory(() =>
    runCommand(now, async ({ tx, audit }) => {
      const user = await tx.user.findUnique({
        where: { id: userId },
        select: {
          role: true,
          roleSource: true,
          timezone: true,
          deactivatedAt: true,
          managerId: true,
          manager: { select: { email: true } },
        },
      });
      if (!user) return accountNotFound();
      if (user.roleSource === "DIRECTORY" && values.role !== user.role) {
        return refuse(
          "directory_managed",
          "This role is managed by your directory: change the person's groups there (ADR 0038).",
          "role",
        );
      }
      const refusal = lastAdminRefusal(
        { role: user.role, active: user.deactivatedAt === null, isSelf: actorId === userId },
        { role: values.role },
        await countOtherUsableAdmins(tx, userId),
      );
      if (refusal) return lastAdmin(refusal, "role");
      // Keeping the current manager is always allowed, even one who has since left.
      const manager =
        values.managerEmail === (user.manager?.email ?? null)
          ? { id: user.managerId }
          : await findManager(tx, values.managerEmail);
      if (!manager) return invalidManager(values.managerEmail);
      if (manager.id === userId) {
        return refuse("manages_self", "A person cannot manage themself.", "managerEmail");
      }
      if (await wouldCycle(tx, userId, manager.id)) {
        return refuse(
          "manager_loop",
          `${values.managerEmail} is managed, directly or further down, by this person.`,
          "managerEmail",
        );
      }
      const before = {
        role: user.role,
        manager: user.manager?.email ?? null,
        timezone: user.timezone,
      };
      const after = { role: values.role, manager: values.managerEmail, timezone: values.timezone };
      const changed = (Object.keys(before) as (keyof typeof before)[]).filter(
        (k) => before[k] !== after[k],
      );
      if (changed.length === 0) return accept({ changed });
      await tx.user.update({
        where: { id: userId },
        data: { role: values.role, managerId: manager.id, timezone: values.timezone },
      });
      for (const field of changed) {
        await audit({
          actorId,
          subjectUserId: userId,
          action: field === "role" ? "user.role_change" : "user.update",
          targetType: "User",
          targetId: userId,
          metadata: { field, from: before[field], to: after[field] },
          at: now,
        });
      }
      return accept({ changed });
    }),
  );
}
