/**
 * The export's time columns, pure: stored times as UTC ISO 8601, and the
 * worker's wall-clock time with its offset for the CSV files' `…_local` columns.
 */
import { zoneOffsetMs } from "#app/domain/local-time.ts";

/** "2026-11-27T09:30:00.000+00:00" (as stored) → "2026-11-27T09:30:00.000Z". */
export function storedToUtc(stored: string): string {
  return stored.endsWith("Z") ? stored : `${stored.slice(0, 23)}Z`;
}

/**
 * How local times read during part of one UTC hour: from `from` (a UTC time as
 * "2026-11-27T09:30:00.000", or just the hour for the whole hour) until the next part.
 */
export type ZonePart = { from: string; offset: number; prefix: string | null; suffix: string };

const HOUR_MS = 3_600_000;

function zonePart(from: string, start: number, offset: number): ZonePart {
  const minutes = Math.abs(offset) / 60_000;
  const suffix = `${offset < 0 ? "-" : "+"}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  // Only an offset of whole hours keeps the minutes: then the date-and-hour prefix is enough.
  const prefix =
    offset % HOUR_MS === 0 ? new Date(start + offset).toISOString().slice(0, 13) : null;
  return { from, offset, prefix, suffix };
}

/**
 * The zone's parts of one UTC hour ("2026-11-27T09"): one, or two when the offset
 * changes within the hour. Zones whose offset is not whole hours change in the
 * middle of a UTC hour (Adelaide's 03:00 +10:30 is 16:30 UTC), so the switch is
 * found to the second (offsets change on whole seconds); a zone changes at most
 * once an hour.
 */
export function zonePartsOfHour(hourKey: string, timeZone: string): ZonePart[] {
  const start = Date.parse(`${hourKey}:00:00.000Z`);
  const first = zoneOffsetMs(new Date(start), timeZone);
  const last = zoneOffsetMs(new Date(start + HOUR_MS - 1_000), timeZone);
  if (first === last) return [zonePart(hourKey, start, first)];
  let before = 0; // seconds into the hour still at `first`
  let after = 3_599; // seconds into the hour already at `last`
  while (after - before > 1) {
    const mid = Math.floor((before + after) / 2);
    if (zoneOffsetMs(new Date(start + mid * 1_000), timeZone) === first) before = mid;
    else after = mid;
  }
  const switchAt = start + after * 1_000;
  return [
    zonePart(hourKey, start, first),
    zonePart(new Date(switchAt).toISOString().slice(0, 23), switchAt, last),
  ];
}

/**
 * A UTC time ("2026-11-27T09:30:00.000Z") as local wall-clock time with its
 * offset, given the zone's parts of its UTC hour (`zonePartsOfHour`).
 */
export function localFromParts(iso: string, parts: readonly ZonePart[]): string {
  const part = parts.length === 1 || iso < parts[1]!.from ? parts[0]! : parts[1]!;
  if (part.prefix !== null) return `${part.prefix}${iso.slice(13, 23)}${part.suffix}`;
  return `${new Date(Date.parse(iso) + part.offset).toISOString().slice(0, 23)}${part.suffix}`;
}

/**
 * Local wall-clock time with its offset, e.g. "2026-11-27T10:30:00.000+01:00".
 * Millions of rows: the zone's parts are looked up once per UTC hour, and for
 * whole-hour offsets only the date-and-hour prefix changes, so it is cached too.
 * `zoneOfHour` gives the same per-hour answer to the events' readers (SQLite
 * formats their local column itself: event-pages-sqlite.server.ts).
 */
export function localTimeFormatter(timeZone: string) {
  const hours = new Map<string, ZonePart[]>();
  const zoneOfHour = (hourKey: string): ZonePart[] => {
    let parts = hours.get(hourKey);
    if (!parts) {
      parts = zonePartsOfHour(hourKey, timeZone);
      hours.set(hourKey, parts);
    }
    return parts;
  };
  const format = (stored: string): string => {
    const iso = storedToUtc(stored);
    return localFromParts(iso, zoneOfHour(iso.slice(0, 13)));
  };
  return Object.assign(format, { zoneOfHour });
}

export type LocalTimeFormatter = ReturnType<typeof localTimeFormatter>;
