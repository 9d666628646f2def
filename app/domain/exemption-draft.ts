/**
 * Filing an exemption request: the limits of a request and the rules a form
 * schema cannot check alone (the start not past, the policy's longest span,
 * a weekly window that happens). Pure: `now` is passed in.
 */
import { EVENT_TYPES, type EventType } from "#app/agent-protocol/v1.ts";
import type { Recurrence, StoredExemption } from "./exemption.ts";
import { occurrences } from "./exemption-windows.ts";

export const JUSTIFICATION_LIMITS = { min: 20, max: 2000 } as const;
export const MAX_EXEMPTION_DAYS_BOUNDS = { min: 1, max: 365 } as const;
/** A start this far in the past still counts as "now" (the form took a while). */
export const START_SLACK_MS = 5 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

export type ExemptionDraft = {
  startsAt: Date;
  endsAt: Date;
  recurrence: Recurrence | null;
  scopeTypes: EventType[] | null;
  timeZone: string;
};

export type DraftField = "start" | "end" | "recurrenceDays" | "recurrenceEnd" | "scopeTypes";
export type DraftViolation = { field: DraftField; message: string };

/** The rules a form schema cannot check alone: time, the policy's limit, a recurrence that happens. */
export function evaluateExemptionDraft(
  draft: ExemptionDraft,
  { maxExemptionDays, now }: { maxExemptionDays: number; now: Date },
): DraftViolation[] {
  const violations: DraftViolation[] = [];
  if (draft.startsAt.getTime() < now.getTime() - START_SLACK_MS) {
    violations.push({ field: "start", message: "The start is in the past. Choose now or later." });
  }
  if (draft.endsAt <= draft.startsAt) {
    violations.push({ field: "end", message: "The end must be after the start." });
  } else if (draft.endsAt.getTime() - draft.startsAt.getTime() > maxExemptionDays * DAY_MS) {
    violations.push({
      field: "end",
      message: `An exemption can span at most ${maxExemptionDays} days; ask again for the time after.`,
    });
  }
  if (draft.scopeTypes !== null && draft.scopeTypes.length === 0) {
    violations.push({ field: "scopeTypes", message: "Choose at least one kind of data." });
  }
  if (draft.recurrence) {
    const { startTime, endTime } = draft.recurrence;
    if (endTime <= startTime) {
      violations.push({
        field: "recurrenceEnd",
        message: "The weekly window must end after it starts on the same day.",
      });
    } else if (violations.length === 0) {
      const probe: StoredExemption = {
        id: "draft",
        status: "APPROVED",
        endedEarlyAt: null,
        ...draft,
      };
      if (occurrences(probe, draft.startsAt, draft.endsAt).length === 0) {
        violations.push({
          field: "recurrenceDays",
          message: "None of the chosen days falls between the start and the end.",
        });
      }
    }
  }
  return violations;
}

export function normalizeScope(types: readonly string[] | null): EventType[] | null {
  if (types === null) return null;
  const chosen = EVENT_TYPES.filter((t) => types.includes(t));
  return chosen.length === EVENT_TYPES.length ? null : chosen;
}
