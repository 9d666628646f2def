import { exclusionsOf, type StoredRightsRequest } from "#app/domain/rights-rules.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";

/**
 * For each worker with any standing request: the spans their restrictions
 * (and open erasures) freeze, and whether they object to `purposeKey`
 * (`app/domain/rights-rules.ts`). Workers without requests are absent.
 */
export async function getRightsExclusions(
  purposeKey: string,
  db: Tx | typeof prisma = prisma,
): Promise<Map<string, ReturnType<typeof exclusionsOf>>> {
  const rows = await db.rightsRequest.findMany({
    where: {
      OR: [
        { kind: "RESTRICTION", status: { in: ["OPEN", "ACCEPTED"] }, liftedAt: null },
        { kind: "ERASURE", status: "OPEN" },
        { kind: "OBJECTION", status: "ACCEPTED", liftedAt: null, purposeKey },
      ],
    },
    select: {
      workerId: true,
      kind: true,
      status: true,
      spanStart: true,
      spanEnd: true,
      purposeKey: true,
      liftedAt: true,
    },
  });
  const byWorker = new Map<string, StoredRightsRequest[]>();
  for (const { workerId, ...r } of rows) {
    const list = byWorker.get(workerId) ?? [];
    list.push(r);
    byWorker.set(workerId, list);
  }
  return new Map([...byWorker].map(([id, list]) => [id, exclusionsOf(list, purposeKey)]));
}
