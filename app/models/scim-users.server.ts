/**
 * SCIM Users on accounts (ADR 0040). Reads are SQL (a `userName eq` filter
 * is one indexed lookup); writes run one at a time in the people directory,
 * each one command: audited with no actor and `{ via: "scim", token }`,
 * rolled back whole when refused. Deactivation runs the console's cascade
 * (`cutOffAccess`); every write recomputes the directory role.
 */
import type { Prisma } from "#app/generated/prisma/client.ts";
import { runCommand, type Command } from "#app/commands/command.server.ts";
import { withPeopleDirectory } from "#app/commands/people-directory.server.ts";
import { accept, type Outcome } from "#app/domain/refusal.ts";
import type { Condition } from "#app/domain/scim/filter.ts";
import { scimRefusal, type Page } from "#app/domain/scim/protocol.ts";
import type { AccountValues, ScimAccount } from "#app/domain/scim/user-mapping.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { applyDirectoryRole, getIdentitySettings, isBreakGlass } from "./directory.server.ts";
import { cutOffAccess } from "./user-activation.server.ts";

export type ScimCaller = { tokenPrefix: string };

const accountSelect = {
  id: true,
  email: true,
  name: true,
  timezone: true,
  deactivatedAt: true,
  externalId: true,
  createdAt: true,
  updatedAt: true,
  manager: { select: { id: true, name: true } },
  directoryGroups: {
    select: { group: { select: { id: true, displayName: true } } },
    orderBy: { groupId: "asc" },
  },
} satisfies Prisma.UserSelect;

type AccountRow = Prisma.UserGetPayload<{ select: typeof accountSelect }>;

function toAccount(row: AccountRow): ScimAccount {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    timezone: row.timezone,
    active: row.deactivatedAt === null,
    externalId: row.externalId,
    manager: row.manager,
    groups: row.directoryGroups.map((m) => m.group),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Always true, and false when negated (Prisma drops an empty `NOT: {}`). */
const EVERYONE: Prisma.UserWhereInput = { id: { not: "" } };

/** A filter's conditions as a where clause; NULLs are handled so that `not` stays its negation. */
export function userWhere(condition: Condition): Prisma.UserWhereInput {
  switch (condition.kind) {
    case "and":
      return { AND: condition.of.map(userWhere) };
    case "or":
      return { OR: condition.of.map(userWhere) };
    case "not":
      return { NOT: userWhere(condition.of) };
    case "present":
      if (condition.attribute === "externalId") return { externalId: { not: null } };
      return EVERYONE;
    case "compare": {
      const { attribute, op, value } = condition;
      if (attribute === "active") return { deactivatedAt: value === true ? null : { not: null } };
      const text = String(value);
      const match =
        op === "eq"
          ? { equals: text }
          : op === "co"
            ? { contains: text }
            : op === "sw"
              ? { startsWith: text }
              : { endsWith: text };
      switch (attribute) {
        case "userName":
        case "emails.value":
          return { email: match };
        case "id":
          return { id: match };
        case "displayName":
          return { name: match };
        default:
          return { externalId: { not: null, ...match } };
      }
    }
  }
}

const listed = { deprovisionedAt: null } satisfies Prisma.UserWhereInput;

/** Whether a comparison's value holds a LIKE wildcard (Prisma passes them on unescaped). */
function hasWildcards(condition: Condition): boolean {
  if (condition.kind === "and" || condition.kind === "or") return condition.of.some(hasWildcards);
  if (condition.kind === "not") return hasWildcards(condition.of);
  return (
    condition.kind === "compare" && condition.op !== "eq" && /[%_]/.test(String(condition.value))
  );
}

/** The filter evaluated on one account, exactly (for the rare filter SQL cannot say exactly). */
export function accountMatches(account: ScimAccount, condition: Condition): boolean {
  switch (condition.kind) {
    case "and":
      return condition.of.every((c) => accountMatches(account, c));
    case "or":
      return condition.of.some((c) => accountMatches(account, c));
    case "not":
      return !accountMatches(account, condition.of);
    case "present":
      return condition.attribute !== "externalId" || account.externalId !== null;
    case "compare": {
      const { attribute, op, value } = condition;
      if (attribute === "active") return account.active === value;
      const actual =
        attribute === "userName" || attribute === "emails.value"
          ? account.email
          : attribute === "id"
            ? account.id
            : attribute === "displayName"
              ? account.name
              : account.externalId;
      if (actual === null) return false;
      const text = String(value);
      if (op === "eq") return actual === text;
      if (op === "co") return actual.includes(text);
      if (op === "sw") return actual.startsWith(text);
      return actual.endsWith(text);
    }
  }
}

export async function listScimUsers(condition: Condition | null, page: Page) {
  const where = condition ? { AND: [listed, userWhere(condition)] } : listed;
  if (condition && hasWildcards(condition)) {
    // LIKE reads % and _ as wildcards and SQLite has no default escape: such a filter
    // (rare: "co", "sw" or "ew" with % or _) is evaluated here, on every listed account.
    const rows = await prisma.user.findMany({
      where: listed,
      select: accountSelect,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    const matching = rows.map(toAccount).filter((a) => accountMatches(a, condition));
    return {
      total: matching.length,
      accounts: matching.slice(page.startIndex - 1, page.startIndex - 1 + page.count),
    };
  }
  const [total, rows] = await Promise.all([
    prisma.user.count({ where }),
    page.count === 0
      ? Promise.resolve([])
      : prisma.user.findMany({
          where,
          select: accountSelect,
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          skip: page.startIndex - 1,
          take: page.count,
        }),
  ]);
  return { total, accounts: rows.map(toAccount) };
}

async function findAccount(client: Tx, id: string): Promise<ScimAccount | null> {
  const row = await client.user.findFirst({ where: { id, ...listed }, select: accountSelect });
  return row ? toAccount(row) : null;
}

export function getScimUser(id: string) {
  return findAccount(prisma, id);
}

const notFound = () => scimRefusal("not_found", "No user has that id.");

/** The manager an id names: a listed account other than the person, and no loop. */
async function managerRefusal(tx: Tx, userId: string | null, managerId: string) {
  if (managerId === userId) return scimRefusal("invalid_value", "A person cannot manage themself.");
  const manager = await tx.user.findFirst({
    where: { id: managerId, ...listed },
    select: { id: true },
  });
  if (!manager) return scimRefusal("invalid_value", `No user has the manager id ${managerId}.`);
  const seen = new Set<string>();
  for (let id: string | null = managerId; id !== null && !seen.has(id);) {
    if (id === userId) {
      return scimRefusal(
        "invalid_value",
        "That manager is managed, directly or further down, by this person.",
      );
    }
    seen.add(id);
    const next: { managerId: string | null } | null = await tx.user.findUnique({
      where: { id },
      select: { managerId: true },
    });
    id = next?.managerId ?? null;
  }
  return null;
}

function meta(caller: ScimCaller, extra: Record<string, unknown> = {}) {
  return { via: "scim", token: caller.tokenPrefix, ...extra };
}

async function deactivate(command: Command, caller: ScimCaller, userId: string) {
  await command.tx.user.update({ where: { id: userId }, data: { deactivatedAt: command.now } });
  const revokedDevices = await cutOffAccess(command, userId);
  await command.audit({
    actorId: null,
    subjectUserId: userId,
    action: "user.deactivate",
    targetType: "User",
    targetId: userId,
    metadata: meta(caller, { revokedDevices }),
  });
}

/** Writes the values that differ from the account, one audit event per field (as the console). */
async function writeValues(
  command: Command,
  caller: ScimCaller,
  account: ScimAccount,
  values: AccountValues,
): Promise<Outcome<null>> {
  const { tx, audit } = command;
  if (values.email !== undefined && values.email !== account.email) {
    const taken = await tx.user.findUnique({
      where: { email: values.email },
      select: { id: true },
    });
    if (taken) return scimRefusal("uniqueness", `${values.email} already has an account.`);
  }
  if (values.managerId && values.managerId !== account.manager?.id) {
    const refused = await managerRefusal(tx, account.id, values.managerId);
    if (refused) return refused;
  }
  const managerEmail = async (id: string | null | undefined) =>
    id
      ? ((await tx.user.findUnique({ where: { id }, select: { email: true } }))?.email ?? id)
      : null;
  const fields: { field: string; from: unknown; to: unknown; data: Prisma.UserUpdateInput }[] = [];
  const add = (field: string, from: unknown, to: unknown, data: Prisma.UserUpdateInput) => {
    if (to !== undefined && from !== to) fields.push({ field, from, to, data });
  };
  add("email", account.email, values.email, { email: values.email });
  add("name", account.name, values.name, { name: values.name });
  add("timezone", account.timezone, values.timezone, { timezone: values.timezone });
  add("externalId", account.externalId, values.externalId, { externalId: values.externalId });
  if (values.managerId !== undefined && values.managerId !== (account.manager?.id ?? null)) {
    fields.push({
      field: "manager",
      from: await managerEmail(account.manager?.id),
      to: await managerEmail(values.managerId),
      data: values.managerId
        ? { manager: { connect: { id: values.managerId } } }
        : { manager: { disconnect: true } },
    });
  }
  const activeChange = values.active !== undefined && values.active !== account.active;
  const settings = await getIdentitySettings(tx);
  if (
    (fields.length > 0 || (activeChange && !values.active)) &&
    isBreakGlass(settings, account.email)
  ) {
    return scimRefusal(
      "mutability",
      "This is a break-glass admin: the directory cannot change or deactivate them; change them in Lull's console.",
    );
  }
  for (const change of fields) {
    await tx.user.update({ where: { id: account.id }, data: change.data });
    await audit({
      actorId: null,
      subjectUserId: account.id,
      action: "user.update",
      targetType: "User",
      targetId: account.id,
      metadata: meta(caller, { field: change.field, from: change.from, to: change.to }),
    });
  }
  if (activeChange && values.active === false) await deactivate(command, caller, account.id);
  if (activeChange && values.active === true) {
    await tx.user.update({ where: { id: account.id }, data: { deactivatedAt: null } });
    await audit({
      actorId: null,
      subjectUserId: account.id,
      action: "user.reactivate",
      targetType: "User",
      targetId: account.id,
      metadata: meta(caller),
    });
  }
  return accept(null);
}

function scimCommand<T>(now: Date, work: (command: Command) => Promise<Outcome<T>>) {
  return withPeopleDirectory(() => runCommand(now, work));
}

/**
 * POST /Users. A userName already taken is `uniqueness`, unless the account
 * was deprovisioned (SCIM DELETE): then it is provisioned again, the same
 * account with its history, active unless the body says otherwise.
 */
export function createScimUser(
  caller: ScimCaller,
  values: AccountValues & { email: string },
  now: Date,
): Promise<Outcome<ScimAccount>> {
  return scimCommand(now, async (command) => {
    const { tx } = command;
    const existing = await tx.user.findUnique({
      where: { email: values.email },
      select: { id: true, deprovisionedAt: true },
    });
    if (existing && existing.deprovisionedAt === null) {
      return scimRefusal("uniqueness", `${values.email} already has an account.`);
    }
    if (values.managerId) {
      const refused = await managerRefusal(tx, existing?.id ?? null, values.managerId);
      if (refused) return refused;
    }
    const data = {
      email: values.email,
      name: values.name ?? values.email,
      timezone: values.timezone ?? "UTC",
      externalId: values.externalId ?? null,
      managerId: values.managerId ?? null,
      deactivatedAt: values.active === false ? now : null,
      deprovisionedAt: null,
    };
    const user = existing
      ? await tx.user.update({ where: { id: existing.id }, data, select: { id: true } })
      : await tx.user.create({ data: { ...data, createdAt: now }, select: { id: true } });
    await command.audit({
      actorId: null,
      subjectUserId: user.id,
      action: "user.provision",
      targetType: "User",
      targetId: user.id,
      metadata: meta(caller, { revived: existing !== null, active: values.active !== false }),
    });
    await applyDirectoryRole(command, user.id, { via: "scim" });
    return accept((await findAccount(tx, user.id))!);
  });
}

/**
 * PUT or PATCH /Users/:id: `change` reads the account and says what to
 * write (a PUT's body, or a PATCH applied to the account's representation).
 */
export function changeScimUser(
  caller: ScimCaller,
  id: string,
  change: (account: ScimAccount) => Outcome<AccountValues>,
  now: Date,
): Promise<Outcome<ScimAccount>> {
  return scimCommand(now, async (command) => {
    const account = await findAccount(command.tx, id);
    if (!account) return notFound();
    const values = change(account);
    if (!values.ok) return values;
    const written = await writeValues(command, caller, account, values.value);
    if (!written.ok) return written;
    await applyDirectoryRole(command, id, { via: "scim" });
    return accept((await findAccount(command.tx, id))!);
  });
}

/**
 * DELETE /Users/:id: deactivated (the cascade), out of every directory
 * group, marked deprovisioned: no longer listed; its records stay.
 */
export function deleteScimUser(caller: ScimCaller, id: string, now: Date): Promise<Outcome<null>> {
  return scimCommand(now, async (command) => {
    const { tx } = command;
    const account = await findAccount(tx, id);
    if (!account) return notFound();
    if (isBreakGlass(await getIdentitySettings(tx), account.email)) {
      return scimRefusal(
        "mutability",
        "This is a break-glass admin: the directory cannot delete them; change them in Lull's console.",
      );
    }
    if (account.active) await deactivate(command, caller, id);
    const groups = await tx.directoryGroupMember.deleteMany({ where: { userId: id } });
    await tx.user.update({ where: { id }, data: { deprovisionedAt: now } });
    await command.audit({
      actorId: null,
      subjectUserId: id,
      action: "user.deprovision",
      targetType: "User",
      targetId: id,
      metadata: meta(caller, { leftGroups: groups.count }),
    });
    await applyDirectoryRole(command, id, { via: "scim" });
    return accept(null);
  });
}
