import type { ForgetPolicy } from "#app/domain/forget-rules.ts";
import type { PausePolicy } from "#app/domain/pause-policy.ts";
import type { PolicyFields } from "#app/domain/policy-form.ts";
import { runCommand, type Command } from "#app/commands/command.server.ts";
import {
  decidePolicyChange,
  describeSettingChange,
  policyChangeStatus,
  readStoredChange,
  storedChange,
  type PolicySetting,
  type SettingChange,
} from "#app/domain/policy-change.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { cosignRefusal, namesOf } from "./representative.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";

const pausePolicySelect = {
  maxPauseMinutes: true,
  minGapMinutes: true,
  maxPauseMinutesPerDay: true,
  scheduleAheadDays: true,
} as const;

const forgetPolicySelect = { maxForgetMinutes: true, maxForgetsPerDay: true } as const;

const policySettingsSelect = {
  ...pausePolicySelect,
  ...forgetPolicySelect,
  retentionDays: true,
  maxExemptionDays: true,
  requireAcknowledgementBeforeCollection: true,
  requireRepresentativeApproval: true,
} as const;

/** Every admin-editable setting of the single Policy row. */
export function getPolicySettings(client: Tx = prisma): Promise<PolicyFields> {
  return client.policy.findUniqueOrThrow({ where: { id: 1 }, select: policySettingsSelect });
}

/** The pause policy in force (the single Policy row). */
export async function getPausePolicy(client: Tx = prisma): Promise<PausePolicy> {
  return client.policy.findUniqueOrThrow({ where: { id: 1 }, select: pausePolicySelect });
}

/** The forget policy in force (ADR 0041). */
export async function getForgetPolicy(client: Tx = prisma): Promise<ForgetPolicy> {
  return client.policy.findUniqueOrThrow({ where: { id: 1 }, select: forgetPolicySelect });
}

/** Whether a widening change, a new notice or a widening purpose waits for a representative. */
export async function getRepresentativeApprovalRequired(client: Tx = prisma): Promise<boolean> {
  const policy = await client.policy.findUniqueOrThrow({
    where: { id: 1 },
    select: { requireRepresentativeApproval: true },
  });
  return policy.requireRepresentativeApproval;
}

export type PolicySaveResult =
  | { ok: true; kind: "none" }
  | { ok: true; kind: "applied"; changed: PolicySetting[]; changeId: string }
  | { ok: true; kind: "waiting"; changed: PolicySetting[]; changeId: string }
  | Refused;

/**
 * Applies a recorded change: the policy takes its new values and its version
 * moves, with one `policy.update` audit event per setting (by who proposed
 * it). When the acknowledgement gate changes, every worker's state moves.
 */
async function applyChange(
  { tx, audit, touchEveryone }: Command,
  {
    changeId,
    changes,
    proposedById,
  }: { changeId: string; changes: SettingChange[]; proposedById: string | null },
  now: Date,
) {
  const values = Object.fromEntries(changes.map((c) => [c.field, c.to])) as Partial<PolicyFields>;
  await tx.policy.update({
    where: { id: 1 },
    data: { ...values, version: { increment: 1 }, updatedById: proposedById },
  });
  await tx.policyChange.update({ where: { id: changeId }, data: { appliedAt: now } });
  for (const { field, from, to } of changes) {
    await audit({
      actorId: proposedById,
      subjectUserId: null,
      action: "policy.update",
      targetType: "Policy",
      targetId: field,
      metadata: { field, from, to },
    });
  }
  // The acknowledgement gate decides every worker's "collecting": tell every agent.
  if (changes.some((c) => c.field === "requireAcknowledgementBeforeCollection")) touchEveryone();
}

/**
 * A save of the policy form, recorded as a `PolicyChange` (ADR 0042). A
 * change that does not widen collection, or any change while no co-signature
 * is required, applies at once. A widening change while the policy requires
 * a representative's co-signature is stored and waits; the policy stays as
 * it is. One widening change waits at a time. Stored pauses are never touched.
 */
export async function updatePausePolicy({
  actorId,
  values,
  now,
}: {
  actorId: string;
  values: PolicyFields;
  now: Date;
}): Promise<PolicySaveResult> {
  return runCommand(now, async (command): Promise<PolicySaveResult> => {
    const { tx, audit } = command;
    const current = await getPolicySettings(tx);
    const decision = decidePolicyChange(current, values);
    if (decision.kind === "none") return { ok: true, kind: "none" };
    const changed = decision.changes.map((c) => c.field);
    if (decision.kind === "wait") {
      const pending = await tx.policyChange.count({
        where: { appliedAt: null, withdrawnAt: null },
      });
      if (pending > 0) {
        return refuse(
          "conflict",
          "A change that widens collection already waits for a representative's co-signature. Withdraw it, or wait until it is co-signed, before proposing another.",
        );
      }
    }
    const created = await tx.policyChange.create({
      data: {
        ...storedChange(decision.changes),
        widens: decision.widens,
        proposedById: actorId,
        proposedAt: now,
      },
      select: { id: true },
    });
    if (decision.kind === "wait") {
      await audit({
        actorId,
        subjectUserId: null,
        action: "policy.propose",
        targetType: "PolicyChange",
        targetId: created.id,
        metadata: { fields: changed },
      });
      return { ok: true, kind: "waiting", changed, changeId: created.id };
    }
    await applyChange(
      command,
      { changeId: created.id, changes: decision.changes, proposedById: actorId },
      now,
    );
    return { ok: true, kind: "applied", changed, changeId: created.id };
  });
}

/** A pending change, or why it is not one. */
async function findPendingChange(tx: Tx, id: string) {
  const change = await tx.policyChange.findUnique({ where: { id } });
  if (!change) return refuse("not_found", "No such policy change.");
  if (change.appliedAt) return refuse("conflict", "This change has already been applied.");
  if (change.withdrawnAt) return refuse("conflict", "This change was withdrawn.");
  return { ok: true as const, change };
}

/**
 * A worker representative co-signs a waiting change, which applies it at
 * once. Refused for anyone but a representative, for the person who proposed
 * it, and when a setting it changes has changed meanwhile (the office
 * proposes it again from the policy as it is).
 */
export async function cosignPolicyChange({
  id,
  actorId,
  now,
}: {
  id: string;
  actorId: string;
  now: Date;
}): Promise<{ ok: true } | Refused> {
  return runCommand(now, async (command) => {
    const { tx, audit } = command;
    const found = await findPendingChange(tx, id);
    if (!found.ok) return found;
    const { change } = found;
    const refused = await cosignRefusal(tx, actorId, change.proposedById, "this policy change");
    if (refused) return refused;
    const changes = readStoredChange(change.before, change.after);
    const current = await getPolicySettings(tx);
    const merged = { ...current };
    for (const c of changes) {
      if (current[c.field] !== c.from) {
        return refuse(
          "conflict",
          "The policy has changed since this was proposed: the privacy office must withdraw it and propose it again.",
        );
      }
      (merged as Record<string, unknown>)[c.field] = c.to;
    }
    if (
      merged.maxPauseMinutesPerDay !== null &&
      merged.maxPauseMinutesPerDay < merged.maxPauseMinutes
    ) {
      return refuse(
        "conflict",
        "Applied now, this change would set a daily pause limit below the longest pause: the privacy office must propose it again.",
      );
    }
    const { count } = await tx.policyChange.updateMany({
      where: { id, appliedAt: null, withdrawnAt: null, cosignedAt: null },
      data: { cosignedById: actorId, cosignedAt: now },
    });
    if (count === 0) return refuse("conflict", "This change has already been co-signed.");
    await audit({
      actorId,
      subjectUserId: null,
      action: "policy.cosign",
      targetType: "PolicyChange",
      targetId: id,
      metadata: { fields: changes.map((c) => c.field) },
    });
    await applyChange(command, { changeId: id, changes, proposedById: change.proposedById }, now);
    return { ok: true as const };
  });
}

/** The privacy office withdraws a change still waiting for a co-signature. */
export async function withdrawPolicyChange({
  id,
  actorId,
  now,
}: {
  id: string;
  actorId: string;
  now: Date;
}): Promise<{ ok: true } | Refused> {
  return runCommand(now, async ({ tx, audit }) => {
    const found = await findPendingChange(tx, id);
    if (!found.ok) return found;
    const { count } = await tx.policyChange.updateMany({
      where: { id, appliedAt: null, withdrawnAt: null },
      data: { withdrawnAt: now },
    });
    if (count === 0) return refuse("conflict", "This change is no longer waiting.");
    await audit({
      actorId,
      subjectUserId: null,
      action: "policy.withdraw",
      targetType: "PolicyChange",
      targetId: id,
    });
    return { ok: true as const };
  });
}

/** Every policy change, newest first, with who proposed and co-signed it (names only). */
export async function listPolicyChanges({ pendingOnly = false } = {}) {
  const changes = await prisma.policyChange.findMany({
    where: pendingOnly ? { appliedAt: null, withdrawnAt: null } : {},
    orderBy: [{ proposedAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  const nameOf = await namesOf(changes.flatMap((c) => [c.proposedById, c.cosignedById]));
  return changes.map((c) => ({
    id: c.id,
    proposedAt: c.proposedAt,
    proposedById: c.proposedById,
    proposedBy: nameOf(c.proposedById),
    cosignedBy: nameOf(c.cosignedById),
    cosignedAt: c.cosignedAt,
    appliedAt: c.appliedAt,
    withdrawnAt: c.withdrawnAt,
    widens: c.widens,
    status: policyChangeStatus(c),
    changes: readStoredChange(c.before, c.after).map(describeSettingChange),
  }));
}

export const POLICY_HISTORY_PAGE_SIZE = 20;

/** Every recorded change to the policy, newest first: who, when, which field, old and new. */
export async function listPolicyHistory(page: number) {
  const where = { action: "policy.update" };
  const [total, events] = await prisma.$transaction([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * POLICY_HISTORY_PAGE_SIZE,
      take: POLICY_HISTORY_PAGE_SIZE,
      select: { id: true, at: true, metadata: true, actor: { select: { name: true } } },
    }),
  ]);
  return {
    total,
    pageCount: Math.max(1, Math.ceil(total / POLICY_HISTORY_PAGE_SIZE)),
    changes: events.map((e) => {
      const meta = JSON.parse(e.metadata) as { field?: string; from?: unknown; to?: unknown };
      return {
        id: e.id,
        at: e.at,
        who: e.actor?.name ?? "System",
        ...meta,
        field: meta.field ?? "",
      };
    }),
  };
}
