/**
 * A worker representative co-signs a purpose version that waits for it
 * (ADR 0042): a new purpose, a longer retention, a prohibited or retired one
 * permitted again, proposed by the privacy office while the policy requires
 * representative approval. Co-signed, it takes effect at once.
 */
import { runCommand } from "#app/commands/command.server.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { prisma } from "#app/utils/db.server.ts";
import { cosignRefusal, namesOf } from "./representative.server.ts";

export async function cosignPurposeVersion({
  id,
  actorId,
  now,
}: {
  id: string;
  actorId: string;
  now: Date;
}): Promise<{ ok: true; key: string; version: number } | Refused> {
  return runCommand(now, async ({ tx, audit }) => {
    const version = await tx.purpose.findUnique({
      where: { id },
      select: { key: true, version: true, effectiveAt: true, createdById: true },
    });
    if (!version) return refuse("not_found", "No such purpose version.");
    const refused = await cosignRefusal(tx, actorId, version.createdById, "this purpose version");
    if (refused) return refused;
    if (version.effectiveAt !== null) {
      return refuse("conflict", "This purpose version is already in force.");
    }
    const { count } = await tx.purpose.updateMany({
      where: { id, effectiveAt: null, cosignedAt: null },
      data: { cosignedById: actorId, cosignedAt: now, effectiveAt: now },
    });
    if (count === 0) return refuse("conflict", "This purpose version has already been co-signed.");
    await audit({
      actorId,
      subjectUserId: null,
      action: "purpose.cosign",
      targetType: "Purpose",
      targetId: id,
      metadata: { key: version.key, version: version.version },
    });
    return { ok: true as const, key: version.key, version: version.version };
  });
}

/** Every purpose version, newest first per key, with who co-signed it (names only). */
export async function listPurposeHistory() {
  const versions = await prisma.purpose.findMany({
    orderBy: [{ key: "asc" }, { version: "desc" }],
    select: {
      id: true,
      key: true,
      version: true,
      name: true,
      description: true,
      legalBasis: true,
      retentionDays: true,
      prohibited: true,
      retired: true,
      createdAt: true,
      createdById: true,
      effectiveAt: true,
      cosignedById: true,
      cosignedAt: true,
    },
  });
  const nameOf = await namesOf(versions.flatMap((v) => [v.createdById, v.cosignedById]));
  return versions.map((v) => ({
    ...v,
    createdBy: nameOf(v.createdById),
    cosignedBy: nameOf(v.cosignedById),
    pending: v.effectiveAt === null,
  }));
}
