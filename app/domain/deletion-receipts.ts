/**
 * Deletion receipts in words (ADR 0041), for the pages that show one.
 * Pure: the signed payload's `deletion` in, a sentence out (times as signed, UTC).
 */
import type { DeletionReceiptPayload } from "#app/receipts/receipt.ts";

export type Deletion = DeletionReceiptPayload["deletion"];

export const DELETION_KIND_LABELS: Record<Deletion["kind"], string> = {
  forget: "Forgotten span",
  private_app: "Private application",
  retention: "Retention",
};

export function describeDeletion(d: Deletion): string {
  switch (d.kind) {
    case "forget":
      return `Everything recorded from ${d.from} to ${d.to}, which you asked to forget`;
    case "private_app":
      return `Every stored event of the private application "${d.app}"`;
    case "retention":
      return `Data recorded before ${d.to}, past the retention period`;
  }
}
