/**
 * The purpose registry (ADR 0042): every version of every purpose, the ones
 * in force, and the one named for an access.
 */
import {
  choosablePurposes,
  currentPurposes,
  resolvePurpose,
  type PurposeVersion,
} from "#app/domain/purposes.ts";
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
export async function getPurposeChoices(now: Date) {
  const current = await getCurrentPurposes(now);
  return {
    choosable: choosablePurposes(current).map(({ key, name, description }) => ({
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
