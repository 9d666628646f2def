/**
 * Helpers for the dataset tests (ADR 0043): a published monitoring notice,
 * workers who acknowledged it, and events stored directly (as ingestion
 * would have kept them), so a build has something to hold and to leave out.
 */
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import { signDocument } from "#app/models/acknowledgement.server.ts";
import { createDraft, publishDraft } from "#app/models/policy-document.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";

/** Publishes a new version of the monitoring notice; returns its id. */
export async function publishNotice(now = new Date()): Promise<string> {
  const admin = await createUser({ role: "ADMIN", name: "Notice Admin" });
  const draft = await createDraft(
    {
      slug: MONITORING_NOTICE_SLUG,
      title: "Notice of electronic monitoring",
      body: "What the agent collects, and why. Long enough to be a document.",
      summaryOfChanges: null,
      requiresAcknowledgement: true,
    },
    admin.id,
    now,
  );
  if (!draft.ok) throw new Error(draft.refusal.message);
  const published = await publishDraft(draft.id, admin.id, now);
  if (!published.ok) throw new Error(published.refusal.message);
  return draft.id;
}

export async function acknowledge(
  worker: { id: string; name: string; email: string },
  noticeId: string,
  now = new Date(),
) {
  const signed = await signDocument({
    worker,
    documentId: noticeId,
    signedName: worker.name,
    ip: null,
    userAgent: null,
    now,
  });
  if (!signed.ok) throw new Error(signed.refusal.message);
}

export type StoredEvent = { at: Date; type: string; app: string };

/** A worker (who acknowledged `noticeId`, unless told otherwise) with one device. */
export async function datasetWorker(
  noticeId: string | null,
  name = "Dataset Person",
): Promise<{ id: string; name: string; email: string; deviceId: string }> {
  const user = await createUser({ name, timezone: "UTC" });
  const device = await createDevice(user.id);
  if (noticeId) await acknowledge(user, noticeId);
  return { id: user.id, name: user.name, email: user.email, deviceId: device.id };
}

export async function storeEvents(
  worker: { id: string; deviceId: string },
  events: readonly StoredEvent[],
) {
  if (events.length === 0) return;
  await prisma.event.createMany({
    data: events.map((e) => ({
      workerId: worker.id,
      deviceId: worker.deviceId,
      type: e.type,
      at: e.at,
      app: e.app,
      data: JSON.stringify({ count: 1 }),
    })),
  });
}
