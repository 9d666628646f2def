/**
 * The Identity page's writes (ADR 0038): who may sign in with a password,
 * just-in-time accounts, and the group → role mapping. Each is a command,
 * audited; a mapping change recomputes every directory-managed role at once.
 */
import { runCommand } from "#app/commands/command.server.ts";
import { groupKey } from "#app/domain/directory-roles.ts";
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import type { Role } from "#app/domain/roles.ts";
import { prisma } from "#app/utils/db.server.ts";
import {
  applyDirectoryRolesToEveryone,
  getIdentitySettings,
  type IdentitySettings,
} from "./directory.server.ts";

/**
 * Saves the settings; one `identity.settings` event per setting changed.
 * Refusals: `sso_not_configured` (single sign-on only, with no provider),
 * `no_break_glass` (single sign-on only, with nobody to get in when the
 * provider is down), `not_admin` (a break-glass address that is not an
 * active admin with a password).
 */
export async function updateIdentitySettings({
  actorId,
  values,
  ssoConfigured,
  now,
}: {
  actorId: string;
  values: IdentitySettings;
  ssoConfigured: boolean;
  now: Date;
}): Promise<Outcome<{ changed: string[] }>> {
  if (values.passwordSignIn === "BREAK_GLASS_ONLY" && !ssoConfigured) {
    return refuse(
      "sso_not_configured",
      "Single sign-on is not configured (OIDC_ISSUER), so password sign-in cannot be switched off.",
      "passwordSignIn",
    );
  }
  if (values.passwordSignIn === "BREAK_GLASS_ONLY" && values.breakGlassEmails.length === 0) {
    return refuse(
      "no_break_glass",
      "Name at least one break-glass admin, so someone can still sign in when the provider is down.",
      "breakGlassEmails",
    );
  }
  return runCommand(now, async ({ tx, audit }) => {
    const admins = await tx.user.findMany({
      where: {
        email: { in: values.breakGlassEmails },
        role: "ADMIN",
        deactivatedAt: null,
        password: { isNot: null },
      },
      select: { email: true },
    });
    const found = new Set(admins.map((a) => a.email));
    const missing = values.breakGlassEmails.filter((e) => !found.has(e));
    if (missing.length > 0) {
      return refuse(
        "not_admin",
        `Break-glass admins must be active admins with a Lull password; not: ${missing.join(", ")}.`,
        "breakGlassEmails",
      );
    }
    const before = await getIdentitySettings(tx);
    const fields = {
      passwordSignIn: [before.passwordSignIn, values.passwordSignIn],
      breakGlassEmails: [before.breakGlassEmails.join(", "), values.breakGlassEmails.join(", ")],
      justInTimeProvisioning: [before.justInTimeProvisioning, values.justInTimeProvisioning],
    } as const;
    const changed = Object.entries(fields)
      .filter(([, [from, to]]) => from !== to)
      .map(([field]) => field);
    if (changed.length === 0) return accept({ changed });
    await tx.identitySettings.update({
      where: { id: 1 },
      data: {
        passwordSignIn: values.passwordSignIn,
        breakGlassEmails: JSON.stringify(values.breakGlassEmails),
        justInTimeProvisioning: values.justInTimeProvisioning,
        updatedById: actorId,
      },
    });
    // A break-glass admin's role is the console's, never the directory's.
    await tx.user.updateMany({
      where: { email: { in: values.breakGlassEmails } },
      data: { roleSource: "CONSOLE" },
    });
    for (const field of changed) {
      const [from, to] = fields[field as keyof typeof fields];
      await audit({
        actorId,
        subjectUserId: null,
        action: "identity.settings",
        targetType: "IdentitySettings",
        metadata: { field, from, to },
      });
    }
    return accept({ changed });
  });
}

/**
 * Maps a group to a role (or changes its role), then recomputes every
 * directory-managed role. Returns how many people's roles changed.
 */
export async function setGroupRole({
  actorId,
  group,
  role,
  now,
}: {
  actorId: string;
  group: string;
  role: Role;
  now: Date;
}): Promise<{ peopleChanged: number }> {
  const key = groupKey(group);
  return runCommand(now, async (command) => {
    const before = await command.tx.groupRole.findUnique({
      where: { key },
      select: { role: true },
    });
    await command.tx.groupRole.upsert({
      where: { key },
      create: { key, displayName: group.trim(), role, createdAt: now, createdById: actorId },
      update: { displayName: group.trim(), role },
    });
    const changes = await applyDirectoryRolesToEveryone(command, actorId);
    await command.audit({
      actorId,
      subjectUserId: null,
      action: "identity.group_role",
      targetType: "GroupRole",
      targetId: key,
      metadata: {
        group: group.trim(),
        from: before?.role ?? null,
        to: role,
        peopleChanged: changes.length,
      },
    });
    return { peopleChanged: changes.length };
  });
}

/** Removes a group's mapping and recomputes every directory-managed role. Refusal: `not_found`. */
export async function removeGroupRole({
  actorId,
  key,
  now,
}: {
  actorId: string;
  key: string;
  now: Date;
}): Promise<Outcome<{ peopleChanged: number }>> {
  return runCommand(now, async (command) => {
    const row = await command.tx.groupRole.findUnique({
      where: { key },
      select: { displayName: true, role: true },
    });
    if (!row) return refuse("not_found", "That group has no role any more.");
    await command.tx.groupRole.delete({ where: { key } });
    const changes = await applyDirectoryRolesToEveryone(command, actorId);
    await command.audit({
      actorId,
      subjectUserId: null,
      action: "identity.group_role",
      targetType: "GroupRole",
      targetId: key,
      metadata: { group: row.displayName, from: row.role, to: null, peopleChanged: changes.length },
    });
    return accept({ peopleChanged: changes.length });
  });
}

/** What the directory has done, newest first: the Identity page's history. */
const HISTORY_ACTIONS = [
  "user.provision",
  "user.deprovision",
  "user.link",
  "user.deactivate",
  "user.reactivate",
  "directory.group",
] as const;

export const IDENTITY_HISTORY_PAGE_SIZE = 25;

export async function listProvisioningHistory(page: number) {
  const where = {
    OR: [
      { action: { in: [...HISTORY_ACTIONS] } },
      { action: "user.role_change", metadata: { contains: '"source":"directory"' } },
    ],
  };
  const [total, events] = await Promise.all([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * IDENTITY_HISTORY_PAGE_SIZE,
      take: IDENTITY_HISTORY_PAGE_SIZE,
      select: {
        id: true,
        at: true,
        action: true,
        metadata: true,
        actor: { select: { name: true } },
        subjectUser: { select: { id: true, name: true, email: true } },
      },
    }),
  ]);
  return {
    total,
    events,
    pageCount: Math.max(1, Math.ceil(total / IDENTITY_HISTORY_PAGE_SIZE)),
  };
}

/** The last single sign-on failures and the last success, for the status card. */
export async function getSsoActivity() {
  const [failures, lastSignIn, linked, directoryManaged] = await Promise.all([
    prisma.auditEvent.findMany({
      where: { action: "auth.sso_failed" },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: 5,
      select: { id: true, at: true, metadata: true },
    }),
    prisma.connection.findFirst({
      orderBy: { lastSignInAt: "desc" },
      select: { lastSignInAt: true },
    }),
    prisma.connection.count(),
    prisma.user.count({ where: { roleSource: "DIRECTORY", deactivatedAt: null } }),
  ]);
  return { failures, lastSignInAt: lastSignIn?.lastSignInAt ?? null, linked, directoryManaged };
}
