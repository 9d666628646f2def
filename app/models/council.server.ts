/**
 * What waits for a worker representative's co-signature (ADR 0042): policy
 * changes, purpose versions and document drafts. Names of what, never of
 * whom it concerns: nothing here is about one worker.
 */
import { prisma } from "#app/utils/db.server.ts";
import { needsCosignature } from "./policy-document.server.ts";

export async function listAwaitingCosignature() {
  const [policy, changes, purposes, drafts] = await Promise.all([
    prisma.policy.findUniqueOrThrow({
      where: { id: 1 },
      select: { requireRepresentativeApproval: true },
    }),
    prisma.policyChange.findMany({
      where: { appliedAt: null, withdrawnAt: null },
      orderBy: { proposedAt: "asc" },
      select: { id: true, proposedAt: true, after: true },
    }),
    prisma.purpose.findMany({
      where: { effectiveAt: null },
      orderBy: { createdAt: "asc" },
      select: { id: true, key: true, version: true, name: true, createdAt: true },
    }),
    prisma.policyDocument.findMany({
      where: { publishedAt: null, cosignedAt: null },
      orderBy: { createdAt: "asc" },
      select: {
        id: true,
        slug: true,
        version: true,
        title: true,
        createdAt: true,
        requiresAcknowledgement: true,
      },
    }),
  ]);
  return {
    approvalRequired: policy.requireRepresentativeApproval,
    policyChanges: changes.map((c) => ({
      id: c.id,
      proposedAt: c.proposedAt,
      settings: Object.keys(JSON.parse(c.after) as object).length,
    })),
    purposes,
    // A draft that must be co-signed before it can be published (under the policy now).
    documents: drafts.filter((d) => needsCosignature(d, policy.requireRepresentativeApproval)),
  };
}
