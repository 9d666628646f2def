/**
 * The facts the collection decision needs about one worker, read once:
 * pauses and covering exemptions from `from` on, the acknowledgement gate,
 * and whether the account is active. The decision itself is
 * `app/domain/collection-state.ts`; ingestion reads the same facts in SQL
 * (`ingest.server.ts`), held to this by a property test.
 */
import {
  acknowledgementGateHolds,
  MONITORING_NOTICE_SLUG,
} from "#app/domain/acknowledgement-rules.ts";
import type { CollectionInputs } from "#app/domain/collection-state.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { listExemptionsCovering } from "./exemption.server.ts";
import { listPausesOverlapping } from "./pause.server.ts";

// The last instant SQLite's date text and Prisma both handle (8.64e15 ms does not serialise).
const FAR_FUTURE = new Date("9999-12-31T23:59:59.999Z");

/** The organisation's side of the acknowledgement gate: the policy and the current notice. */
export async function readAcknowledgementGate(client: Tx = prisma) {
  const [policy, notice] = await Promise.all([
    client.policy.findUniqueOrThrow({
      where: { id: 1 },
      select: { requireAcknowledgementBeforeCollection: true },
    }),
    client.policyDocument.findFirst({
      where: { slug: MONITORING_NOTICE_SLUG, publishedAt: { not: null } },
      orderBy: { version: "desc" },
      select: { id: true, requiresAcknowledgement: true },
    }),
  ]);
  return { policyRequires: policy.requireAcknowledgementBeforeCollection, notice };
}

/** Whether the acknowledgement gate holds this worker's collection now. */
export async function isHeldForAcknowledgement(workerId: string, client: Tx = prisma) {
  const { policyRequires, notice } = await readAcknowledgementGate(client);
  const signed = notice
    ? (await client.acknowledgement.count({ where: { workerId, documentId: notice.id } })) > 0
    : false;
  return acknowledgementGateHolds({
    policyRequires,
    notice,
    signedCurrentNotice: signed,
  });
}

/** The worker's collection inputs from `from` on (or null when there is no such worker). */
export async function loadCollectionInputs(
  workerId: string,
  from: Date,
  to: Date = FAR_FUTURE,
  client: Tx = prisma,
): Promise<(Required<CollectionInputs> & { stateVersion: number }) | null> {
  const [worker, pauses, exemptions, heldForAcknowledgement] = await Promise.all([
    client.user.findUnique({
      where: { id: workerId },
      select: { stateVersion: true, deactivatedAt: true },
    }),
    listPausesOverlapping(client, workerId, from, to),
    listExemptionsCovering(workerId, from, to, client),
    isHeldForAcknowledgement(workerId, client),
  ]);
  if (!worker) return null;
  return {
    pauses: pauses.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()),
    exemptions,
    heldForAcknowledgement,
    deactivated: worker.deactivatedAt !== null,
    stateVersion: worker.stateVersion,
  };
}
