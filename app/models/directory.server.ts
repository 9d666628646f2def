/**
 * The directory's hold on accounts (ADR 0038): the identity settings, the
 * group → role mapping, and the one place a directory-managed role is
 * recomputed. Single sign-on, SCIM and the Identity page all come here.
 */
import { z } from "zod";
import type { Command } from "#app/commands/command.server.ts";
import { groupKey, roleFromGroups, type GroupRoleMapping } from "#app/domain/directory-roles.ts";
import type { Role } from "#app/domain/roles.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";

export type PasswordSignInPolicy = "EVERYONE" | "BREAK_GLASS_ONLY";

export type IdentitySettings = {
  passwordSignIn: PasswordSignInPolicy;
  /** Lower-case emails of the admins who keep password sign-in and a console-set role. */
  breakGlassEmails: string[];
  justInTimeProvisioning: boolean;
};

const EmailList = z.array(z.string());

export async function getIdentitySettings(client: Tx = prisma): Promise<IdentitySettings> {
  const row = await client.identitySettings.findUniqueOrThrow({
    where: { id: 1 },
    select: { passwordSignIn: true, breakGlassEmails: true, justInTimeProvisioning: true },
  });
  return {
    passwordSignIn: row.passwordSignIn,
    breakGlassEmails: EmailList.parse(JSON.parse(row.breakGlassEmails)).map((e) => e.toLowerCase()),
    justInTimeProvisioning: row.justInTimeProvisioning,
  };
}

export function isBreakGlass(settings: IdentitySettings, email: string): boolean {
  return settings.breakGlassEmails.includes(email.toLowerCase());
}

/** The configured group → role mappings, by group name. */
export async function listGroupRoles(
  client: Tx = prisma,
): Promise<(GroupRoleMapping & { key: string })[]> {
  const rows = await client.groupRole.findMany({
    orderBy: { key: "asc" },
    select: { key: true, displayName: true, role: true },
  });
  return rows.map((r) => ({ key: r.key, group: r.displayName, role: r.role }));
}

const GroupList = z.array(z.string());

/** Groups named by someone's last ID tokens (JSON on each Connection). */
function tokenGroups(connections: { groups: string }[]): string[] {
  return connections.flatMap((c) => {
    const parsed = GroupList.safeParse(JSON.parse(c.groups));
    return parsed.success ? parsed.data : [];
  });
}

/** Every directory group someone is in: SCIM groups and the groups their last ID tokens named. */
export async function directoryGroupsOf(tx: Tx, userId: string): Promise<string[]> {
  const [memberships, connections] = await Promise.all([
    tx.directoryGroupMember.findMany({
      where: { userId },
      select: { group: { select: { displayName: true } } },
    }),
    tx.connection.findMany({ where: { userId }, select: { groups: true } }),
  ]);
  return [...memberships.map((m) => m.group.displayName), ...tokenGroups(connections)];
}

type RoleChange = { userId: string; from: Role; to: Role };

async function writeRole(
  command: Command,
  change: RoleChange,
  actorId: string | null,
  via: string,
) {
  await command.tx.user.update({
    where: { id: change.userId },
    data: { role: change.to, roleSource: "DIRECTORY" },
  });
  if (change.from === change.to) return;
  await command.audit({
    actorId,
    subjectUserId: change.userId,
    action: "user.role_change",
    targetType: "User",
    targetId: change.userId,
    metadata: { from: change.from, to: change.to, source: "directory", via },
  });
}

/**
 * The directory has spoken about this person (SCIM wrote them or their
 * groups, or they signed in with a groups claim): from now on their role
 * comes from their groups, recomputed here; a change is audited. Break-glass
 * admins are left alone: their role stays the console's. Returns the role.
 */
export async function applyDirectoryRole(
  command: Command,
  userId: string,
  { actorId = null, via }: { actorId?: string | null; via: "scim" | "sso" | "console" },
): Promise<Role> {
  const { tx } = command;
  const user = await tx.user.findUniqueOrThrow({
    where: { id: userId },
    select: { role: true, email: true },
  });
  const settings = await getIdentitySettings(tx);
  if (isBreakGlass(settings, user.email)) return user.role;
  const to = roleFromGroups(await directoryGroupsOf(tx, userId), await listGroupRoles(tx));
  await writeRole(command, { userId, from: user.role, to }, actorId, via);
  return to;
}

/**
 * After the mapping changed: every directory-managed person's role again,
 * from one read of all memberships. Returns the changes made.
 */
export async function applyDirectoryRolesToEveryone(
  command: Command,
  actorId: string | null,
): Promise<RoleChange[]> {
  const { tx } = command;
  const settings = await getIdentitySettings(tx);
  const mappings = await listGroupRoles(tx);
  const people = await tx.user.findMany({
    where: { roleSource: "DIRECTORY" },
    select: {
      id: true,
      role: true,
      email: true,
      connections: { select: { groups: true } },
      directoryGroups: { select: { group: { select: { displayName: true } } } },
    },
  });
  const changes: RoleChange[] = [];
  for (const person of people) {
    if (isBreakGlass(settings, person.email)) continue;
    const groups = [
      ...person.directoryGroups.map((m) => m.group.displayName),
      ...tokenGroups(person.connections),
    ];
    const to = roleFromGroups(groups, mappings);
    if (to !== person.role) changes.push({ userId: person.id, from: person.role, to });
  }
  for (const change of changes) await writeRole(command, change, actorId, "console");
  return changes;
}

export { groupKey };
