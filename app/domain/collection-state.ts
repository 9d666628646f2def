/**
 * The one answer to "may we collect from this worker, at this instant, for
 * this kind of event, and if not, why?" (ADR 0014). Every screen, every
 * agent and ingestion read it from here, so the status a worker sees and
 * what is enforced can never disagree. Pure: plain data and times in,
 * windows and a verdict out. State is derived from time: a pause or an
 * exemption that ended is over because its end is past, not because a job ran.
 *
 * - `collectionWindows` turns a worker's pauses, exemptions, acknowledgement
 *   gate and account state into the windows that stop collection in a range;
 * - `decideCollection` gives the verdict for one instant (and event type);
 * - `computeCollectionState` is the state at `now` that agents and the home
 *   page show: the verdict plus the windows ahead.
 */
import type { EventType } from "#app/agent-protocol/v1.ts";
import type { StoredExemption } from "./exemption.ts";
import {
  exemptIntervals,
  isExempt,
  mergeScoped,
  type ScopedInterval,
} from "./exemption-windows.ts";
import { effectiveInterval, type Interval, type StoredPause } from "./pause-policy.ts";
import { privateAppMatcher } from "#app/agent-protocol/private-apps.ts";
import { isForgotten, type ForgetInterval } from "./forget-rules.ts";

/** Everything the decision needs to know about one worker. */
export type CollectionInputs = {
  pauses: readonly StoredPause[];
  /** Any of the worker's exemptions; those that cover time (`coversTime`) count. */
  exemptions?: readonly StoredExemption[];
  /** The acknowledgement gate holds now (`acknowledgementGateHolds`). */
  heldForAcknowledgement: boolean;
  /** The account is deactivated: nothing is collected, whatever else holds. */
  deactivated?: boolean;
  /** Spans the worker asked to forget (ADR 0041): nothing recorded in them is kept. */
  forgets?: readonly ForgetInterval[];
  /** Patterns of applications never recorded: the worker's and the organisation's. */
  privateApps?: readonly string[];
};

/** Why collection is off, in the order the reasons win: a pause before an exemption before the gate. */
export type CollectionReason =
  "active" | "paused" | "exempt" | "acknowledgement_required" | "deactivated";

export type CollectionVerdict =
  | { collecting: true; reason: "active" }
  | { collecting: false; reason: Exclude<CollectionReason, "active"> };

/** The windows that stop collection within a range, ready for many verdicts. */
export type CollectionWindows = {
  pause: readonly Interval[];
  exemption: readonly ScopedInterval[];
  heldForAcknowledgement: boolean;
  deactivated: boolean;
  forget: readonly ForgetInterval[];
  /** Whether an application is private (`privateAppMatcher` over the inputs' patterns). */
  isPrivateApp: (app: string) => boolean;
};

export function collectionWindows(
  inputs: CollectionInputs,
  from: Date,
  to: Date,
): CollectionWindows {
  const pause: Interval[] = [];
  for (const p of inputs.pauses) {
    const interval = effectiveInterval(p);
    if (interval && interval.start < to && interval.end > from) pause.push(interval);
  }
  return {
    pause,
    exemption: exemptIntervals(inputs.exemptions ?? [], from, to),
    heldForAcknowledgement: inputs.heldForAcknowledgement,
    deactivated: inputs.deactivated ?? false,
    forget: (inputs.forgets ?? []).filter((f) => f.startsAt < to && f.endsAt > from),
    isPrivateApp: privateAppMatcher(inputs.privateApps ?? []),
  };
}

/**
 * Why one recorded event may not be kept, or "keep": the instant's verdict
 * (a pause, then an exemption of its type), then a forgotten span, then a
 * private application, then the acknowledgement gate. Ingestion's decision
 * for every event it receives (`classifyEvent`).
 */
export type EventDecision =
  "keep" | "paused" | "exempt" | "forgotten" | "private_app" | "acknowledgement_required";

export function decideEvent(
  windows: CollectionWindows,
  at: Date,
  type: string,
  app: string,
): EventDecision {
  const verdict = decideCollection(windows, at, type);
  if (verdict.reason === "paused" || verdict.reason === "exempt") return verdict.reason;
  if (verdict.reason === "deactivated") {
    // A deactivated worker's devices are refused before ingestion (401).
    throw new Error("Events of a deactivated worker reached ingestion.");
  }
  if (isForgotten(windows.forget, at)) return "forgotten";
  if (windows.isPrivateApp(app)) return "private_app";
  return verdict.collecting ? "keep" : "acknowledgement_required";
}

function inside(t: number, intervals: readonly Interval[]): boolean {
  for (const i of intervals) if (i.start.getTime() <= t && t < i.end.getTime()) return true;
  return false;
}

/**
 * May an event of `type` be collected at `at`? Without a type: may anything
 * at all be collected (only windows for every type count)?
 */
export function decideCollection(
  windows: CollectionWindows,
  at: Date,
  type?: string,
): CollectionVerdict {
  if (windows.deactivated) return { collecting: false, reason: "deactivated" };
  const t = at.getTime();
  if (inside(t, windows.pause)) return { collecting: false, reason: "paused" };
  const exempt =
    type === undefined
      ? windows.exemption.some((i) => i.types === null && inside(t, [i]))
      : isExempt(windows.exemption, type, at);
  if (exempt) return { collecting: false, reason: "exempt" };
  if (windows.heldForAcknowledgement)
    return { collecting: false, reason: "acknowledgement_required" };
  return { collecting: true, reason: "active" };
}

export type CollectionWindow = {
  kind: "pause" | "exemption";
  /** The pause this window comes from (exemption windows may merge several requests). */
  sourceId: string | null;
  startsAt: Date;
  endsAt: Date;
  /** Event types the window stops; null: all collection. */
  types: EventType[] | null;
};

export type CollectionState = CollectionVerdict & {
  /** The all-collection window in force now, if any (a pause before an exemption). */
  current: CollectionWindow | null;
  /** The next all-collection window that starts after now, if any. */
  next: CollectionWindow | null;
  /** When no all-collection window is in force: the types a narrower exemption stops now. */
  exemptTypes: EventType[];
  /** Windows that overlap [now, now + horizon), in start order. */
  windows: CollectionWindow[];
};

export const DEFAULT_HORIZON_MS = 24 * 60 * 60 * 1000;
const FAR_FUTURE = new Date(8.64e15);

export function computeCollectionState({
  now,
  horizonMs = DEFAULT_HORIZON_MS,
  ...inputs
}: CollectionInputs & { now: Date; horizonMs?: number }): CollectionState {
  const horizonEnd = new Date(now.getTime() + horizonMs);
  const windows: CollectionWindow[] = [];
  for (const pause of inputs.pauses) {
    const interval = effectiveInterval(pause);
    if (!interval) continue;
    if (interval.end <= now || interval.start >= horizonEnd) continue;
    windows.push({
      kind: "pause",
      sourceId: pause.id,
      startsAt: interval.start,
      endsAt: interval.end,
      types: null,
    });
  }
  // A one-off exemption keeps its true end even beyond the horizon; recurring
  // occurrences are listed up to the horizon (agents refresh well before it).
  const exemptions = inputs.exemptions ?? [];
  const oneOff = exemptions.filter((e) => !e.recurrence);
  const recurring = exemptions.filter((e) => e.recurrence);
  const exempt = mergeScoped([
    ...exemptIntervals(oneOff, now, FAR_FUTURE).filter((i) => i.start < horizonEnd),
    ...exemptIntervals(recurring, now, horizonEnd),
  ]);
  for (const interval of exempt) {
    windows.push({
      kind: "exemption",
      sourceId: null,
      startsAt: interval.start,
      endsAt: interval.end,
      types: interval.types,
    });
  }
  windows.sort(
    (a, b) => a.startsAt.getTime() - b.startsAt.getTime() || b.kind.localeCompare(a.kind),
  );
  const activeNow = (w: CollectionWindow) => w.startsAt <= now && now < w.endsAt;
  const allScope = windows.filter((w) => w.types === null);
  const current =
    allScope.find((w) => activeNow(w) && w.kind === "pause") ??
    allScope.find((w) => activeNow(w)) ??
    null;
  const next = allScope.find((w) => w.startsAt > now) ?? null;
  const exemptTypes = current
    ? []
    : [...new Set(windows.filter((w) => activeNow(w) && w.types).flatMap((w) => w.types!))].sort();
  const verdict = decideCollection(
    collectionWindows(inputs, now, new Date(now.getTime() + 1)),
    now,
  );
  return { ...verdict, current, next, exemptTypes, windows };
}
