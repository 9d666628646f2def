/**
 * What each small section of the export holds, pure: the rows as read (times
 * as stored, "…+00:00") turned into the JSON objects and CSV records written
 * to the archive. The events have their own module (SQLite formats them).
 */
import type { LocalTimeFormatter } from "./local-time-column.ts";
import { storedToUtc } from "./local-time-column.ts";

const utcOrNull = (stored: string | null) => (stored ? storedToUtc(stored) : null);

export type Account = {
  id: string;
  name: string;
  email: string;
  role: string;
  timezone: string;
  createdAt: Date;
  deactivatedAt: Date | null;
  manager: { name: string; email: string } | null;
};

/** profile.json's one row. */
export function profileJson(worker: Account) {
  return {
    id: worker.id,
    name: worker.name,
    email: worker.email,
    role: worker.role,
    timeZone: worker.timezone,
    manager: worker.manager,
    createdAt: worker.createdAt.toISOString(),
    deactivatedAt: worker.deactivatedAt?.toISOString() ?? null,
  };
}

/** A device as read; never its token hash. */
export type StoredDevice = {
  id: string;
  name: string;
  platform: string;
  agentVersion: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  storedEvents: number;
  discardedPaused: number;
  discardedExempt: number;
  discardedUnacknowledged: number;
  rejectedFuture: number;
};

export function deviceJson(d: StoredDevice) {
  return {
    id: d.id,
    name: d.name,
    platform: d.platform,
    agentVersion: d.agentVersion,
    enrolledAt: storedToUtc(d.createdAt),
    lastSeenAt: utcOrNull(d.lastSeenAt),
    revokedAt: utcOrNull(d.revokedAt),
    eventsStored: d.storedEvents,
    refusedDuringPauses: d.discardedPaused,
    refusedDuringExemptions: d.discardedExempt,
    refusedBeforeAcknowledgement: d.discardedUnacknowledged,
    refusedFutureDated: d.rejectedFuture,
  };
}

export type StoredPause = {
  id: string;
  kind: string;
  startsAt: string;
  endsAt: string;
  endedEarlyAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
};

export const PAUSE_CSV_COLUMNS = [
  "id",
  "kind",
  "starts_at_utc",
  "starts_at_local",
  "ends_at_utc",
  "ends_at_local",
  "ended_early_at_utc",
  "cancelled_at_utc",
  "created_at_utc",
] as const;

export function pauseCsvRecord(p: StoredPause, local: LocalTimeFormatter): unknown[] {
  return [
    p.id,
    p.kind,
    storedToUtc(p.startsAt),
    local(p.startsAt),
    storedToUtc(p.endsAt),
    local(p.endsAt),
    utcOrNull(p.endedEarlyAt),
    utcOrNull(p.cancelledAt),
    storedToUtc(p.createdAt),
  ];
}

export function pauseJson(p: StoredPause) {
  return {
    id: p.id,
    kind: p.kind,
    startsAt: storedToUtc(p.startsAt),
    endsAt: storedToUtc(p.endsAt),
    endedEarlyAt: utcOrNull(p.endedEarlyAt),
    cancelledAt: utcOrNull(p.cancelledAt),
    createdAt: storedToUtc(p.createdAt),
  };
}

export type StoredRollup = {
  hour: string;
  deviceId: string;
  type: string;
  app: string;
  count: number;
};

export const ROLLUP_CSV_COLUMNS = [
  "hour_utc",
  "hour_local",
  "device_id",
  "type",
  "app",
  "count",
] as const;

export function rollupCsvRecord(r: StoredRollup, local: LocalTimeFormatter): unknown[] {
  return [storedToUtc(r.hour), local(r.hour), r.deviceId, r.type, r.app, r.count];
}

/** Acknowledgement receipts and audit metadata are stored as JSON text; the export nests them. */
export function withParsedJson<K extends string, T extends Record<K, string>>(
  row: T,
  key: K,
): Omit<T, K> & Record<K, unknown> {
  return { ...row, [key]: JSON.parse(row[key]) as unknown };
}
