/**
 * The records export's reader: what it reads with raw SQL, one implementation
 * per provider (ADR 0032), opened by export-reader.server.ts. Both read the
 * same rows in the same order, parsed with these schemas at the boundary, and
 * hand the events over as the same bytes, so the archive is the same on both.
 */
import { z } from "zod";
import type { EventPage } from "./event-lines.ts";
import type { LocalTimeFormatter } from "./local-time-column.ts";
import type { StoredDevice, StoredPause, StoredRollup } from "./section-rows.ts";

/** Rows per page of events (and of rollups on PostgreSQL): one page is all the memory an export holds. */
export const EXPORT_PAGE_ROWS = 2_000;

/** How many rows the progress bar should expect of each section that has many. */
export type SectionCounts = { events: number; rollups: number; pauses: number };

export interface ExportReader {
  countSectionRows(workerId: string): Promise<SectionCounts>;
  /** The worker's devices, oldest first. Never the token hash: it is not selected. */
  readDevices(workerId: string): Promise<StoredDevice[]>;
  /** The worker's pauses by start, then id. */
  readPauses(workerId: string): Promise<StoredPause[]>;
  /**
   * The worker's hourly rollups by hour, device, type and app, read lazily (a
   * year is tens of thousands): no list of row objects is held while they are written.
   */
  readRollups(workerId: string): Iterable<StoredRollup> | AsyncIterable<StoredRollup>;
  /**
   * The worker's events by (at, id), handed to `onPage` a page of formatted
   * lines at a time (`eventCsvLine`/`eventNdjsonLine`); the next page is read
   * only once `onPage` has settled, so the archive's backpressure reaches the
   * database reads. The local column asks `local.zoneOfHour` once per UTC hour
   * that holds events.
   */
  forEachEventPage(
    workerId: string,
    local: LocalTimeFormatter,
    onPage: (page: EventPage) => Promise<void>,
  ): Promise<void>;
  /** Ends the reader, however the export ends. */
  close(): void;
}

/** Rows as read: times as stored ("…+00:00") or as UTC ISO 8601 ("…Z"). */
export const DeviceRow: z.ZodType<StoredDevice> = z.object({
  id: z.string(),
  name: z.string(),
  platform: z.string(),
  agentVersion: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  storedEvents: z.number(),
  discardedPaused: z.number(),
  discardedExempt: z.number(),
  discardedUnacknowledged: z.number(),
  rejectedFuture: z.number(),
});

export const PauseRow: z.ZodType<StoredPause> = z.object({
  id: z.string(),
  kind: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  endedEarlyAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  createdAt: z.string(),
});

export const RollupRow: z.ZodType<StoredRollup> = z.object({
  hour: z.string(),
  deviceId: z.string(),
  type: z.string(),
  app: z.string(),
  count: z.number(),
});
