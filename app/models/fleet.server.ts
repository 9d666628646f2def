import {
  FLEET_HEALTH,
  FLEET_PAGE_SIZE,
  INGEST_DAYS_SHOWN,
  lastUtcDays,
  type FleetFilter,
} from "#app/domain/fleet-health.ts";
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { postgresFleetStore } from "./fleet-postgres.server.ts";
import { sqliteFleetStore } from "./fleet-sqlite.server.ts";
import type { FleetCutoffs, FleetDeviceRow } from "./fleet-store.ts";

/*
 * Fleet health for the privacy office: counts over the active devices (not
 * revoked, worker not deactivated), aggregated in SQL (fleet-store.ts).
 * Nothing here reads collected events or their counts: the page is about
 * agents, not people. The thresholds are those of app/domain/fleet-health.ts.
 */

const store = byProvider({ sqlite: () => sqliteFleetStore, postgresql: () => postgresFleetStore });

function cutoffs(now: Date): FleetCutoffs {
  const t = now.getTime();
  return {
    stale: new Date(t - FLEET_HEALTH.staleAfterMs),
    offline: new Date(t - FLEET_HEALTH.offlineAfterMs),
    behind: new Date(t - FLEET_HEALTH.behindGraceMs),
  };
}

export type IngestDayCounts = {
  day: string;
  stored: number;
  discardedPaused: number;
  discardedExempt: number;
  discardedUnacknowledged: number;
  rejectedFuture: number;
};

export async function getFleetSummary(now: Date) {
  const at = cutoffs(now);
  const days = lastUtcDays(now, INGEST_DAYS_SHOWN);
  const [totals, byPlatform, byVersion, ingest] = await Promise.all([
    store().deviceCounts(at),
    store().countsByPlatform(),
    store().countsByVersion(),
    prisma.ingestDay.findMany({ where: { day: { gte: days[0]!, lte: days.at(-1)! } } }),
  ]);
  const byDay = new Map(ingest.map((row) => [row.day, row]));
  return {
    total: totals.total,
    neverSeen: totals.neverSeen,
    staleOver15m: totals.stale,
    offlineOver24h: totals.offline,
    behind: totals.behind,
    byPlatform,
    byVersion,
    discardedPerDay: days.map((day): IngestDayCounts => ({
      day,
      stored: byDay.get(day)?.stored ?? 0,
      discardedPaused: byDay.get(day)?.discardedPaused ?? 0,
      discardedExempt: byDay.get(day)?.discardedExempt ?? 0,
      discardedUnacknowledged: byDay.get(day)?.discardedUnacknowledged ?? 0,
      rejectedFuture: byDay.get(day)?.rejectedFuture ?? 0,
    })),
  };
}

export type { FleetDeviceRow };

/**
 * One page of active devices, by owner name then device name, optionally
 * only those behind, stale (includes offline) or offline, and only owners
 * whose name contains `q`. Rows describe the agent, never what it collected.
 */
export async function listFleetDevices({
  filter,
  q,
  page,
  now,
}: {
  filter: FleetFilter;
  q: string;
  page: number;
  now: Date;
}) {
  const { total, rows } = await store().devicePage({ filter, q }, cutoffs(now), {
    limit: FLEET_PAGE_SIZE,
    offset: (page - 1) * FLEET_PAGE_SIZE,
  });
  return {
    total,
    pageCount: Math.max(1, Math.ceil(total / FLEET_PAGE_SIZE)),
    devices: rows,
  };
}
