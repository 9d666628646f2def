/**
 * The facts the collection decision needs about one worker, read once:
 * pauses and covering exemptions from `from` on, forgotten spans (from a
 * week before), private applications, the acknowledgement gate, and whether
 * the account is active. The decision itself is
 * `app/domain/collection-state.ts`; ingestion reads the same facts in SQL
 * (`ingest.server.ts`), held to this by a property test.
 */
import { LIMITS } from "#app/agent-protocol/v1.ts";
import {
  acknowledgementGateHolds,
  MONITORING_NOTICE_SLUG,
} from "#app/domain/acknowledgement-rules.ts";
import type { CollectionInputs } from "#app/domain/collection-state.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { listExemptionsCoveringFor } from "./exemption.server.ts";
import { listPausesOverlappingFor } from "./pause.server.ts";
import { listForgetsFor } from "./forget.server.ts";
import { listPrivateAppPatternsFor } from "./private-app.server.ts";

/**
 * Forgotten spans are read this far back before `from`: an agent may still
 * hold events recorded in them (ADR 0041), so the state lists them.
 */
const FORGET_LOOKBACK_MS = LIMITS.forgetLookbackDays * 24 * 60 * 60 * 1000;

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

export type WorkerCollectionInputs = Required<CollectionInputs> & { stateVersion: number };

/** The worker's collection inputs from `from` on (or null when there is no such worker). */
export async function loadCollectionInputs(
  workerId: string,
  from: Date,
  to: Date = FAR_FUTURE,
  client: Tx = prisma,
): Promise<WorkerCollectionInputs | null> {
  return (await loadCollectionInputsFor([workerId], from, to, client)).get(workerId) ?? null;
}

/**
 * `loadCollectionInputs` for many workers with the same few queries, whatever
 * their number (a change that moves everyone's state reads them in chunks):
 * workers that do not exist are missing from the map.
 */
export async function loadCollectionInputsFor(
  workerIds: readonly string[],
  from: Date,
  to: Date = FAR_FUTURE,
  client: Tx = prisma,
): Promise<Map<string, WorkerCollectionInputs>> {
  const ids = [...new Set(workerIds)];
  const [workers, pauses, exemptions, gate, forgets, privateApps] = await Promise.all([
    client.user.findMany({
      where: { id: { in: ids } },
      select: { id: true, stateVersion: true, deactivatedAt: true },
    }),
    listPausesOverlappingFor(client, ids, from, to),
    listExemptionsCoveringFor(ids, from, to, client),
    readAcknowledgementGate(client),
    listForgetsFor(client, ids, new Date(from.getTime() - FORGET_LOOKBACK_MS), to),
    listPrivateAppPatternsFor(client, ids),
  ]);
  const signed = new Set<string>();
  if (gate.notice && gate.policyRequires && gate.notice.requiresAcknowledgement) {
    const rows = await client.acknowledgement.findMany({
      where: { workerId: { in: ids }, documentId: gate.notice.id },
      select: { workerId: true },
    });
    for (const row of rows) signed.add(row.workerId);
  }
  const inputs = new Map<string, WorkerCollectionInputs>();
  for (const worker of workers) {
    inputs.set(worker.id, {
      pauses: pauses.get(worker.id) ?? [],
      exemptions: exemptions.get(worker.id) ?? [],
      heldForAcknowledgement: acknowledgementGateHolds({
        policyRequires: gate.policyRequires,
        notice: gate.notice,
        signedCurrentNotice: signed.has(worker.id),
      }),
      deactivated: worker.deactivatedAt !== null,
      forgets: forgets.get(worker.id) ?? [],
      privateApps: privateApps.get(worker.id) ?? [],
      stateVersion: worker.stateVersion,
    });
  }
  return inputs;
}
