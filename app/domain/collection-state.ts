/**
 * The one answer to "may we collect from this worker now, and when next not?"
 * Every screen and (later) every agent reads it from here, so the status a
 * worker sees and what is enforced can never disagree. Pure: plain data and
 * `now` in, windows and a verdict out. State is derived from time: a pause
 * that ended is over because its end is past, not because a job ran.
 */
import { effectiveInterval, type StoredPause } from "./pause-policy.ts";

export type CollectionWindow = {
  kind: "pause";
  /** The pause this window comes from. */
  sourceId: string;
  startsAt: Date;
  endsAt: Date;
};

export type CollectionState = {
  collecting: boolean;
  reason: "active" | "paused";
  /** The window in force now, if any. */
  current: CollectionWindow | null;
  /** The next window that starts after now, if any. */
  next: CollectionWindow | null;
  /** Windows that overlap [now, now + horizon), in start order. */
  windows: CollectionWindow[];
};

export const DEFAULT_HORIZON_MS = 24 * 60 * 60 * 1000;

export function computeCollectionState({
  pauses,
  now,
  horizonMs = DEFAULT_HORIZON_MS,
}: {
  pauses: readonly StoredPause[];
  now: Date;
  horizonMs?: number;
}): CollectionState {
  const horizonEnd = now.getTime() + horizonMs;
  const windows: CollectionWindow[] = [];
  for (const pause of pauses) {
    const interval = effectiveInterval(pause);
    if (!interval) continue;
    if (interval.end.getTime() <= now.getTime() || interval.start.getTime() >= horizonEnd) continue;
    windows.push({
      kind: "pause",
      sourceId: pause.id,
      startsAt: interval.start,
      endsAt: interval.end,
    });
  }
  windows.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const current = windows.find((w) => w.startsAt <= now && now < w.endsAt) ?? null;
  const next = windows.find((w) => w.startsAt > now) ?? null;
  return {
    collecting: current === null,
    reason: current ? "paused" : "active",
    current,
    next,
    windows,
  };
}
