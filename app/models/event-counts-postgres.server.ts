import { z } from "zod";
import { Prisma } from "#app/generated/prisma-postgres/client.ts";
import type { RollupSplit, TimeRange } from "#app/domain/rollup-split.ts";
import { prisma } from "#app/utils/db.server.ts";
import { SqlCount, SqlTime } from "#app/utils/sql-rows.ts";
import type { EventCountStore, RollupTable } from "./event-counts-store.ts";

/**
 * A worker's event counts' SQL for PostgreSQL. Times are TIMESTAMP(3) holding
 * UTC, passed as Dates; a list of ranges travels as two arrays of ISO times.
 * SUM over integers comes back as bigint: Number().
 */

function countArms(workerId: string, split: RollupSplit): Prisma.Sql[] {
  return [
    ...split.days.map(
      (p) => Prisma.sql`SELECT "type", "deviceId", "app", "count" FROM "EventRollupDay"
        WHERE "workerId" = ${workerId} AND "day" >= ${p.start} AND "day" < ${p.end}`,
    ),
    ...split.hours.map(
      (p) => Prisma.sql`SELECT "type", "deviceId", "app", "count" FROM "EventRollup"
        WHERE "workerId" = ${workerId} AND "hour" >= ${p.start} AND "hour" < ${p.end}`,
    ),
    ...split.edges.map(
      (p) => Prisma.sql`SELECT "type", "deviceId", "app", 1 AS "count" FROM "Event"
        WHERE "workerId" = ${workerId} AND "at" >= ${p.start} AND "at" < ${p.end}`,
    ),
  ];
}

const CountRow = z.object({ type: z.string(), deviceId: z.string(), app: z.string(), n: SqlCount });

const SumRow = z.object({
  type: z.string(),
  at: SqlTime.transform((t) => t.getTime()),
  n: SqlCount,
});

const TABLES = {
  day: { table: Prisma.raw(`"EventRollupDay"`), column: Prisma.raw(`"day"`) },
  hour: { table: Prisma.raw(`"EventRollup"`), column: Prisma.raw(`"hour"`) },
} as const;

const isoTimes = (times: Date[]) => times.map((t) => t.toISOString());

export const postgresEventCountStore: EventCountStore = {
  async countsPerKey(workerId, split) {
    const arms = countArms(workerId, split);
    if (arms.length === 0) return [];
    const rows = await prisma.$queryRaw<unknown[]>`
      SELECT "type", "deviceId", "app", SUM("count") AS "n"
      FROM (${Prisma.join(arms, " UNION ALL ")}) AS "pieces"
      GROUP BY "type", "deviceId", "app" HAVING SUM("count") > 0`;
    return rows.map((row) => {
      const r = CountRow.parse(row);
      return { type: r.type, deviceId: r.deviceId, app: r.app, count: r.n };
    });
  },

  async sumsPerType(resolution: RollupTable, workerId: string, ranges: readonly TimeRange[]) {
    if (ranges.length === 0) return [];
    const { table, column } = TABLES[resolution];
    const rows = await prisma.$queryRaw<unknown[]>`
      SELECT r."type", r.${column} AS "at", SUM(r."count") AS "n"
      FROM unnest(${isoTimes(ranges.map((s) => s.start))}::timestamp(3)[],
                  ${isoTimes(ranges.map((s) => s.end))}::timestamp(3)[]) AS s("from", "to")
      JOIN ${table} r ON r."workerId" = ${workerId}
        AND r.${column} >= s."from" AND r.${column} < s."to"
      GROUP BY r."type", r.${column}`;
    return rows.map((row) => {
      const r = SumRow.parse(row);
      return { type: r.type, at: r.at, count: r.n };
    });
  },
};
