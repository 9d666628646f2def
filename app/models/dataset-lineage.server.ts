/**
 * Lineage (ADR 0043): which AI-training datasets hold a worker's events, so
 * an erasure, a restriction or an objection can be carried to the datasets
 * already built. The worker reads their own; the privacy office reads
 * anyone's only naming a purpose (the route audits it).
 */
import { prisma } from "#app/utils/db.server.ts";

/** Every dataset holding `workerId`'s events, newest first, with their pseudonym in it. */
export function listDatasetsHolding(workerId: string) {
  return prisma.datasetMember.findMany({
    where: { workerId, dataset: { status: "COMPLETE" } },
    orderBy: [{ dataset: { finishedAt: "desc" } }, { datasetId: "asc" }],
    select: {
      pseudonym: true,
      events: true,
      firstAt: true,
      lastAt: true,
      dataset: {
        select: {
          id: true,
          name: true,
          rangeStart: true,
          rangeEnd: true,
          finishedAt: true,
          fileDeletedAt: true,
          purpose: { select: { key: true, name: true } },
        },
      },
    },
  });
}
export type DatasetHolding = Awaited<ReturnType<typeof listDatasetsHolding>>[number];

/** The person the privacy office looks up by email (any role: staff are workers too). */
export function findPersonByEmail(email: string) {
  return prisma.user.findUnique({ where: { email }, select: { id: true, name: true } });
}
