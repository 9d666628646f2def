/**
 * The events' two lines, pure: events.csv's record and events.ndjson's line
 * of one stored event, by the rules of `app/domain/csv.ts` and JSON.stringify.
 * The PostgreSQL reader writes every event with these; the SQLite reader has
 * SQLite build the same bytes in SQL for speed (event-pages-sqlite.server.ts,
 * ADR 0011), and a test holds both to these functions.
 */
import { csvField, csvQuoted } from "#app/domain/csv.ts";
import { localFromParts, storedToUtc, type ZonePart } from "./local-time-column.ts";

/** The header of events.csv; `eventCsvLine` writes the fields in this order. */
export const EVENT_CSV_COLUMNS = [
  "id",
  "at_utc",
  "at_local",
  "device_id",
  "type",
  "app",
  "data",
  "received_at_utc",
] as const;

/** A page of events as written: its CSV records and NDJSON lines, `rows` of each. */
export type EventPage = { csv: string; ndjson: string; rows: number };

/** An event as read: times as stored or as UTC ISO 8601, `data` its JSON text. */
export type StoredEvent = {
  id: number;
  at: string;
  deviceId: string;
  type: string;
  app: string;
  data: string;
  receivedAt: string;
};

/**
 * events.csv's record, CRLF-terminated. `parts` is the worker's zone during the
 * event's UTC hour. Ids, times, device ids and the type are written bare (they
 * never hold a comma, a quote or a line break nor begin like a formula); the
 * app is a field; the data (a JSON object) is always quoted.
 */
export function eventCsvLine(event: StoredEvent, parts: readonly ZonePart[]): string {
  const at = storedToUtc(event.at);
  return `${[
    event.id,
    at,
    localFromParts(at, parts),
    event.deviceId,
    event.type,
    csvField(event.app),
    csvQuoted(event.data),
    storedToUtc(event.receivedAt),
  ].join(",")}\r\n`;
}

/** events.ndjson's line, "\n"-terminated; the data nested as the object it is. */
export function eventNdjsonLine(event: StoredEvent): string {
  return `${JSON.stringify({
    id: event.id,
    at: storedToUtc(event.at),
    deviceId: event.deviceId,
    type: event.type,
    app: event.app,
    data: JSON.parse(event.data) as unknown,
    receivedAt: storedToUtc(event.receivedAt),
  })}\n`;
}
