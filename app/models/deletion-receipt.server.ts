/**
 * Deletion receipts (ADR 0041): every deletion of a worker's data that they
 * caused (a forget, a private application's purge) or that retention made
 * gets a receipt signed with the portal's Ed25519 key, in the deleting
 * transaction, so a deletion without its proof cannot commit.
 */
import { randomUUID } from "node:crypto";
import {
  DELETION_RECEIPT_FORMAT,
  type DeletionReceiptPayload,
  type Receipt,
} from "#app/receipts/receipt.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { signReceiptPayload } from "#app/utils/receipt-signing.server.ts";

export type DeletionFacts = {
  kind: "forget" | "private_app" | "retention" | "erasure";
  from: Date | null;
  to: Date | null;
  app: string | null;
  events: number;
  hourlyRollupRows: number;
  dailyRollupRows: number;
};

const KIND_COLUMN = {
  forget: "FORGET",
  private_app: "PRIVATE_APP",
  retention: "RETENTION",
  erasure: "ERASURE",
} as const;

/** The signed payload of a deletion (a pure step, shared by every deleting path). */
export function deletionPayload(
  receiptId: string,
  worker: { id: string; name: string; email: string },
  facts: DeletionFacts,
  now: Date,
): DeletionReceiptPayload {
  return {
    format: DELETION_RECEIPT_FORMAT,
    receiptId,
    issuer: getEnv().RECEIPT_ISSUER,
    worker: { id: worker.id, name: worker.name, email: worker.email },
    deletion: {
      kind: facts.kind,
      from: facts.from?.toISOString() ?? null,
      to: facts.to?.toISOString() ?? null,
      app: facts.app,
      events: facts.events,
      hourlyRollupRows: facts.hourlyRollupRows,
      dailyRollupRows: facts.dailyRollupRows,
    },
    deletedAt: now.toISOString(),
  };
}

/** Signs and stores the receipt of a deletion, in the deleting transaction `tx`. */
export async function issueDeletionReceipt(
  tx: Tx,
  workerId: string,
  facts: DeletionFacts,
  now: Date,
): Promise<{ id: string; receipt: Receipt<DeletionReceiptPayload> }> {
  const worker = await tx.user.findUniqueOrThrow({
    where: { id: workerId },
    select: { id: true, name: true, email: true },
  });
  const id = randomUUID();
  const receipt = signReceiptPayload(deletionPayload(id, worker, facts, now));
  await tx.deletionReceipt.create({
    data: {
      id,
      workerId,
      kind: KIND_COLUMN[facts.kind],
      spanStart: facts.from,
      spanEnd: facts.to,
      app: facts.app,
      events: facts.events,
      hourlyRollups: facts.hourlyRollupRows,
      dailyRollups: facts.dailyRollupRows,
      createdAt: now,
      receipt: JSON.stringify(receipt),
    },
  });
  return { id, receipt };
}

export const DELETION_RECEIPTS_PAGE_SIZE = 20;

/** The worker's deletion receipts, newest first (a page of them). */
export async function listDeletionReceipts(workerId: string, page = 1) {
  const where = { workerId };
  const [total, rows] = await Promise.all([
    prisma.deletionReceipt.count({ where }),
    prisma.deletionReceipt.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * DELETION_RECEIPTS_PAGE_SIZE,
      take: DELETION_RECEIPTS_PAGE_SIZE,
      select: {
        id: true,
        kind: true,
        spanStart: true,
        spanEnd: true,
        app: true,
        events: true,
        hourlyRollups: true,
        dailyRollups: true,
        createdAt: true,
      },
    }),
  ]);
  return {
    total,
    receipts: rows,
    pageCount: Math.max(1, Math.ceil(total / DELETION_RECEIPTS_PAGE_SIZE)),
  };
}

/** One of the worker's own receipts, as issued; null for anyone else's. */
export async function getOwnDeletionReceipt(workerId: string, receiptId: string) {
  const row = await prisma.deletionReceipt.findFirst({
    where: { id: receiptId, workerId },
    select: { id: true, kind: true, createdAt: true, receipt: true },
  });
  return row
    ? { ...row, receipt: JSON.parse(row.receipt) as Receipt<DeletionReceiptPayload> }
    : null;
}
