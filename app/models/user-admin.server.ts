import type { Role } from "#app/domain/roles.ts";
import { lastAdminRefusal, type CreateUserInput } from "#app/domain/user-admin.ts";
import { checkImport, type ExistingPeople, type ImportCheck } from "#app/domain/user-import.ts";
import { recordAuditEvent } from "#app/utils/audit.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { publishStateChange } from "#app/utils/state-bus.server.ts";
import { accountSelect } from "./user.server.ts";
import { issueSetupToken } from "./password-setup.server.ts";
import { deleteSessionsOfUser } from "./session.server.ts";

export type AdminResult<T = object> =
  ({ ok: true } & T) | { ok: false; status: 400 | 404 | 409; field?: string; message: string };

type SetupLink = { token: string; expiresAt: Date };

/** Active admins other than `userId` who can sign in (have set a password). */
function countOtherUsableAdmins(tx: Tx, userId: string) {
  return tx.user.count({
    where: { role: "ADMIN", deactivatedAt: null, password: { isNot: null }, id: { not: userId } },
  });
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
 */
export async function createUserAccount({
  actorId,
  input,
  now,
}: {
  actorId: string;
  input: CreateUserInput;
  now: Date;
}): Promise<AdminResult<{ userId: string; link: SetupLink }>> {
  return prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      return {
        ok: false,
        status: 409,
        field: "email",
        message: `${input.email} already has an account.`,
      };
    }
    const manager = await findManager(tx, input.managerEmail);
    if (!manager) {
      return {
        ok: false,
        status: 400,
        field: "managerEmail",
        message: `Nobody with ${input.managerEmail} has an active account.`,
      };
    }
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
    await recordAuditEvent(tx, {
      actorId,
      subjectUserId: user.id,
      action: "user.create",
      targetType: "User",
      targetId: user.id,
      metadata: { role: input.role, manager: input.managerEmail, timezone: input.timezone },
      at: now,
    });
    const link = await issueSetupToken(tx, { userId: user.id, actorId, now });
    return { ok: true, userId: user.id, link };
  });
}

/**
 * Changes role, manager and time zone; one audit event per field that
 * changed, with old and new values. Refuses to leave the organisation
 * without an active admin.
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
}): Promise<AdminResult<{ changed: string[] }>> {
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: {
        role: true,
        timezone: true,
        deactivatedAt: true,
        managerId: true,
        manager: { select: { email: true } },
      },
    });
    if (!user) return { ok: false, status: 404, message: "That account does not exist." };
    const refusal = lastAdminRefusal(
      { role: user.role, active: user.deactivatedAt === null, isSelf: actorId === userId },
      { role: values.role },
      await countOtherUsableAdmins(tx, userId),
    );
    if (refusal) return { ok: false, status: 409, field: "role", message: refusal };
    // Keeping the current manager is always allowed, even one who has since left.
    const manager =
      values.managerEmail === (user.manager?.email ?? null)
        ? { id: user.managerId }
        : await findManager(tx, values.managerEmail);
    if (!manager) {
      return {
        ok: false,
        status: 400,
        field: "managerEmail",
        message: `Nobody with ${values.managerEmail} has an active account.`,
      };
    }
    if (manager.id === userId) {
      return {
        ok: false,
        status: 400,
        field: "managerEmail",
        message: "A person cannot manage themself.",
      };
    }
    if (await wouldCycle(tx, userId, manager.id)) {
      return {
        ok: false,
        status: 400,
        field: "managerEmail",
        message: `${values.managerEmail} is managed, directly or further down, by this person.`,
      };
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
    if (changed.length === 0) return { ok: true, changed };
    await tx.user.update({
      where: { id: userId },
      data: { role: values.role, managerId: manager.id, timezone: values.timezone },
    });
    for (const field of changed) {
      await recordAuditEvent(tx, {
        actorId,
        subjectUserId: userId,
        action: field === "role" ? "user.role_change" : "user.update",
        targetType: "User",
        targetId: userId,
        metadata: { field, from: before[field], to: after[field] },
        at: now,
      });
    }
    return { ok: true, changed };
  });
}

/**
 * Deactivates or reactivates an account. Deactivation, in one transaction,
 * ends every session, revokes every device (so each agent's token gets 401
 * on its next request, and open streams close) and voids any set-password
 * link. Reactivation lets the person sign in again; their devices stay
 * revoked and are enrolled afresh. Refuses to deactivate the last admin.
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
}): Promise<AdminResult<{ revokedDevices: number }>> {
  const result = await prisma.$transaction(
    async (tx): Promise<AdminResult<{ revokedDevices: number }>> => {
      const user = await tx.user.findUnique({
        where: { id: userId },
        select: { role: true, deactivatedAt: true },
      });
      if (!user) return { ok: false, status: 404, message: "That account does not exist." };
      if ((user.deactivatedAt === null) === active) {
        return {
          ok: false,
          status: 409,
          message: active
            ? "That account is already active."
            : "That account is already deactivated.",
        };
      }
      const refusal = lastAdminRefusal(
        { role: user.role, active: user.deactivatedAt === null, isSelf: actorId === userId },
        { active },
        await countOtherUsableAdmins(tx, userId),
      );
      if (refusal) return { ok: false, status: 409, message: refusal };
      await tx.user.update({
        where: { id: userId },
        data: active
          ? { deactivatedAt: null }
          : { deactivatedAt: now, stateVersion: { increment: 1 }, stateVersionAt: now },
      });
      let revokedDevices = 0;
      if (!active) {
        await deleteSessionsOfUser(tx, userId);
        revokedDevices = (
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
      }
      await recordAuditEvent(tx, {
        actorId,
        subjectUserId: userId,
        action: active ? "user.reactivate" : "user.deactivate",
        targetType: "User",
        targetId: userId,
        metadata: active ? {} : { revokedDevices },
        at: now,
      });
      return { ok: true, revokedDevices };
    },
  );
  // Open state streams re-read the state, find the worker gone and close.
  if (result.ok && !active) publishStateChange(userId);
  return result;
}

/**
 * A fresh one-time set-password link (the older one stops working). For an
 * account that already has a password it is a reset: the caller mails it
 * and does not show it to the admin, who could otherwise sign in as the
 * person without giving a reason (that is what exceptional access is for).
 */
export async function issueSetupLink({
  actorId,
  userId,
  now,
}: {
  actorId: string;
  userId: string;
  now: Date;
}): Promise<AdminResult<{ link: SetupLink; email: string; name: string; isReset: boolean }>> {
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: {
        email: true,
        name: true,
        deactivatedAt: true,
        password: { select: { userId: true } },
      },
    });
    if (!user) return { ok: false, status: 404, message: "That account does not exist." };
    if (user.deactivatedAt) {
      return { ok: false, status: 409, message: "Reactivate the account before sending a link." };
    }
    const link = await issueSetupToken(tx, { userId, actorId, now });
    return { ok: true, link, email: user.email, name: user.name, isReset: user.password !== null };
  });
}

async function existingPeople(tx: Tx = prisma): Promise<ExistingPeople> {
  const rows = await tx.user.findMany({ select: { email: true, deactivatedAt: true } });
  return {
    emails: new Set(rows.map((r) => r.email)),
    activeEmails: new Set(rows.filter((r) => r.deactivatedAt === null).map((r) => r.email)),
  };
}

/** The dry run: every row's problems, nothing written. */
export async function previewImport(csv: string): Promise<ImportCheck> {
  return checkImport(csv, await existingPeople());
}

/**
 * A file of 1,000 people is ~6,000 statements in one transaction: more than
 * Prisma's default 5 seconds allows on a slow disk.
 */
const IMPORT_TRANSACTION = { timeout: 60_000, maxWait: 10_000 };

export type ImportedPerson = { userId: string; name: string; email: string; link: SetupLink };

/**
 * Applies an import all or nothing: the file is checked again inside the
 * transaction (against the people who exist now), and one bad row means
 * nothing is written. Each new person gets a set-password link.
 */
export async function applyImport({
  actorId,
  csv,
  now,
}: {
  actorId: string;
  csv: string;
  now: Date;
}): Promise<{ ok: true; people: ImportedPerson[] } | { ok: false; check: ImportCheck }> {
  return prisma.$transaction(async (tx) => {
    const check = checkImport(csv, await existingPeople(tx));
    if (!check.ok) return { ok: false as const, check };
    const people = check.rows.map((r) => r.person!);
    const ids = new Map<string, string>();
    for (const person of people) {
      const user = await tx.user.create({
        data: {
          name: person.name,
          email: person.email,
          role: person.role,
          timezone: person.timezone,
          createdAt: now,
        },
        select: { id: true },
      });
      ids.set(person.email, user.id);
    }
    const managers = await tx.user.findMany({
      where: { email: { in: people.flatMap((p) => (p.managerEmail ? [p.managerEmail] : [])) } },
      select: { id: true, email: true },
    });
    const managerId = new Map(managers.map((m) => [m.email, m.id]));
    const imported: ImportedPerson[] = [];
    for (const person of people) {
      const userId = ids.get(person.email)!;
      if (person.managerEmail) {
        await tx.user.update({
          where: { id: userId },
          data: { managerId: managerId.get(person.managerEmail)! },
        });
      }
      await recordAuditEvent(tx, {
        actorId,
        subjectUserId: userId,
        action: "user.create",
        targetType: "User",
        targetId: userId,
        metadata: {
          role: person.role,
          manager: person.managerEmail,
          timezone: person.timezone,
          imported: true,
        },
        at: now,
      });
      const link = await issueSetupToken(tx, { userId, actorId, now });
      imported.push({ userId, name: person.name, email: person.email, link });
    }
    await recordAuditEvent(tx, {
      actorId,
      subjectUserId: null,
      action: "user.import",
      targetType: "User",
      metadata: { count: imported.length },
      at: now,
    });
    return { ok: true as const, people: imported };
  }, IMPORT_TRANSACTION);
}
