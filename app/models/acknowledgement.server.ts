import { randomUUID } from "node:crypto";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { Prisma } from "#app/generated/prisma/client.ts";
import {
  RECEIPT_FORMAT,
  type AcknowledgementReceiptPayload,
  type Receipt,
} from "#app/receipts/receipt.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { signReceiptPayload } from "#app/utils/receipt-signing.server.ts";
import { getCurrentDocument } from "./policy-document.server.ts";

export type SignResult =
  | { ok: true; acknowledgementId: string; alreadySigned: boolean }
  /** `not_found`, or `not_current`: a newer version was published meanwhile. */
  | Refused;

/**
 * Records a worker's acknowledgement of the current version of a document,
 * with a receipt signed by the portal, in one transaction. Signing the same
 * version again stores nothing new and returns the first acknowledgement.
 * The caller has checked the form (tick, matching name).
 */
export async function signDocument({
  worker,
  documentId,
  signedName,
  ip,
  userAgent,
  now,
}: {
  worker: { id: string; name: string; email: string };
  documentId: string;
  signedName: string;
  ip: string | null;
  userAgent: string | null;
  now: Date;
}): Promise<SignResult> {
  try {
    return await runCommand(now, async ({ tx, audit, touchWorker }): Promise<SignResult> => {
      const doc = await tx.policyDocument.findFirst({
        where: { id: documentId, publishedAt: { not: null } },
        select: {
          id: true,
          slug: true,
          version: true,
          title: true,
          contentSha256: true,
          cosignedAt: true,
          cosignedBy: { select: { name: true } },
        },
      });
      if (!doc || !doc.contentSha256) {
        return refuse("not_found", "No such document.");
      }
      const current = await getCurrentDocument(doc.slug, tx);
      if (current?.id !== doc.id) {
        return refuse(
          "not_current",
          "A newer version of this document has been published; read and sign that one.",
        );
      }
      const existing = await tx.acknowledgement.findUnique({
        where: { workerId_documentId: { workerId: worker.id, documentId } },
        select: { id: true },
      });
      if (existing) return { ok: true, acknowledgementId: existing.id, alreadySigned: true };

      const id = randomUUID();
      const receipt = signReceiptPayload({
        format: RECEIPT_FORMAT,
        acknowledgementId: id,
        issuer: getEnv().RECEIPT_ISSUER,
        worker: { id: worker.id, name: worker.name, email: worker.email },
        document: {
          slug: doc.slug,
          version: doc.version,
          title: doc.title,
          contentSha256: doc.contentSha256,
        },
        signedName: signedName.trim().replace(/\s+/g, " "),
        signedAt: now.toISOString(),
        // The representative's co-signature of this version travels with the receipt (ADR 0042).
        ...(doc.cosignedAt && doc.cosignedBy
          ? {
              cosignedBy: {
                name: doc.cosignedBy.name,
                role: "representative" as const,
                at: doc.cosignedAt.toISOString(),
              },
            }
          : {}),
      });
      await tx.acknowledgement.create({
        data: {
          id,
          workerId: worker.id,
          documentId,
          contentSha256: doc.contentSha256,
          signedName: receipt.payload.signedName,
          signedAt: now,
          ip,
          userAgent: userAgent?.slice(0, 500) ?? null,
          receipt: JSON.stringify(receipt),
        },
      });
      await audit({
        actorId: worker.id,
        subjectUserId: worker.id,
        action: "acknowledgement.sign",
        targetType: "Acknowledgement",
        targetId: id,
        metadata: { slug: doc.slug, version: doc.version },
      });
      // Signing the monitoring notice may lift the acknowledgement gate.
      if (doc.slug === MONITORING_NOTICE_SLUG) touchWorker(worker.id);
      return { ok: true, acknowledgementId: id, alreadySigned: false };
    });
  } catch (error) {
    // Two tabs signing at once: the unique (worker, document) index keeps one.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const first = await prisma.acknowledgement.findUniqueOrThrow({
        where: { workerId_documentId: { workerId: worker.id, documentId } },
        select: { id: true },
      });
      return { ok: true, acknowledgementId: first.id, alreadySigned: true };
    }
    throw error;
  }
}

/** A worker's own acknowledgement with its receipt; null for anyone else's. */
export async function getOwnAcknowledgement(workerId: string, id: string) {
  const ack = await prisma.acknowledgement.findFirst({
    where: { id, workerId },
    select: {
      id: true,
      signedName: true,
      signedAt: true,
      contentSha256: true,
      receipt: true,
      document: { select: { slug: true, version: true, title: true, body: true } },
    },
  });
  if (!ack) return null;
  return { ...ack, receipt: JSON.parse(ack.receipt) as Receipt<AcknowledgementReceiptPayload> };
}

/** The worker's acknowledgements, newest first. */
export function listOwnAcknowledgements(workerId: string) {
  return prisma.acknowledgement.findMany({
    where: { workerId },
    orderBy: { signedAt: "desc" },
    select: {
      id: true,
      signedAt: true,
      document: { select: { slug: true, version: true, title: true } },
    },
  });
}

/** The body of the version the worker last signed of `slug`, to show what changed since. */
export async function lastSignedVersion(workerId: string, slug: string) {
  const ack = await prisma.acknowledgement.findFirst({
    where: { workerId, document: { slug } },
    orderBy: { document: { version: "desc" } },
    select: { document: { select: { version: true, title: true, body: true } } },
  });
  return ack?.document ?? null;
}
