/**
 * Pauses as a worker reads them: times in their own zone, with the zone named.
 */
import { formatDay, formatTime, localDateKey, zoneAbbreviation } from "./local-time.ts";
import {
  effectiveInterval,
  pauseStatus,
  type PauseStatus,
  type StoredPause,
} from "./pause-policy.ts";

export type PresentedPause = {
  id: string;
  kind: "NOW" | "SCHEDULED";
  status: PauseStatus;
  startsAtIso: string;
  endsAtIso: string;
  /** "Sat 28 Nov, 09:00–09:30 CET" (the end's day is named when it differs). */
  when: string;
  minutes: number;
  /** "Ended early at 09:12", "Cancelled", or null. */
  note: string | null;
};

export function describeSpan(start: Date, end: Date, timeZone: string): string {
  const sameDay = localDateKey(start, timeZone) === localDateKey(end, timeZone);
  const startZone = zoneAbbreviation(start, timeZone);
  const endZone = zoneAbbreviation(end, timeZone);
  const endLabel = sameDay
    ? formatTime(end, timeZone)
    : `${formatDay(end, timeZone)}, ${formatTime(end, timeZone)}`;
  const zoneLabel = startZone === endZone ? startZone : `${startZone}/${endZone}`;
  return `${formatDay(start, timeZone)}, ${formatTime(start, timeZone)}–${endLabel} ${zoneLabel}`;
}

export function presentPause(pause: StoredPause, now: Date, timeZone: string): PresentedPause {
  const status = pauseStatus(pause, now);
  const interval = effectiveInterval(pause);
  const end = interval?.end ?? pause.endsAt;
  let note: string | null = null;
  if (pause.cancelledAt) note = "Cancelled";
  else if (pause.endedEarlyAt && pause.endedEarlyAt < pause.endsAt) {
    note = `Ended early at ${formatTime(pause.endedEarlyAt, timeZone)}`;
  }
  return {
    id: pause.id,
    kind: pause.kind,
    status,
    startsAtIso: pause.startsAt.toISOString(),
    endsAtIso: end.toISOString(),
    when: describeSpan(pause.startsAt, pause.endsAt, timeZone),
    minutes: Math.round((pause.endsAt.getTime() - pause.startsAt.getTime()) / 60_000),
    note,
  };
}

/** "14:32 CET" */
export function timeWithZone(instant: Date, timeZone: string): string {
  return `${formatTime(instant, timeZone)} ${zoneAbbreviation(instant, timeZone)}`;
}
