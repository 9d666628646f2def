/**
 * Where the chart shades a pause, an exemption or a forgotten span, exactly: in bucket units
 * (bucket i spans [i, i + 1)), a window from 14:10:00 to 14:10:10 inside the
 * 14:00 bucket is drawn from 14 + 10/60 to 14 + 10.17/60 of the axis — a
 * sliver, not the whole hour above 1,400 events stored before and after it.
 * Pure: the chart and its tests read the same numbers.
 */
export type ChartBucket = { start: number };

export type ChartWindowKind = "pause" | "exemption" | "forget";

export type ChartWindow = {
  kind: ChartWindowKind;
  /** Start and end on the axis, in buckets (fractional). */
  x0: number;
  x1: number;
  /** "Paused 14:10–14:20", "Exempt … (keystrokes)", "Forgotten 14:05–14:20". */
  label: string;
  /** Drawn on the chart: "Paused", "Exempt", "Exempt: Keystrokes" when only some types stop, "Forgotten". */
  short: string;
};

/**
 * Position of instant `t` on the axis. `end` is when the last bucket ends.
 * Before the first bucket: 0; at or after `end`: the number of buckets.
 */
export function axisPosition(buckets: readonly ChartBucket[], end: number, t: number): number {
  if (buckets.length === 0 || t <= buckets[0]!.start) return 0;
  if (t >= end) return buckets.length;
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (buckets[mid]!.start <= t) lo = mid;
    else hi = mid - 1;
  }
  const from = buckets[lo]!.start;
  const to = lo + 1 < buckets.length ? buckets[lo + 1]!.start : end;
  return lo + (t - from) / (to - from);
}

/** The shaded spans of `windows` (instants), clipped to the chart; empty ones dropped. */
export function chartWindows(
  buckets: readonly ChartBucket[],
  end: number,
  windows: readonly {
    kind: ChartWindowKind;
    start: number;
    end: number;
    label: string;
    short: string;
  }[],
): ChartWindow[] {
  return windows
    .map((w) => ({
      kind: w.kind,
      x0: axisPosition(buckets, end, w.start),
      x1: axisPosition(buckets, end, w.end),
      label: w.label,
      short: w.short,
    }))
    .filter((w) => w.x1 > w.x0);
}
