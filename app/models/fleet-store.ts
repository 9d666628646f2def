import { z } from "zod";
import type { FleetFilter } from "#app/domain/fleet-health.ts";
import { SqlCount, SqlTime } from "#app/utils/sql-rows.ts";

/**
 * Fleet health's counts over the active devices (not revoked, worker not
 * deactivated), in SQL (ADR 0032): one implementation per provider
 * (fleet-sqlite.server.ts, fleet-postgres.server.ts); thresholds and shaping
 * stay in fleet.server.ts. Raw SQL because the counts are conditional sums
 * over one join, which Prisma's groupBy cannot express.
 *
 * A device is behind (see isBehind in app/domain/fleet-health.ts) when it
 * holds an older state version than its worker's and the grace minute, from
 * the later of the worker's last change and the device's enrollment, ended
 * at or before `behind`.
 */
export type FleetCutoffs = {
  /** Last seen before this: stale. */
  stale: Date;
  /** Last seen before this: offline. */
  offline: Date;
  /** A minute before now. */
  behind: Date;
};

export type FleetDeviceQuery = {
  filter: FleetFilter;
  /** Only owners whose name contains this (ignoring case, wildcards taken literally). */
  q: string;
};

/** The rows each implementation reads, parsed by both. */
export const Rows = {
  deviceCounts: z.array(
    z.object({
      total: SqlCount,
      neverSeen: SqlCount,
      stale: SqlCount,
      offline: SqlCount,
      behind: SqlCount,
    }),
  ),
  byPlatform: z.array(z.object({ platform: z.string(), count: SqlCount })),
  byVersion: z.array(z.object({ agentVersion: z.string(), count: SqlCount })),
  total: z.array(z.object({ total: SqlCount })),
  devices: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      ownerName: z.string(),
      platform: z.string(),
      agentVersion: z.string(),
      lastSeenAt: SqlTime.nullable(),
      // SQLite answers 0 or 1, PostgreSQL a boolean.
      behind: z.union([z.boolean(), SqlCount]).transform((v) => v === true || v === 1),
    }),
  ),
};

export type FleetDeviceRow = z.infer<typeof Rows.devices>[number];

export interface FleetStore {
  deviceCounts(at: FleetCutoffs): Promise<{
    total: number;
    neverSeen: number;
    stale: number;
    offline: number;
    behind: number;
  }>;
  /** By count, most first, then by platform. */
  countsByPlatform(): Promise<{ platform: string; count: number }[]>;
  /** By count, most first, then by version, newest text first. */
  countsByVersion(): Promise<{ agentVersion: string; count: number }[]>;
  /**
   * How many devices match, and one page of them by owner name then device
   * name (ignoring case; ids break ties).
   */
  devicePage(
    query: FleetDeviceQuery,
    at: FleetCutoffs,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; rows: FleetDeviceRow[] }>;
}
