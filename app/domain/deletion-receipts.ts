/**
 * Deletion receipts in words (ADR 0041), for the pages that show one.
 * Pure: the signed payload's `deletion` in, a sentence out (times as signed, UTC).
 */
import { countOf, formatCount } from "./formatting.ts";
import type { DeletionReceiptPayload } from "#app/receipts/receipt.ts";
import { formatDateTime } from "./local-time.ts";

export type Deletion = DeletionReceiptPayload["deletion"];

export const DELETION_KIND_LABELS: Record<Deletion["kind"], string> = {
  forget: "Forgotten span",
  private_app: "Private application",
  retention: "Retention",
  erasure: "Erasure request",
};

export function describeDeletion(d: Deletion): string {
  switch (d.kind) {
    case "forget":
      return `Everything recorded from ${d.from} to ${d.to}, which you asked to forget`;
    case "private_app":
      return `Every stored event of the private application "${d.app}"`;
    case "retention":
      return `Data recorded before ${d.to}, past the retention period`;
    case "erasure":
      return `Everything recorded from ${d.from} to ${d.to}, which you asked to erase`;
  }
}

/**
 * The receipt's file name, the same for the download and in the records
 * export: its kind, the UTC day of the deletion and its id, which is unique.
 */
export function deletionReceiptFileName(receipt: {
  receiptId: string;
  deletion: Pick<Deletion, "kind">;
  deletedAt: string;
}): string {
  const kind = receipt.deletion.kind.replace("_", "-");
  return `lull-deletion-receipt-${kind}-${receipt.deletedAt.slice(0, 10)}-${receipt.receiptId}.json`;
}

/** A stored receipt's facts (the columns beside the signed JSON). */
export type DeletionRow = {
  kind: "FORGET" | "PRIVATE_APP" | "RETENTION" | "ERASURE";
  spanStart: Date | null;
  spanEnd: Date | null;
  app: string | null;
  events: number;
  hourlyRollups: number;
  dailyRollups: number;
};

export const DELETION_KIND_OF_COLUMN = {
  FORGET: "forget",
  PRIVATE_APP: "private_app",
  RETENTION: "retention",
  ERASURE: "erasure",
} as const satisfies Record<DeletionRow["kind"], Deletion["kind"]>;

/** What a deletion covered, for the worker's list: times in their zone. */
export function describeDeletionFor(row: DeletionRow, timeZone: string): string {
  const at = (d: Date | null) => (d ? formatDateTime(d, timeZone) : "?");
  switch (row.kind) {
    case "FORGET":
      return `The span from ${at(row.spanStart)} to ${at(row.spanEnd)}, which you asked to forget`;
    case "PRIVATE_APP":
      return `Every stored event of the private application "${row.app ?? ""}"`;
    case "RETENTION":
      return `Data recorded before ${at(row.spanEnd)}, past the retention period`;
    case "ERASURE":
      return `The span from ${at(row.spanStart)} to ${at(row.spanEnd)}, which you asked to erase`;
  }
}

/** "5 events, 3 hourly and 2 daily rollup rows". */
export function describeDeletedCounts(row: DeletionRow): string {
  return `${countOf(row.events, "event")}, ${formatCount(row.hourlyRollups)} hourly and ${countOf(row.dailyRollups, "daily rollup row")}`;
}
