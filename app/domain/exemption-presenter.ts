/**
 * How an exemption request reads on screen, in the viewer's time zone. Pure.
 */
import {
  effectiveEnd,
  effectiveStatus,
  type ExemptionReason,
  type ExemptionStatus,
} from "./exemption.ts";
import {
  describeRecurrence,
  describeScope,
  REASON_LABELS,
  STATUS_LABELS,
} from "./exemption-labels.ts";
import {
  parseStoredRecurrence,
  parseStoredScope,
  type ExemptionColumns,
} from "./exemption-columns.ts";
import { formatDateTime } from "./local-time.ts";

export type ExemptionRow = ExemptionColumns & { reason: ExemptionReason; createdAt: Date };

export type PresentedExemption = {
  id: string;
  reason: string;
  status: ExemptionStatus;
  statusLabel: string;
  period: string;
  schedule: string;
  scope: string;
  filed: string;
  /** Whole days since filing, for the review queue. */
  ageDays: number;
};

export function presentExemption(
  row: ExemptionRow,
  now: Date,
  timeZone: string,
): PresentedExemption {
  const status = effectiveStatus(row, now);
  const recurrence = parseStoredRecurrence(row);
  return {
    id: row.id,
    reason: REASON_LABELS[row.reason],
    status,
    statusLabel: STATUS_LABELS[status],
    period: `${formatDateTime(row.startsAt, timeZone)} – ${formatDateTime(row.endsAt, timeZone)}`,
    schedule: recurrence
      ? `${describeRecurrence(recurrence)} (${row.timeZone})`
      : "The whole period, continuously",
    scope: describeScope(parseStoredScope(row.scopeTypes)),
    filed: formatDateTime(row.createdAt, timeZone),
    ageDays: Math.max(0, Math.floor((now.getTime() - row.createdAt.getTime()) / 86_400_000)),
  };
}

export type TimelineEntry = {
  key: string;
  when: string;
  label: string;
  who: string | null;
  note: string | null;
};

/**
 * The request's history as stored, plus the expiry that time alone brought
 * about (never written down, see effectiveStatus).
 */
export function presentTimeline(
  row: Pick<ExemptionRow, "status" | "endsAt" | "endedEarlyAt">,
  history: readonly {
    id: string;
    fromStatus: ExemptionStatus | null;
    toStatus: ExemptionStatus;
    note: string | null;
    at: Date;
    actor: { name: string } | null;
  }[],
  now: Date,
  timeZone: string,
): TimelineEntry[] {
  const entries: TimelineEntry[] = history.map((h) => ({
    key: h.id,
    when: formatDateTime(h.at, timeZone),
    label:
      h.fromStatus === null
        ? "Requested"
        : h.fromStatus === "APPROVED" && h.toStatus === "EXPIRED"
          ? "Ended early"
          : STATUS_LABELS[h.toStatus],
    who: h.actor?.name ?? null,
    note: h.note,
  }));
  if (effectiveStatus(row, now) === "EXPIRED" && row.status !== "EXPIRED") {
    entries.push({
      key: "expired",
      when: formatDateTime(effectiveEnd(row), timeZone),
      label: "Expired",
      who: null,
      note: row.status === "PENDING" ? "Its end passed before anyone decided." : "Its end passed.",
    });
  }
  return entries;
}
