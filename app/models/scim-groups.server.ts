/**
 * SCIM Groups on directory groups (ADR 0040). A change to a group's members
 * or name recomputes the directory role of everyone whose groups changed
 * (`applyDirectoryRole`), in the same command, audited as `directory.group`.
 */
import type { Prisma } from "#app/generated/prisma/client.ts";
import { runCommand, type Command } from "#app/commands/command.server.ts";
import { withPeopleDirectory } from "#app/commands/people-directory.server.ts";
import { accept, type Outcome } from "#app/domain/refusal.ts";
import type { Condition } from "#app/domain/scim/filter.ts";
import type { GroupValues, ScimGroup } from "#app/domain/scim/group-mapping.ts";
import { scimRefusal, type Page } from "#app/domain/scim/protocol.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { applyDirectoryRole } from "./directory.server.ts";
import type { ScimCaller } from "./scim-users.server.ts";

/** Ids listed in an audit event's metadata, at most (the counts are always there). */
const AUDITED_IDS = 100;
/** A group's members are many writes: its command may take longer than most. */
const GROUP_COMMAND_TIMEOUT_MS = 120_000;

function groupSelect(withMembers: boolean) {
  return {
    id: true,
    displayName: true,
    externalId: true,
    createdAt: true,
    updatedAt: true,
    ...(withMembers
      ? {
          members: {
            select: { user: { select: { id: true, name: true } } },
            orderBy: { userId: "asc" as const },
          },
        }
      : {}),
  } satisfies Prisma.DirectoryGroupSelect;
}

type GroupRow = {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  members?: { user: { id: string; name: string } }[];
};

function toGroup(row: GroupRow): ScimGroup {
  return { ...row, members: row.members ? row.members.map((m) => m.user) : null };
}

const EVERY_GROUP: Prisma.DirectoryGroupWhereInput = { id: { not: "" } };

export function groupWhere(condition: Condition): Prisma.DirectoryGroupWhereInput {
  switch (condition.kind) {
    case "and":
      return { AND: condition.of.map(groupWhere) };
    case "or":
      return { OR: condition.of.map(groupWhere) };
    case "not":
      return { NOT: groupWhere(condition.of) };
    case "present":
      if (condition.attribute === "externalId") return { externalId: { not: null } };
      if (condition.attribute === "members.value") return { members: { some: {} } };
      return EVERY_GROUP;
    case "compare": {
      const value = String(condition.value);
      switch (condition.attribute) {
        case "displayName":
          return { displayName: value };
        case "id":
          return { id: value };
        case "members.value":
          return { members: { some: { userId: value } } };
        default:
          return { externalId: { not: null, equals: value } };
      }
    }
  }
}

export async function listScimGroups(
  condition: Condition | null,
  page: Page,
  withMembers: boolean,
) {
  const where = condition ? groupWhere(condition) : {};
  const [total, rows] = await Promise.all([
    prisma.directoryGroup.count({ where }),
    page.count === 0
      ? Promise.resolve([])
      : prisma.directoryGroup.findMany({
          where,
          select: groupSelect(withMembers),
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          skip: page.startIndex - 1,
          take: page.count,
        }),
  ]);
  return { total, groups: (rows as unknown as GroupRow[]).map(toGroup) };
}

async function findGroup(client: Tx, id: string, withMembers = true) {
  const row = await client.directoryGroup.findUnique({
    where: { id },
    select: groupSelect(withMembers),
  });
  return row ? toGroup(row as unknown as GroupRow) : null;
}

export function getScimGroup(id: string, withMembers: boolean) {
  return findGroup(prisma, id, withMembers);
}

const notFound = () => scimRefusal("not_found", "No group has that id.");

/** Refuses member ids that are not listed accounts. */
async function unknownMembers(tx: Tx, ids: string[]) {
  if (ids.length === 0) return null;
  const found = await tx.user.findMany({
    where: { id: { in: ids }, deprovisionedAt: null },
    select: { id: true },
  });
  const known = new Set(found.map((u) => u.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length === 0) return null;
  return scimRefusal(
    "invalid_value",
    `No user has the id ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? "…" : ""}; provision users before adding them to groups.`,
  );
}

async function nameTaken(tx: Tx, displayName: string, exceptId?: string) {
  const other = await tx.directoryGroup.findUnique({
    where: { displayName },
    select: { id: true },
  });
  return other !== null && other.id !== exceptId;
}

/**
 * Writes a group's name, externalId and members as `values` says, then
 * recomputes the role of every member added or removed (or of every member,
 * when the name changed) and records one `directory.group` event.
 */
async function writeGroup(
  command: Command,
  caller: ScimCaller,
  change: "create" | "replace" | "patch",
  group: { id: string; displayName: string; memberIds: string[] },
  values: GroupValues,
) {
  const { tx, now } = command;
  const before = new Set(group.memberIds);
  const after = values.memberIds ? new Set(values.memberIds) : before;
  const added = [...after].filter((id) => !before.has(id));
  const removed = [...before].filter((id) => !after.has(id));
  await tx.directoryGroup.update({
    where: { id: group.id },
    data: {
      ...(values.displayName !== undefined ? { displayName: values.displayName } : {}),
      ...(values.externalId !== undefined ? { externalId: values.externalId } : {}),
      updatedAt: now,
    },
  });
  if (removed.length > 0) {
    await tx.directoryGroupMember.deleteMany({
      where: { groupId: group.id, userId: { in: removed } },
    });
  }
  if (added.length > 0) {
    await tx.directoryGroupMember.createMany({
      data: added.map((userId) => ({ groupId: group.id, userId })),
    });
  }
  const renamed = values.displayName !== undefined && values.displayName !== group.displayName;
  const affected = renamed ? [...new Set([...before, ...after])] : [...added, ...removed];
  for (const userId of affected) await applyDirectoryRole(command, userId, { via: "scim" });
  await command.audit({
    actorId: null,
    subjectUserId: null,
    action: "directory.group",
    targetType: "DirectoryGroup",
    targetId: group.id,
    metadata: {
      via: "scim",
      token: caller.tokenPrefix,
      change,
      displayName: values.displayName ?? group.displayName,
      ...(renamed && change !== "create" ? { renamedFrom: group.displayName } : {}),
      added: added.length,
      removed: removed.length,
      addedIds: added.slice(0, AUDITED_IDS),
      removedIds: removed.slice(0, AUDITED_IDS),
    },
  });
}

function groupCommand<T>(now: Date, work: (command: Command) => Promise<Outcome<T>>) {
  return withPeopleDirectory(() => runCommand(now, work, { timeout: GROUP_COMMAND_TIMEOUT_MS }));
}

export function createScimGroup(
  caller: ScimCaller,
  values: GroupValues & { displayName: string },
  now: Date,
): Promise<Outcome<ScimGroup>> {
  return groupCommand(now, async (command) => {
    const { tx } = command;
    if (await nameTaken(tx, values.displayName)) {
      return scimRefusal("uniqueness", `A group named ${values.displayName} exists already.`);
    }
    const refused = await unknownMembers(tx, values.memberIds ?? []);
    if (refused) return refused;
    const created = await tx.directoryGroup.create({
      data: {
        displayName: values.displayName,
        externalId: values.externalId ?? null,
        createdAt: now,
        updatedAt: now,
      },
      select: { id: true },
    });
    await writeGroup(
      command,
      caller,
      "create",
      { id: created.id, displayName: values.displayName, memberIds: [] },
      values,
    );
    return accept((await findGroup(tx, created.id))!);
  });
}

/** PUT or PATCH /Groups/:id: `change` reads the group (with members) and says what to write. */
export function changeScimGroup(
  caller: ScimCaller,
  id: string,
  kind: "replace" | "patch",
  change: (group: ScimGroup & { members: { id: string; name: string }[] }) => Outcome<GroupValues>,
  now: Date,
): Promise<Outcome<ScimGroup>> {
  return groupCommand(now, async (command) => {
    const { tx } = command;
    const group = await findGroup(tx, id);
    if (!group?.members) return notFound();
    const values = change({ ...group, members: group.members });
    if (!values.ok) return values;
    const { displayName, memberIds } = values.value;
    if (displayName !== undefined && (await nameTaken(tx, displayName, id))) {
      return scimRefusal("uniqueness", `A group named ${displayName} exists already.`);
    }
    const current = group.members.map((m) => m.id);
    const refused = await unknownMembers(
      tx,
      (memberIds ?? []).filter((m) => !current.includes(m)),
    );
    if (refused) return refused;
    await writeGroup(
      command,
      caller,
      kind,
      { id, displayName: group.displayName, memberIds: current },
      values.value,
    );
    return accept((await findGroup(tx, id))!);
  });
}

export function deleteScimGroup(caller: ScimCaller, id: string, now: Date): Promise<Outcome<null>> {
  return groupCommand(now, async (command) => {
    const { tx } = command;
    const group = await findGroup(tx, id);
    if (!group?.members) return notFound();
    await tx.directoryGroup.delete({ where: { id } });
    for (const member of group.members) {
      await applyDirectoryRole(command, member.id, { via: "scim" });
    }
    await command.audit({
      actorId: null,
      subjectUserId: null,
      action: "directory.group",
      targetType: "DirectoryGroup",
      targetId: id,
      metadata: {
        via: "scim",
        token: caller.tokenPrefix,
        change: "delete",
        displayName: group.displayName,
        removed: group.members.length,
        removedIds: group.members.slice(0, AUDITED_IDS).map((m) => m.id),
      },
    });
    return accept(null);
  });
}
