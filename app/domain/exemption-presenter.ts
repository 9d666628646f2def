/**
 * How an exemption request reads on screen: for the worker in their own time
 * zone; for staff in the worker's zone, named, with staff's own clock beside it.
 * Pure.
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
import { formatInTwoZones } from "./two-zone-time.ts";

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
  /** For staff: the period and the filing on their own clock, when it reads otherwise. */
  periodYours?: string | null;
  filedYours?: string | null;
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

/**
 * A request as staff read it: every time in the zone the worker filed it in
 * (the one its weekly schedule runs in), named, and `…Yours` on the reviewer's
 * clock when that reads otherwise.
 */
export function presentExemptionForStaff(
  row: ExemptionRow,
  now: Date,
  viewerZone: string,
): PresentedExemption {
  const zones = { worker: row.timeZone, viewer: viewerZone };
  const period = formatInTwoZones({ start: row.startsAt, end: row.endsAt }, zones, now);
  const filed = formatInTwoZones({ start: row.createdAt }, zones, now);
  return {
    ...presentExemption(row, now, row.timeZone),
    period: period.worker,
    periodYours: period.yours,
    filed: filed.worker,
    filedYours: filed.yours,
  };
}

export type TimelineEntry = {
  key: string;
  when: string;
  /** For staff: the same moment on their own clock, when it reads otherwise. */
  whenYours?: string | null;
  label: string;
  who: string | null;
  note: string | null;
};

/**
 * The request's history as stored, plus the expiry that time alone brought
 * about (never written down, see effectiveStatus). With `viewerZone` (staff),
 * times read as in `presentExemptionForStaff`.
 */
export function presentTimeline(
  row: Pick<ExemptionRow, "status" | "endsAt" | "endedEarlyAt" | "timeZone">,
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
  viewerZone?: string,
): TimelineEntry[] {
  const when = (at: Date): Pick<TimelineEntry, "when" | "whenYours"> => {
    if (viewerZone === undefined) return { when: formatDateTime(at, timeZone) };
    const text = formatInTwoZones({ start: at }, { worker: timeZone, viewer: viewerZone }, now);
    return { when: text.worker, whenYours: text.yours };
  };
  const entries: TimelineEntry[] = history.map((h) => ({
    key: h.id,
    ...when(h.at),
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
      ...when(effectiveEnd(row)),
      label: "Expired",
      who: null,
      note: row.status === "PENDING" ? "Its end passed before anyone decided." : "Its end passed.",
    });
  }
  return entries;
}

/**
 * The decision a reviewer made on a request, from its stored status: an
 * approved exemption the worker later ended early (stored EXPIRED) was approved.
 */
export function decidedStatus(status: ExemptionStatus): ExemptionStatus {
  return status === "EXPIRED" ? "APPROVED" : status;
}
