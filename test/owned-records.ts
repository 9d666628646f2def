/**
 * One of each record a worker owns and a URL can name, made through the
 * app's own models where they exist: a signed acknowledgement of a published
 * document, an exemption request with an unread notification about it, an
 * enrolled device (with its bearer token) and one of its events, a deletion
 * receipt (of a forget), a finished records export, a scheduled pause, and an open rights
 * request (an objection to AI training). The route tests fill path
 * parameters with these ids.
 */
import { runNextExport } from "#app/jobs/export-runner.server.ts";
import { signDocument } from "#app/models/acknowledgement.server.ts";
import { forgetRecent } from "#app/models/forget.server.ts";
import { createDraft, publishDraft } from "#app/models/policy-document.server.ts";
import { requestExport } from "#app/models/record-export.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { enrollThroughApi } from "./agent-enrollment.ts";

const HOUR = 3_600_000;

export async function createOwnedRecords({
  workerId,
  adminId,
  slug,
}: {
  workerId: string;
  /** Who publishes the document. */
  adminId: string;
  /** The document's slug (unique within the test file). */
  slug: string;
}) {
  const now = new Date();
  const worker = await prisma.user.findUniqueOrThrow({ where: { id: workerId } });
  const draft = await createDraft(
    {
      slug,
      title: "Handbook",
      body: "What Lull collects, and why. Long enough to be a document.",
      summaryOfChanges: null,
      requiresAcknowledgement: true,
    },
    adminId,
    now,
  );
  if (!draft.ok) throw new Error(draft.refusal.message);
  const published = await publishDraft(draft.id, adminId, now);
  if (!published.ok) throw new Error(published.refusal.message);
  const signed = await signDocument({
    worker: { id: worker.id, name: worker.name, email: worker.email },
    documentId: draft.id,
    signedName: worker.name,
    ip: null,
    userAgent: null,
    now,
  });
  if (!signed.ok) throw new Error(signed.refusal.message);

  const exemption = await prisma.exemptionRequest.create({
    data: {
      workerId,
      reason: "MEDICAL",
      justification: "Physiotherapy appointments after my knee surgery.",
      startsAt: new Date(now.getTime() + 24 * HOUR),
      endsAt: new Date(now.getTime() + 48 * HOUR),
      timeZone: worker.timezone,
      history: { create: { toStatus: "PENDING", actorId: workerId } },
    },
  });
  await prisma.notification.create({
    data: {
      userId: workerId,
      title: "Your request",
      body: "About your exemption request.",
      href: `/exemptions/${exemption.id}`,
    },
  });
  const pause = await prisma.pause.create({
    data: {
      workerId,
      kind: "SCHEDULED",
      startsAt: new Date(now.getTime() + 3 * HOUR),
      endsAt: new Date(now.getTime() + 3 * HOUR + 15 * 60_000),
    },
  });

  const rights = await prisma.rightsRequest.create({
    data: {
      workerId,
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
      timeZone: worker.timezone,
      createdAt: now,
      dueAt: new Date(now.getTime() + 30 * 24 * HOUR),
      firstDueAt: new Date(now.getTime() + 30 * 24 * HOUR),
    },
  });

  const device = await enrollThroughApi({ id: workerId });
  const event = await prisma.event.create({
    data: {
      workerId,
      deviceId: device.deviceId,
      type: "click",
      at: new Date(now.getTime() - HOUR),
      app: "Editor",
    },
  });

  const forgot = await forgetRecent({ workerId, timeZone: worker.timezone, minutes: 5, now });
  if (!forgot.ok) throw new Error(forgot.refusal.message);

  const queued = await requestExport({ workerId, requester: { id: workerId }, reason: null, now });
  if (!queued.ok) throw new Error(queued.refusal.message);
  await runNextExport();
  const exported = await prisma.recordExport.findUniqueOrThrow({ where: { id: queued.id } });
  if (exported.status !== "COMPLETE") throw new Error(`The export is ${exported.status}.`);

  return {
    documentId: draft.id,
    slug,
    acknowledgementId: signed.acknowledgementId,
    exemptionId: exemption.id,
    pauseId: pause.id,
    deviceId: device.deviceId,
    deviceToken: device.token,
    eventId: event.id,
    exportId: queued.id,
    receiptId: forgot.receiptId,
    rightsRequestId: rights.id,
  };
}
