/**
 * The one answer to "may we collect from this worker now, and when next not?"
 * Every screen and every agent reads it from here, so the status a worker
 * sees and what is enforced can never disagree. Pure: plain data and `now`
 * in, windows and a verdict out. State is derived from time: a pause or an
 * exemption that ended is over because its end is past, not because a job ran.
 */
import type { EventType } from "#app/agent-protocol/v1.ts";
import { exemptIntervals, mergeScoped, type StoredExemption } from "./exemption-rules.ts";
import { effectiveInterval, type StoredPause } from "./pause-policy.ts";

export type CollectionWindow = {
  kind: "pause" | "exemption";
  /** The pause this window comes from (exemption windows may merge several requests). */
  sourceId: string | null;
  startsAt: Date;
  endsAt: Date;
  /** Event types the window stops; null: all collection. */
  types: EventType[] | null;
};

export type CollectionState = {
  /** Whether anything may be collected now. */
  collecting: boolean;
  reason: "active" | "paused" | "exempt";
  /** The all-collection window in force now, if any (a pause before an exemption). */
  current: CollectionWindow | null;
  /** The next all-collection window that starts after now, if any. */
  next: CollectionWindow | null;
  /** When collecting: the types a narrower exemption stops now. */
  exemptTypes: EventType[];
  /** Windows that overlap [now, now + horizon), in start order. */
  windows: CollectionWindow[];
};

export const DEFAULT_HORIZON_MS = 24 * 60 * 60 * 1000;
const FAR_FUTURE = new Date(8.64e15);

export function computeCollectionState({
  pauses,
  exemptions = [],
  now,
  horizonMs = DEFAULT_HORIZON_MS,
}: {
  pauses: readonly StoredPause[];
  /** The worker's exemptions; only approved ones cover time. */
  exemptions?: readonly StoredExemption[];
  now: Date;
  horizonMs?: number;
}): CollectionState {
  const horizonEnd = new Date(now.getTime() + horizonMs);
  const windows: CollectionWindow[] = [];
  for (const pause of pauses) {
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
  return {
    collecting: current === null,
    reason: current ? (current.kind === "pause" ? "paused" : "exempt") : "active",
    current,
    next,
    exemptTypes,
    windows,
  };
}
