/**
 * What an exemption is, for every other exemption module: its reasons and
 * statuses, the weekly recurrence, the shape of a stored request the rules
 * read, and the status in force at a moment (expiry is derived from time,
 * not written by a job). Pure: `now` is passed in.
 */
import type { EventType } from "#app/agent-protocol/v1.ts";

export const EXEMPTION_REASONS = [
  "MEDICAL",
  "LEGAL_OR_HR",
  "UNION_ACTIVITY",
  "PERSONAL_DEVICE",
  "CONFIDENTIAL_WORK",
  "OTHER",
] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

export const EXEMPTION_STATUSES = [
  "PENDING",
  "APPROVED",
  "DENIED",
  "WITHDRAWN",
  "EXPIRED",
  "REVOKED",
] as const;
export type ExemptionStatus = (typeof EXEMPTION_STATUSES)[number];

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type Recurrence = { days: Weekday[]; startTime: string; endTime: string };

/** What the rules need of a stored request. */
export type StoredExemption = {
  id: string;
  status: ExemptionStatus;
  startsAt: Date;
  endsAt: Date;
  endedEarlyAt: Date | null;
  /** null: all collection. */
  scopeTypes: EventType[] | null;
  recurrence: Recurrence | null;
  timeZone: string;
};

/**
 * The status in force at `now`. A pending or approved request whose end has
 * passed is EXPIRED whether or not anything wrote that down.
 */
export function effectiveStatus(
  exemption: Pick<StoredExemption, "status" | "endsAt" | "endedEarlyAt">,
  now: Date,
): ExemptionStatus {
  if (exemption.status === "PENDING" || exemption.status === "APPROVED") {
    if (effectiveEnd(exemption) <= now) return "EXPIRED";
  }
  return exemption.status;
}

/** The end of the request: its own end, or the moment the worker ended it early. */
export function effectiveEnd(exemption: Pick<StoredExemption, "endsAt" | "endedEarlyAt">): Date {
  return exemption.endedEarlyAt && exemption.endedEarlyAt < exemption.endsAt
    ? exemption.endedEarlyAt
    : exemption.endsAt;
}

/**
 * The stored statuses of a request that covered time: approved, and approved
 * then ended or revoked (each up to its early end, `effectiveEnd`). A request
 * marked EXPIRED was approved first (only "end" writes EXPIRED). The one list
 * every reader uses, Prisma queries and the ingestion SQL alike.
 */
export const COVERING_EXEMPTION_STATUSES = ["APPROVED", "EXPIRED", "REVOKED"] as const;

export function coversTime(status: ExemptionStatus): boolean {
  return (COVERING_EXEMPTION_STATUSES as readonly string[]).includes(status);
}
