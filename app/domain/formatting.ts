/**
 * Numbers as people read them on Lull's pages: one format for counts, sizes
 * and CPU time, so "1.2 MB" means the same on every page. Pure.
 */

/** "12,345": a whole count with British digit grouping. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-GB");
}

const KIB = 1024;
const UNITS = ["KB", "MB", "GB", "TB"] as const;

/**
 * "0 bytes", "512 bytes", "1.2 KB", "48 MB", "1,020 GB": a size in binary
 * units (1 KB = 1,024 bytes, as the limits on the pages and in the agent
 * protocol count them), with one decimal below 10 of a unit (".0" dropped)
 * and whole units from 10 on. Rounding never shows 1,024 of a unit when the
 * next unit exists: 1,048,575 bytes is "1 MB", not "1,024 KB".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`Not a size: ${bytes}`);
  const whole = Math.round(bytes);
  if (whole < KIB) return whole === 1 ? "1 byte" : `${formatCount(whole)} bytes`;
  let unit = 0;
  let value = whole / KIB;
  while (value >= KIB && unit < UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  if (Math.round(value) >= KIB && unit < UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  return `${oneDecimalBelowTen(value)} ${UNITS[unit]}`;
}

/** "1.4", "9.9", "10", "48", "1,020": one decimal below 10 (without ".0"), whole from there. */
function oneDecimalBelowTen(value: number): string {
  const tenths = Math.round(value * 10) / 10;
  if (tenths < 10) return Number.isInteger(tenths) ? String(tenths) : tenths.toFixed(1);
  return formatCount(Math.round(value));
}

/**
 * CPU time: "under 0.1 s", "1.4 s", "14 s", "2 min 5 s", "3 h 20 min". The
 * seconds of a few minutes still matter; of a few hours they do not.
 */
export function formatCpuTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Not a duration: ${ms}`);
  if (ms < 50) return "under 0.1 s";
  if (ms < 59_500) return `${oneDecimalBelowTen(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) {
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const minutes = Math.round(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${formatCount(hours)} h` : `${formatCount(hours)} h ${rest} min`;
}

/** "1 batch", "34 batches": a count with its noun, singular for exactly one. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}
