/**
 * Where the counts of a time range come from (ADR 0030). Pure.
 *
 * The rollups count whole UTC days (`EventRollupDay`) and whole UTC hours
 * (`EventRollup`); a worker's range runs from one local midnight to another,
 * which falls mid-day in UTC and, in zones such as Asia/Kolkata or
 * Asia/Kathmandu, mid-hour. So a range is cut three ways:
 *
 * - `days`: whole UTC days inside it, read from the daily rollups;
 * - `hours`: the whole UTC hours left over, read from the hourly rollups;
 * - `edges`: the partial hours at either end, counted event by event.
 *
 * Together the pieces cover the range exactly, without overlap. `cuts` are
 * instants that a day piece must not straddle (a chart's bucket boundaries):
 * a UTC day holding one strictly inside it is read by the hour instead, so
 * each piece falls in one bucket at hour resolution.
 */

export type TimeRange = { start: Date; end: Date };
export type RollupSplit = { days: TimeRange[]; hours: TimeRange[]; edges: TimeRange[] };

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;
const range = (start: number, end: number): TimeRange => ({
  start: new Date(start),
  end: new Date(end),
});

/** Adjacent spans joined, so a run of hours is one range query. */
function joined(spans: readonly [number, number][]): TimeRange[] {
  const out: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = out.at(-1);
    if (last && last[1] === start) last[1] = end;
    else out.push([start, end]);
  }
  return out.map(([start, end]) => range(start, end));
}

export function splitForRollups(span: TimeRange, cuts: readonly Date[] = []): RollupSplit {
  const start = span.start.getTime();
  const end = span.end.getTime();
  const split: RollupSplit = { days: [], hours: [], edges: [] };
  if (!(start < end)) return split;

  const hoursStart = ceilTo(start, HOUR_MS);
  const hoursEnd = floorTo(end, HOUR_MS);
  if (hoursStart >= hoursEnd) {
    split.edges.push(range(start, end));
    return split;
  }
  if (start < hoursStart) split.edges.push(range(start, hoursStart));
  if (hoursEnd < end) split.edges.push(range(hoursEnd, end));

  const daysStart = ceilTo(hoursStart, DAY_MS);
  const daysEnd = floorTo(hoursEnd, DAY_MS);
  if (daysStart >= daysEnd) {
    split.hours.push(range(hoursStart, hoursEnd));
    return split;
  }
  // The UTC days with a cut strictly inside them, in order.
  const cutDays = [
    ...new Set(
      cuts
        .map((c) => c.getTime())
        .filter((c) => c > daysStart && c < daysEnd && c !== floorTo(c, DAY_MS))
        .map((c) => floorTo(c, DAY_MS)),
    ),
  ].sort((a, b) => a - b);

  const days: [number, number][] = [];
  const hours: [number, number][] = [];
  if (hoursStart < daysStart) hours.push([hoursStart, daysStart]);
  let at = daysStart;
  for (const day of cutDays) {
    if (at < day) days.push([at, day]);
    hours.push([day, day + DAY_MS]);
    at = day + DAY_MS;
  }
  if (at < daysEnd) days.push([at, daysEnd]);
  if (daysEnd < hoursEnd) hours.push([daysEnd, hoursEnd]);
  split.days = joined(days);
  split.hours = joined(hours);
  return split;
}
