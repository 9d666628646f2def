import { z } from "zod";
import type { RollupSplit, TimeRange } from "#app/domain/rollup-split.ts";
import { prisma } from "#app/utils/db.server.ts";
import { SqlCount, SqlTime } from "#app/utils/sql-rows.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type { EventCountStore, RollupTable } from "./event-counts-store.ts";

/** A worker's event counts' SQL for SQLite; times compared as the stored ISO text. */

/** One UNION ALL arm per piece: its rows' (type, device, app) and count. */
function countArms(workerId: string, split: RollupSplit) {
  const arms: string[] = [];
  const args: string[] = [];
  const arm = (sql: string, piece: TimeRange) => {
    arms.push(sql);
    args.push(workerId, toStoredDateTime(piece.start), toStoredDateTime(piece.end));
  };
  for (const piece of split.days)
    arm(
      `SELECT "type", "deviceId", "app", "count" FROM "EventRollupDay" WHERE "workerId" = ? AND "day" >= ? AND "day" < ?`,
      piece,
    );
  for (const piece of split.hours)
    arm(
      `SELECT "type", "deviceId", "app", "count" FROM "EventRollup" WHERE "workerId" = ? AND "hour" >= ? AND "hour" < ?`,
      piece,
    );
  for (const piece of split.edges)
    arm(
      `SELECT "type", "deviceId", "app", 1 AS "count" FROM "Event" WHERE "workerId" = ? AND "at" >= ? AND "at" < ?`,
      piece,
    );
  return { arms, args };
}

const CountRow = z.object({
  type: z.string(),
  deviceId: z.string(),
  app: z.string(),
  n: SqlCount,
});

const SumRow = z.object({
  type: z.string(),
  at: SqlTime.transform((t) => t.getTime()),
  n: SqlCount,
});

const TABLES = {
  day: { table: "EventRollupDay", column: "day" },
  hour: { table: "EventRollup", column: "hour" },
} as const;

export const sqliteEventCountStore: EventCountStore = {
  async countsPerKey(workerId, split) {
    const { arms, args } = countArms(workerId, split);
    if (arms.length === 0) return [];
    const rows = await prisma.$queryRawUnsafe<unknown[]>(
      `SELECT "type", "deviceId", "app", SUM("count") AS "n" FROM (${arms.join(" UNION ALL ")})
       GROUP BY "type", "deviceId", "app" HAVING SUM("count") > 0`,
      ...args,
    );
    return rows.map((row) => {
      const r = CountRow.parse(row);
      return { type: r.type, deviceId: r.deviceId, app: r.app, count: r.n };
    });
  },

  /**
   * CROSS JOIN keeps the ranges as SQLite's outer loop; with a plain JOIN it
   * walked all the worker's rows once per range.
   */
  async sumsPerType(resolution: RollupTable, workerId: string, ranges: readonly TimeRange[]) {
    if (ranges.length === 0) return [];
    const { table, column } = TABLES[resolution];
    const rows = await prisma.$queryRawUnsafe<unknown[]>(
      `WITH "span"("from", "to") AS (VALUES ${ranges.map(() => "(?, ?)").join(", ")})
       SELECT "type", "${column}" AS "at", SUM("count") AS "n"
       FROM "span" CROSS JOIN "${table}" ON "workerId" = ? AND "${column}" >= "span"."from" AND "${column}" < "span"."to"
       GROUP BY "type", "${column}"`,
      ...ranges.flatMap((r) => [toStoredDateTime(r.start), toStoredDateTime(r.end)]),
      workerId,
    );
    return rows.map((row) => {
      const r = SumRow.parse(row);
      return { type: r.type, at: r.at, count: r.n };
    });
  },
};
