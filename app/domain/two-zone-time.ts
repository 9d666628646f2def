/**
 * A worker's time, as staff read it: in the worker's zone with the zone named,
 * and beside it, when it reads differently, the staff member's own clock.
 * Each line holds one zone only. Pure: `now` (for whether to print the year)
 * is passed in.
 */
import { localToUtc, wallClock, zoneAbbreviation } from "./local-time.ts";

export type TwoZoneTime = {
  /** In the worker's zone, named: "Mon 14 Dec, 09:00–17:00 (Europe/Berlin)". */
  worker: string;
  /**
   * The viewer's equivalent, "05:00–13:00 your time, America/Sao_Paulo"; null when
   * the viewer's clock reads the same (the same zone, or one with the same offsets then).
   */
  yours: string | null;
};

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

type Reading = { dateKey: string; day: string; time: string };

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * The wall clock of `instant` in `timeZone`, as the parts a line is made of. A
 * reading the clocks pass twice (the hour repeated when summer time ends) names
 * the zone's abbreviation too, "02:30 CEST" or "02:30 CET", so it means one instant.
 */
function read(instant: Date, timeZone: string, thisYear: number): Reading {
  const w = wallClock(instant, timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()]!;
  const year = w.year === thisYear ? "" : ` ${w.year}`;
  const dateKey = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
  const clock = `${pad(w.hour)}:${pad(w.minute)}`;
  const twice = localToUtc(dateKey, clock, timeZone);
  return {
    dateKey,
    day: `${weekday} ${w.day} ${MONTHS[w.month - 1]!}${year}`,
    time: twice.ok && twice.ambiguous ? `${clock} ${zoneAbbreviation(instant, timeZone)}` : clock,
  };
}

/** "Mon 14 Dec, 09:00", "Mon 14 Dec, 09:00–17:00" or "Mon 14 Dec, 09:00 – Tue 15 Dec, 17:00". */
function workerLine(start: Reading, end: Reading | null): string {
  if (!end) return `${start.day}, ${start.time}`;
  if (end.dateKey === start.dateKey) return `${start.day}, ${start.time}–${end.time}`;
  return `${start.day}, ${start.time} – ${end.day}, ${end.time}`;
}

/**
 * The viewer's line leaves out a date the reader already has: the start's when
 * it is the worker's start day too, the end's when it is the viewer's start day.
 */
function viewerLine(start: Reading, end: Reading | null, workerStart: Reading): string {
  const from = start.dateKey === workerStart.dateKey ? start.time : `${start.day}, ${start.time}`;
  if (!end) return from;
  if (end.dateKey === start.dateKey) return `${from}–${end.time}`;
  return `${from} – ${end.day}, ${end.time}`;
}

/**
 * An instant (`start`) or a span (`start`–`end`) in the worker's zone with the
 * zone named, and the viewer's equivalent when their clock reads otherwise.
 * The year is printed only when it is not the current one in that zone.
 */
export function formatInTwoZones(
  moment: { start: Date; end?: Date | null },
  zones: { worker: string; viewer: string },
  now: Date,
): TwoZoneTime {
  const readIn = (instant: Date, zone: string) => read(instant, zone, wallClock(now, zone).year);
  const workerStart = readIn(moment.start, zones.worker);
  const workerEnd = moment.end ? readIn(moment.end, zones.worker) : null;
  const worker = `${workerLine(workerStart, workerEnd)} (${zones.worker})`;
  if (zones.viewer === zones.worker) return { worker, yours: null };
  const viewerStart = readIn(moment.start, zones.viewer);
  const viewerEnd = moment.end ? readIn(moment.end, zones.viewer) : null;
  const same = (a: Reading | null, b: Reading | null) =>
    a?.dateKey === b?.dateKey && a?.time === b?.time;
  if (same(workerStart, viewerStart) && same(workerEnd, viewerEnd)) return { worker, yours: null };
  return {
    worker,
    yours: `${viewerLine(viewerStart, viewerEnd, workerStart)} your time, ${zones.viewer}`,
  };
}
