/**
 * The export's time columns, pure: stored times as UTC ISO 8601, and the
 * worker's wall-clock time with its offset for the CSV files' `…_local` columns.
 */
import { zoneOffsetMs } from "#app/domain/local-time.ts";

/** "2026-11-27T09:30:00.000+00:00" (as stored) → "2026-11-27T09:30:00.000Z". */
export function storedToUtc(stored: string): string {
  return stored.endsWith("Z") ? stored : `${stored.slice(0, 23)}Z`;
}

/** A time zone's offset during one UTC hour ("2026-11-27T09"), and how local times read then. */
type HourZone = { offset: number; prefix: string | null; suffix: string };

/**
 * Local wall-clock time with its offset, e.g. "2026-11-27T10:30:00.000+01:00".
 * Millions of rows: the zone's offset is looked up once per UTC hour, and for
 * whole-hour offsets only the date-and-hour prefix changes, so it is cached too.
 * `zoneOfHour` gives the same per-hour answer to SQLite, which formats the
 * events' local column itself (see event-pages.server.ts).
 */
export function localTimeFormatter(timeZone: string) {
  const hours = new Map<string, HourZone>();
  const zoneOfHour = (hourKey: string): HourZone => {
    let hour = hours.get(hourKey);
    if (!hour) {
      const start = Date.parse(`${hourKey}:00:00.000Z`);
      const offset = zoneOffsetMs(new Date(start), timeZone);
      const minutes = Math.abs(offset) / 60_000;
      const suffix = `${offset < 0 ? "-" : "+"}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
      const prefix =
        offset % 3_600_000 === 0 ? new Date(start + offset).toISOString().slice(0, 13) : null;
      hour = { offset, prefix, suffix };
      hours.set(hourKey, hour);
    }
    return hour;
  };
  const format = (stored: string): string => {
    const iso = storedToUtc(stored);
    const hour = zoneOfHour(iso.slice(0, 13));
    if (hour.prefix !== null) return `${hour.prefix}${iso.slice(13, 23)}${hour.suffix}`;
    return `${new Date(Date.parse(iso) + hour.offset).toISOString().slice(0, 23)}${hour.suffix}`;
  };
  return Object.assign(format, { zoneOfHour });
}

export type LocalTimeFormatter = ReturnType<typeof localTimeFormatter>;
