import type { ForgetPolicy } from "#app/domain/forget-rules.ts";
import type { PausePolicy } from "#app/domain/pause-policy.ts";
import type { PolicyFields } from "#app/domain/policy-form.ts";
import { runCommand } from "#app/commands/command.server.ts";
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

/**
 * Saves the policy and writes one audit event per field that changed, in
 * one transaction. Stored pauses are never touched. Returns the changed fields.
 */
export async function updatePausePolicy({
  actorId,
  values,
  now,
}: {
  actorId: string;
  values: PolicyFields;
  now: Date;
}): Promise<(keyof PolicyFields)[]> {
  return runCommand(now, async ({ tx, audit, touchEveryone }) => {
    const current = await getPolicySettings(tx);
    const changed = (Object.keys(values) as (keyof PolicyFields)[]).filter(
      (field) => current[field] !== values[field],
    );
    if (changed.length === 0) return changed;
    await tx.policy.update({ where: { id: 1 }, data: { ...values, updatedById: actorId } });
    for (const field of changed) {
      await audit({
        actorId,
        subjectUserId: null,
        action: "policy.update",
        targetType: "Policy",
        targetId: field,
        metadata: { field, from: current[field], to: values[field] },
      });
    }
    // The acknowledgement gate decides every worker's "collecting": tell every agent.
    if (changed.includes("requireAcknowledgementBeforeCollection")) touchEveryone();
    return changed;
  });
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
