/**
 * The purpose registry (ADR 0042): every version of every purpose, the ones
 * in force, and the one named for an access.
 */
import { runCommand } from "#app/commands/command.server.ts";
import {
  choosablePurposes,
  currentPurposes,
  purposeChangeWidens,
  resolvePurpose,
  type PurposeSettings,
  type PurposeVersion,
} from "#app/domain/purposes.ts";
import { refuse } from "#app/domain/refusal.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";

const purposeSelect = {
  id: true,
  key: true,
  version: true,
  name: true,
  description: true,
  legalBasis: true,
  retentionDays: true,
  prohibited: true,
  retired: true,
  effectiveAt: true,
} as const;

/** Every version, oldest first per key (the registry's history). */
export function listPurposeVersions(db: Tx | typeof prisma = prisma) {
  return db.purpose.findMany({
    orderBy: [{ key: "asc" }, { version: "asc" }],
    select: { ...purposeSelect, createdAt: true, cosignedAt: true, createdById: true },
  });
}

/** The purposes in force at `now`: permitted first, then the prohibited ones. */
export async function getCurrentPurposes(now: Date, db: Tx | typeof prisma = prisma) {
  const versions: PurposeVersion[] = await db.purpose.findMany({ select: purposeSelect });
  return currentPurposes(versions, now);
}

/** The choice a purpose form offers: what may be named, and what the policy rules out. */
export async function getPurposeChoices(now: Date, allowed?: readonly string[]) {
  const current = await getCurrentPurposes(now);
  return {
    choosable: choosablePurposes(current)
      .filter((p) => !allowed || allowed.includes(p.key))
      .map(({ key, name, description }) => ({
        key,
        name,
        description,
      })),
    prohibited: current.filter((p) => p.prohibited).map(({ key, name }) => ({ key, name })),
  };
}
export type PurposeChoices = Awaited<ReturnType<typeof getPurposeChoices>>;

/**
 * The purpose version named for an access, or why it cannot be named (see
 * `resolvePurpose`). Read at the moment of access: a version that has since
 * been replaced is not offered again.
 */
export async function purposeForAccess(
  key: string | null | undefined,
  now: Date,
  allowed?: readonly string[],
) {
  return resolvePurpose(await getCurrentPurposes(now), key, allowed);
}

type PurposeProposal = {
  actorId: string;
  key: string;
  settings: PurposeSettings;
  isNew: boolean;
  now: Date;
};

/**
 * A new version of a purpose, or a new purpose (`version` 1), by the privacy
 * office. It takes effect at once, unless it widens the use of workers' data
 * (`purposeChangeWidens`) while the policy requires a representative's
 * co-signature: then it waits (effectiveAt null) and the version in force
 * stays. One change waits at a time per purpose.
 */
export async function proposePurposeVersion(proposal: PurposeProposal) {
  const { isNew } = proposal;
  try {
    return await proposeOnce(proposal);
  } catch (error) {
    // Two saves of one key at once (a double submit, two tabs, two nodes): the unique
    // (key, version) index keeps the first; the second is told, not given a 500.
    if ((error as { code?: unknown }).code === "P2002") {
      return refuse(
        "conflict",
        isNew
          ? "A purpose with that key exists already."
          : "Someone saved this purpose at the same moment: reload it and try again.",
        isNew ? "key" : undefined,
      );
    }
    throw error;
  }
}

function proposeOnce({ actorId, key, settings, isNew, now }: PurposeProposal) {
  return runCommand(now, async ({ tx, audit }) => {
    const versions = await tx.purpose.findMany({
      where: { key },
      orderBy: { version: "desc" },
      select: { ...purposeSelect, effectiveAt: true },
    });
    if (isNew && versions.length > 0) {
      return refuse("conflict", "A purpose with that key exists already.", "key");
    }
    if (!isNew && versions.length === 0) return refuse("not_found", "No such purpose.");
    if (versions.some((v) => v.effectiveAt === null)) {
      return refuse(
        "conflict",
        "A change to this purpose is waiting for a representative's co-signature. It must be co-signed first.",
      );
    }
    const before = currentPurposes(versions, now).find((v) => v.key === key) ?? null;
    const policy = await tx.policy.findUniqueOrThrow({
      where: { id: 1 },
      select: { requireRepresentativeApproval: true },
    });
    const waits = policy.requireRepresentativeApproval && purposeChangeWidens(before, settings);
    const created = await tx.purpose.create({
      data: {
        key,
        version: (versions[0]?.version ?? 0) + 1,
        ...settings,
        createdAt: now,
        createdById: actorId,
        effectiveAt: waits ? null : now,
      },
      select: { id: true, version: true, effectiveAt: true },
    });
    await audit({
      actorId,
      subjectUserId: null,
      action: isNew ? "purpose.create" : "purpose.version",
      targetType: "Purpose",
      targetId: created.id,
      metadata: { key, version: created.version, waitsForCosignature: waits },
      at: now,
    });
    return { ok: true as const, version: created.version, waits };
  });
}
