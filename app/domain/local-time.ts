/**
 * The one place that turns UTC instants into a person's local time.
 * Everything stored and exchanged is UTC; a worker's IANA time zone is
 * applied only here, at the edges (display, forms).
 */

/** Zones found valid (a few hundred at most); an import of 10,000 rows asks 10,000 times. */
const validZones = new Set<string>();

export function isValidTimeZone(timeZone: string): boolean {
  if (validZones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone });
  } catch {
    return false;
  }
  validZones.add(timeZone);
  return true;
}

/** The hour (0–23) of `instant` in `timeZone`. */
/**
 * Building an Intl.DateTimeFormat costs ~0.2 ms, using one ~5 µs: each
 * (options, zone) pair is built once per process.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function cachedFormatter(
  name: string,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
  locale = "en-GB",
): Intl.DateTimeFormat {
  const key = `${name}\u0000${locale}\u0000${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, formatter);
  }
  return formatter;
}

export function localHour(instant: Date, timeZone: string): number {
  const hour = cachedFormatter("hour", timeZone, { hour: "2-digit", hourCycle: "h23" }).format(
    instant,
  );
  return Number(hour);
}

export function greetingFor(instant: Date, timeZone: string): string {
  const hour = localHour(instant, timeZone);
  if (hour >= 5 && hour < 12) return "Good morning";
  if (hour >= 12 && hour < 18) return "Good afternoon";
  return "Good evening";
}

/** The parts every clock reading shows: 24-hour time and the zone's short name. */
const CLOCK = {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
} as const satisfies Intl.DateTimeFormatOptions;

/** "27 Nov 2026, 14:32 CET": date, 24-hour time and the zone's short name. */
export function formatDateTime(instant: Date, timeZone: string): string {
  return cachedFormatter("dateTime", timeZone, {
    day: "numeric",
    month: "short",
    year: "numeric",
    ...CLOCK,
  }).format(instant);
}

/** "14:32:05 CET": the time of day to the second, with the zone (under a day's heading). */
export function formatTimeSeconds(instant: Date, timeZone: string): string {
  return cachedFormatter("timeSeconds", timeZone, { ...CLOCK, second: "2-digit" }).format(instant);
}

/** "Wednesday 2 December 2026" in the worker's zone: a day's heading. */
export function formatLongDay(instant: Date, timeZone: string): string {
  return cachedFormatter("longDay", timeZone, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(instant);
}

/** "Europe/Berlin" → "Europe/Berlin (CET)" at `instant`. */
export function describeTimeZone(timeZone: string, instant: Date): string {
  const short = zoneAbbreviation(instant, timeZone);
  return short !== timeZone ? `${timeZone} (${short})` : timeZone;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    partsFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function wallClock(instant: Date, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Berlin in winter: +3 600 000). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** "2026-03-08" for `instant` in `timeZone`. */
export function localDateKey(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** "14:32" for `instant` in `timeZone`. */
export function localTimeKey(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export type LocalToUtcResult =
  | { ok: true; instant: Date; ambiguous: boolean }
  | { ok: false; reason: "invalid" | "nonexistent" };

/**
 * The UTC instant at which the wall clock in `timeZone` reads `date` `time`
 * ("2026-03-08", "01:45"). A reading that the clocks skip (spring forward)
 * does not exist; one they pass twice (fall back) resolves to the first, or
 * to the second with `prefer: "later"`.
 */
export function localToUtc(
  date: string,
  time: string,
  timeZone: string,
  prefer: "earlier" | "later" = "earlier",
): LocalToUtcResult {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return { ok: false, reason: "invalid" };
  const [year, month, day, hour, minute] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(naive);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59
  ) {
    return { ok: false, reason: "invalid" };
  }
  // The offsets in force around that day; a wall time maps to naive − offset for one of them.
  const offsets = new Set(
    [naive - DAY_MS, naive, naive + DAY_MS].map((ms) => zoneOffsetMs(new Date(ms), timeZone)),
  );
  const matches = [...offsets]
    .map((offset) => naive - offset)
    .filter((candidate) => {
      const w = wallClock(new Date(candidate), timeZone);
      return (
        w.year === year &&
        w.month === month &&
        w.day === day &&
        w.hour === hour &&
        w.minute === minute
      );
    })
    .sort((a, b) => a - b);
  if (matches.length === 0) return { ok: false, reason: "nonexistent" };
  const chosen = prefer === "later" ? matches[matches.length - 1]! : matches[0]!;
  return { ok: true, instant: new Date(chosen), ambiguous: matches.length > 1 };
}

/** The first instant of the local calendar day `date` ("2026-03-08") in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  // Midnight itself is skipped in a few zones on DST days; the day then starts at the first
  // minute that exists.
  for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
    const result = localToUtc(
      date,
      `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`,
      timeZone,
    );
    if (result.ok) return result.instant;
  }
  throw new Error(`No instant of ${date} exists in ${timeZone}`);
}

/** The calendar day after `date` ("2026-03-08" → "2026-03-09"). */
export function nextDateKey(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

/** The calendar day before `date` ("2026-03-09" → "2026-03-08"). */
export function previousDateKey(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const previous = new Date(Date.UTC(y, m - 1, d - 1));
  return `${previous.getUTCFullYear()}-${pad(previous.getUTCMonth() + 1)}-${pad(previous.getUTCDate())}`;
}

/** "14:32" in the worker's zone, 24-hour. */
export function formatTime(instant: Date, timeZone: string): string {
  return localTimeKey(instant, timeZone);
}

/** "Sat 28 Nov" in the worker's zone. */
export function formatDay(instant: Date, timeZone: string): string {
  return cachedFormatter("day", timeZone, {
    weekday: "short",
    day: "numeric",
    month: "short",
  }).format(instant);
}

/**
 * The zone's short name at `instant`: "CET", "EDT", "IST"… Locales know
 * different abbreviations (en-GB: CET, BST; en-US: EST, PDT), so the first
 * that is a real abbreviation wins over a bare "GMT+5:30".
 */
export function zoneAbbreviation(instant: Date, timeZone: string): string {
  let fallback: string | undefined;
  for (const locale of ["en-GB", "en-US", "en-IN", "en-AU"]) {
    const name = cachedFormatter("zoneName", timeZone, { timeZoneName: "short" }, locale)
      .formatToParts(instant)
      .find((part) => part.type === "timeZoneName")?.value;
    if (!name) continue;
    if (!/^(GMT|UTC)[+-−]/.test(name)) return name;
    fallback ??= name;
  }
  return fallback ?? timeZone;
}

/** Items in order, in runs of the same local calendar day (`key` is YYYY-MM-DD). */
export function groupByLocalDay<T extends { at: Date }>(
  items: readonly T[],
  timeZone: string,
): Array<{ key: string; items: T[] }> {
  const days: Array<{ key: string; items: T[] }> = [];
  for (const item of items) {
    const key = localDateKey(item.at, timeZone);
    const last = days.at(-1);
    if (last && last.key === key) last.items.push(item);
    else days.push({ key, items: [item] });
  }
  return days;
}
