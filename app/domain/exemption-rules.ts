/**
 * The rules for exemptions, in one pure module: which requests may be filed,
 * which status changes are allowed and by whom, and which time windows an
 * approved exemption covers (weekly recurrences expanded in the worker's
 * time zone, DST included). No I/O, no clock: `now` is passed in.
 */
import { EVENT_TYPES, type EventType } from "#app/agent-protocol/v1.ts";
import { localDateKey, localToUtc, nextDateKey } from "./local-time.ts";
import type { Interval } from "./pause-policy.ts";

export const EXEMPTION_REASONS = [
  "MEDICAL",
  "LEGAL_OR_HR",
  "UNION_ACTIVITY",
  "PERSONAL_DEVICE",
  "CONFIDENTIAL_WORK",
  "OTHER",
] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

export const REASON_LABELS: Record<ExemptionReason, string> = {
  MEDICAL: "Medical",
  LEGAL_OR_HR: "Legal or HR matter",
  UNION_ACTIVITY: "Union activity",
  PERSONAL_DEVICE: "Personal device",
  CONFIDENTIAL_WORK: "Confidential work",
  OTHER: "Other",
};

export const EXEMPTION_STATUSES = [
  "PENDING",
  "APPROVED",
  "DENIED",
  "WITHDRAWN",
  "EXPIRED",
  "REVOKED",
] as const;
export type ExemptionStatus = (typeof EXEMPTION_STATUSES)[number];

export const STATUS_LABELS: Record<ExemptionStatus, string> = {
  PENDING: "Pending",
  APPROVED: "Approved",
  DENIED: "Denied",
  WITHDRAWN: "Withdrawn",
  EXPIRED: "Expired",
  REVOKED: "Revoked",
};

export const JUSTIFICATION_LIMITS = { min: 20, max: 2000 } as const;
export const MAX_EXEMPTION_DAYS_BOUNDS = { min: 1, max: 365 } as const;
/** A start this far in the past still counts as "now" (the form took a while). */
export const START_SLACK_MS = 5 * 60 * 1000;

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_LABELS: Record<Weekday, string> = {
  1: "Monday",
  2: "Tuesday",
  3: "Wednesday",
  4: "Thursday",
  5: "Friday",
  6: "Saturday",
  7: "Sunday",
};

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

const DAY_MS = 24 * 60 * 60 * 1000;

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

/** ISO weekday (1–7) of a calendar date "2026-11-27". */
export function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return (day === 0 ? 7 : day) as Weekday;
}

/**
 * The instant the wall clock reads `time` on `date`. Across DST: a reading the
 * clocks skip moves to the first minute that exists after it; a reading they
 * pass twice takes the earlier for a start and the later for an end, so the
 * window only ever grows (the worker's side).
 */
export function wallTimeToUtc(
  date: string,
  time: string,
  timeZone: string,
  edge: "start" | "end",
): Date {
  const prefer = edge === "start" ? "earlier" : "later";
  const direct = localToUtc(date, time, timeZone, prefer);
  if (direct.ok) return direct.instant;
  const [h, m] = time.split(":").map(Number) as [number, number];
  for (let minutes = h * 60 + m + 1; minutes < 24 * 60; minutes++) {
    const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
    const mm = String(minutes % 60).padStart(2, "0");
    const result = localToUtc(date, `${hh}:${mm}`, timeZone, prefer);
    if (result.ok) return result.instant;
  }
  throw new Error(`No instant at or after ${date} ${time} exists in ${timeZone}`);
}

/**
 * The intervals an exemption covers within [from, to): the whole request, or
 * each weekly occurrence (clipped to the request's own start and end).
 * Covers nothing unless it is or was approved.
 */
export function occurrences(exemption: StoredExemption, from: Date, to: Date): Interval[] {
  if (!coversTime(exemption.status)) return [];
  const start = exemption.startsAt;
  const end = effectiveEnd(exemption);
  const lo = Math.max(start.getTime(), from.getTime());
  const hi = Math.min(end.getTime(), to.getTime());
  if (lo >= hi) return [];
  if (!exemption.recurrence) return [{ start: new Date(lo), end: new Date(hi) }];

  const { days, startTime, endTime } = exemption.recurrence;
  const wanted = new Set<number>(days);
  const result: Interval[] = [];
  // Local days from the day before `lo` (an occurrence may start before it) to the day of `hi`.
  let date = localDateKey(new Date(lo - DAY_MS), exemption.timeZone);
  const lastDate = localDateKey(new Date(hi), exemption.timeZone);
  for (let guard = 0; guard < 800; guard++) {
    if (wanted.has(weekdayOf(date))) {
      const s = wallTimeToUtc(date, startTime, exemption.timeZone, "start").getTime();
      const e = wallTimeToUtc(date, endTime, exemption.timeZone, "end").getTime();
      const clippedStart = Math.max(s, lo);
      const clippedEnd = Math.min(e, hi);
      if (clippedStart < clippedEnd) {
        result.push({ start: new Date(clippedStart), end: new Date(clippedEnd) });
      }
    }
    if (date === lastDate) break;
    date = nextDateKey(date);
  }
  return result;
}

/** An interval that stops collection of some (or all: `types` null) event types. */
export type ScopedInterval = Interval & { types: EventType[] | null };

/** Every exempt interval of these exemptions within [from, to) (those that cover time), merged per scope. */
export function exemptIntervals(
  exemptions: readonly StoredExemption[],
  from: Date,
  to: Date,
): ScopedInterval[] {
  const scoped: ScopedInterval[] = [];
  for (const exemption of exemptions) {
    for (const interval of occurrences(exemption, from, to)) {
      scoped.push({ ...interval, types: exemption.scopeTypes });
    }
  }
  return mergeScoped(scoped);
}

function scopeKey(types: readonly EventType[] | null): string {
  return types ? [...types].sort().join(",") : "*";
}

/**
 * Overlapping or touching intervals with the same scope become one; different
 * scopes stay apart (an agent checks each against the event type).
 */
export function mergeScoped(intervals: readonly ScopedInterval[]): ScopedInterval[] {
  const byScope = new Map<string, ScopedInterval[]>();
  for (const interval of intervals) {
    if (interval.end <= interval.start) continue;
    const key = scopeKey(interval.types);
    const list = byScope.get(key) ?? [];
    list.push(interval);
    byScope.set(key, list);
  }
  const merged: ScopedInterval[] = [];
  for (const list of byScope.values()) {
    list.sort((a, b) => a.start.getTime() - b.start.getTime());
    let current: ScopedInterval | null = null;
    for (const interval of list) {
      if (current && interval.start.getTime() <= current.end.getTime()) {
        if (interval.end > current.end) current.end = interval.end;
      } else {
        current = {
          start: interval.start,
          end: interval.end,
          types: interval.types ? [...interval.types].sort() : null,
        };
        merged.push(current);
      }
    }
  }
  return merged.sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime(),
  );
}

/** Whether an event of `type` at `at` falls inside one of the exempt intervals. */
export function isExempt(intervals: readonly ScopedInterval[], type: string, at: Date): boolean {
  const t = at.getTime();
  for (const i of intervals) {
    if (i.start.getTime() <= t && t < i.end.getTime()) {
      if (i.types === null || (i.types as readonly string[]).includes(type)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Filing a request

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

// ---------------------------------------------------------------------------
// Decisions

export type ExemptionAction = "approve" | "deny" | "revoke" | "withdraw" | "end";

export type ActorRole = "WORKER" | "REVIEWER" | "ADMIN";

export type TransitionDecision =
  | { ok: true; to: ExemptionStatus; from: ExemptionStatus }
  | { ok: false; code: "forbidden" | "conflict" | "note_required"; message: string };

const REVIEW_ACTIONS: readonly ExemptionAction[] = ["approve", "deny", "revoke"];

export const ACTION_LABELS: Record<ExemptionAction, string> = {
  approve: "Approved",
  deny: "Denied",
  revoke: "Revoked",
  withdraw: "Withdrawn",
  end: "Ended early",
};

/**
 * Whether `actor` may take `action` on the worker's request now. Reviewers
 * (and admins) decide other people's requests, never their own; a worker
 * withdraws their pending request or ends their approved one. A denial and a
 * revocation need a note the worker will read.
 */
export function decideTransition({
  exemption,
  workerId,
  actor,
  action,
  note,
  now,
}: {
  exemption: Pick<StoredExemption, "status" | "startsAt" | "endsAt" | "endedEarlyAt">;
  workerId: string;
  actor: { id: string; role: ActorRole };
  action: ExemptionAction;
  note: string | null;
  now: Date;
}): TransitionDecision {
  const from = effectiveStatus(exemption, now);
  const isReview = REVIEW_ACTIONS.includes(action);
  if (isReview) {
    if (actor.role === "WORKER") {
      return {
        ok: false,
        code: "forbidden",
        message: "Only reviewers and admins decide requests.",
      };
    }
    if (actor.id === workerId) {
      return {
        ok: false,
        code: "forbidden",
        message: "You cannot decide your own request; another reviewer or an admin must.",
      };
    }
  } else if (actor.id !== workerId) {
    return { ok: false, code: "forbidden", message: "Only the worker who asked can do this." };
  }
  const needs = (status: ExemptionStatus): TransitionDecision | null =>
    from === status
      ? null
      : {
          ok: false,
          code: "conflict",
          message: `This request is ${STATUS_LABELS[from].toLowerCase()}; only a ${STATUS_LABELS[status].toLowerCase()} request can be ${ACTION_LABELS[action].toLowerCase()}.`,
        };
  const blank = !note || note.trim().length === 0;
  switch (action) {
    case "approve":
      return needs("PENDING") ?? { ok: true, from, to: "APPROVED" };
    case "deny":
      return (
        needs("PENDING") ??
        (blank
          ? { ok: false, code: "note_required", message: "Say why the request is denied." }
          : { ok: true, from, to: "DENIED" })
      );
    case "revoke":
      return (
        needs("APPROVED") ??
        (blank
          ? { ok: false, code: "note_required", message: "Say why the exemption is revoked." }
          : { ok: true, from, to: "REVOKED" })
      );
    case "withdraw":
      return needs("PENDING") ?? { ok: true, from, to: "WITHDRAWN" };
    case "end":
      return needs("APPROVED") ?? { ok: true, from, to: "EXPIRED" };
  }
}

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

export function describeScope(types: readonly EventType[] | null): string {
  if (!types) return "All collection";
  return types.map((t) => EVENT_TYPE_LABELS[t]).join(", ");
}
