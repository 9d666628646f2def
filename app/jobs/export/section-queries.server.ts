/**
 * The sections of a worker's records that the export reads through Prisma's
 * model API, the same on both providers: the subject, and the small sections
 * with relations (exemptions, acknowledgements, audit). The rest are read
 * with raw SQL by the provider's reader (export-reader.server.ts).
 */
import { deletionReceiptFileName } from "#app/domain/deletion-receipts.ts";
import { accountSelect } from "#app/models/user.server.ts";
import { type DeletionReceiptPayload, formatReceipt, type Receipt } from "#app/receipts/receipt.ts";
import { prisma } from "#app/utils/db.server.ts";
import { withParsedJson } from "./section-rows.ts";

/** The export's row and the worker whose records it holds. */
export function getExportSubject(exportId: string) {
  return prisma.recordExport.findUniqueOrThrow({
    where: { id: exportId },
    select: { id: true, worker: { select: accountSelect } },
  });
}

export function listExemptionsForExport(workerId: string) {
  return prisma.exemptionRequest.findMany({
    where: { workerId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      reason: true,
      justification: true,
      scopeTypes: true,
      startsAt: true,
      endsAt: true,
      recurrenceDays: true,
      recurrenceStart: true,
      recurrenceEnd: true,
      timeZone: true,
      status: true,
      decisionNote: true,
      decidedAt: true,
      endedEarlyAt: true,
      createdAt: true,
      reviewer: { select: { name: true } },
      history: {
        orderBy: { at: "asc" },
        select: {
          fromStatus: true,
          toStatus: true,
          note: true,
          at: true,
          actor: { select: { name: true } },
        },
      },
    },
  });
}

/** Every document the worker acknowledged, with its text and the signed receipt. */
export async function listAcknowledgementsForExport(workerId: string) {
  const rows = await prisma.acknowledgement.findMany({
    where: { workerId },
    orderBy: { signedAt: "asc" },
    select: {
      id: true,
      signedName: true,
      signedAt: true,
      contentSha256: true,
      receipt: true,
      document: {
        select: { slug: true, version: true, title: true, body: true, publishedAt: true },
      },
    },
  });
  return rows.map((row) => withParsedJson(row, "receipt"));
}

const RECEIPTS_PER_READ = 500;

/**
 * deletion-receipts/: every deletion receipt of the worker (ADR 0041), oldest
 * first, each as the file the portal serves for it (its name and its bytes,
 * `formatReceipt`), so `npm run verify-receipt` accepts it as it is. Read a
 * page at a time: retention issues one an hour to a worker whose data ages out.
 */
export async function* readDeletionReceiptsForExport(
  workerId: string,
): AsyncGenerator<{ name: string; text: string }> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const rows = await prisma.deletionReceipt.findMany({
      where: {
        workerId,
        ...(after
          ? {
              OR: [
                { createdAt: { gt: after.createdAt } },
                { createdAt: after.createdAt, id: { gt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: RECEIPTS_PER_READ,
      select: { id: true, createdAt: true, receipt: true },
    });
    for (const row of rows) {
      const receipt = JSON.parse(row.receipt) as Receipt<DeletionReceiptPayload>;
      yield {
        name: `deletion-receipts/${deletionReceiptFileName(receipt.payload)}`,
        text: formatReceipt(receipt),
      };
    }
    if (rows.length < RECEIPTS_PER_READ) return;
    after = rows[rows.length - 1]!;
  }
}

async function listAuditEvents(
  where: { actorId: string } | { subjectUserId: string; actorId: { not: string } },
) {
  const rows = await prisma.auditEvent.findMany({
    where,
    orderBy: [{ at: "asc" }, { id: "asc" }],
    select: {
      at: true,
      action: true,
      targetType: true,
      targetId: true,
      metadata: true,
      actor: { select: { name: true, role: true } },
    },
  });
  return rows.map((row) => withParsedJson(row, "metadata"));
}

/** access-log.json: what others did about the worker (viewed, exported, decided). */
export function listAccessLogForExport(workerId: string) {
  return listAuditEvents({ subjectUserId: workerId, actorId: { not: workerId } });
}

/** audit.json: what the worker did. */
export function listOwnAuditForExport(workerId: string) {
  return listAuditEvents({ actorId: workerId });
}
