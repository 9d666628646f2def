import type { RollupSplit, TimeRange } from "#app/domain/rollup-split.ts";

/**
 * A worker's event counts for /data and home, from the daily and hourly
 * rollups and the raw events (ADR 0030), in SQL (ADR 0032): one
 * implementation per provider (event-counts-sqlite.server.ts,
 * event-counts-postgres.server.ts); the split and the charts' buckets stay in
 * data-overview.server.ts.
 */
export type EventCountRow = { type: string; deviceId: string; app: string; count: number };

/** A rollup table by the resolution of its rows. */
export type RollupTable = "day" | "hour";

export interface EventCountStore {
  /**
   * Counts per (type, device, app) over a split, in one statement: its days
   * from `EventRollupDay`, its hours from `EventRollup`, its edges from the
   * raw events. Keys whose count is 0 are left out.
   */
  countsPerKey(workerId: string, split: RollupSplit): Promise<EventCountRow[]>;
  /**
   * Sums per (type, row time) of one rollup table over disjoint ranges, in
   * one statement: each range one seek in the table's covering (workerId,
   * time) index. `at` is the row's hour or day, in milliseconds. Raw SQL: a
   * year is thousands of rows, and Prisma's groupBy costs more than the query.
   */
  sumsPerType(
    table: RollupTable,
    workerId: string,
    ranges: readonly TimeRange[],
  ): Promise<{ type: string; at: number; count: number }[]>;
}
