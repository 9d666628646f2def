/**
 * The one place that turns UTC instants into a person's local time.
 * Everything stored and exchanged is UTC; a worker's IANA time zone is
 * applied only here, at the edges (display, forms).
 */

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The hour (0–23) of `instant` in `timeZone`. */
export function localHour(instant: Date, timeZone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    hourCycle: "h23",
  }).format(instant);
  return Number(hour);
}

export function greetingFor(instant: Date, timeZone: string): string {
  const hour = localHour(instant, timeZone);
  if (hour >= 5 && hour < 12) return "Good morning";
  if (hour >= 12 && hour < 18) return "Good afternoon";
  return "Good evening";
}

/** "27 Nov 2026, 14:32 CET": date, 24-hour time and the zone's short name. */
export function formatDateTime(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(instant);
}

/** "Europe/Berlin" → "Europe/Berlin (CET)" at `instant`. */
export function describeTimeZone(timeZone: string, instant: Date): string {
  const short = new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "short" })
    .formatToParts(instant)
    .find((part) => part.type === "timeZoneName")?.value;
  return short && short !== timeZone ? `${timeZone} (${short})` : timeZone;
}
