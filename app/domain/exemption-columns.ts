/**
 * An exemption request as stored (scope and recurrence as comma-separated
 * text) turned into what the rules read.
 */
import { EVENT_TYPES, type EventType } from "#app/agent-protocol/v1.ts";
import {
  WEEKDAYS,
  type ExemptionStatus,
  type Recurrence,
  type StoredExemption,
  type Weekday,
} from "./exemption.ts";

/** An exemption's columns as stored (scope and recurrence as comma-separated text). */
export type ExemptionColumns = {
  id: string;
  status: ExemptionStatus;
  startsAt: Date;
  endsAt: Date;
  endedEarlyAt: Date | null;
  scopeTypes: string | null;
  recurrenceDays: string | null;
  recurrenceStart: string | null;
  recurrenceEnd: string | null;
  timeZone: string;
};

export function fromColumns(row: ExemptionColumns): StoredExemption {
  return {
    id: row.id,
    status: row.status,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    endedEarlyAt: row.endedEarlyAt,
    scopeTypes: parseStoredScope(row.scopeTypes),
    recurrence: parseStoredRecurrence(row),
    timeZone: row.timeZone,
  };
}

/** Parses the stored comma-separated recurrence and scope columns. */
export function parseStoredRecurrence(row: {
  recurrenceDays: string | null;
  recurrenceStart: string | null;
  recurrenceEnd: string | null;
}): Recurrence | null {
  if (!row.recurrenceDays || !row.recurrenceStart || !row.recurrenceEnd) return null;
  const days = row.recurrenceDays
    .split(",")
    .map(Number)
    .filter((d): d is Weekday => (WEEKDAYS as readonly number[]).includes(d));
  return { days, startTime: row.recurrenceStart, endTime: row.recurrenceEnd };
}

export function parseStoredScope(scopeTypes: string | null): EventType[] | null {
  if (!scopeTypes) return null;
  return EVENT_TYPES.filter((t) => scopeTypes.split(",").includes(t));
}
