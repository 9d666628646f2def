/**
 * The words people read for exemptions: reasons, statuses, weekdays, kinds
 * of data, and a request's scope and weekly recurrence as sentences.
 */
import type { EventType } from "#app/agent-protocol/v1.ts";
import type { ExemptionReason, ExemptionStatus, Recurrence, Weekday } from "./exemption.ts";

export const REASON_LABELS: Record<ExemptionReason, string> = {
  MEDICAL: "Medical",
  LEGAL_OR_HR: "Legal or HR matter",
  UNION_ACTIVITY: "Union activity",
  PERSONAL_DEVICE: "Personal device",
  CONFIDENTIAL_WORK: "Confidential work",
  OTHER: "Other",
};

export const STATUS_LABELS: Record<ExemptionStatus, string> = {
  PENDING: "Pending",
  APPROVED: "Approved",
  DENIED: "Denied",
  WITHDRAWN: "Withdrawn",
  EXPIRED: "Expired",
  REVOKED: "Revoked",
};

export const WEEKDAY_LABELS: Record<Weekday, string> = {
  1: "Monday",
  2: "Tuesday",
  3: "Wednesday",
  4: "Thursday",
  5: "Friday",
  6: "Saturday",
  7: "Sunday",
};

/** "Every Tuesday and Thursday, 14:00–16:00" */
export function describeRecurrence(recurrence: Recurrence): string {
  const names = recurrence.days.map((d) => WEEKDAY_LABELS[d]);
  const list =
    names.length <= 1
      ? (names[0] ?? "")
      : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `Every ${list}, ${recurrence.startTime}–${recurrence.endTime}`;
}

export const EVENT_TYPE_LABELS: Record<EventType, string> = {
  keystroke: "Keystrokes",
  click: "Mouse clicks",
  scroll: "Scrolling",
  app_focus: "Which application is in front",
};

/** One event's type in a list: short words, never the protocol's names. */
export const EVENT_TYPE_SHORT_LABELS: Record<EventType, string> = {
  keystroke: "Keystroke",
  click: "Mouse click",
  scroll: "Scroll",
  app_focus: "Application switch",
};

/** A stored type's short label (a type Lull does not know stays as it was stored). */
export function eventTypeLabel(type: string): string {
  return (EVENT_TYPE_SHORT_LABELS as Record<string, string>)[type] ?? type;
}

export function describeScope(types: readonly EventType[] | null): string {
  if (!types) return "All collection";
  return types.map((t) => EVENT_TYPE_LABELS[t]).join(", ");
}
