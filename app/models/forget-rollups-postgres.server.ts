/**
 * A forget's rollup adjustment on PostgreSQL (ADR 0041): the same set-based statement as on
 * SQLite. Times are TIMESTAMP(3) holding UTC, passed as Dates.
 */
import type { Tx } from "#app/utils/db.server.ts";
import type { SubtractSpan } from "./forget-rollups-store.ts";

export const subtractSpanPostgres: SubtractSpan = (
  tx: Tx,
  { workerId, from, to, period, bucket },
) => {
  const table = period === "hour" ? "EventRollup" : "EventRollupDay";
  return tx.$executeRawUnsafe(
    `WITH "gone" AS (
       SELECT "deviceId", "type", "app", COUNT(*)::int AS "n" FROM "Event"
       WHERE "workerId" = $1 AND "at" >= $2::timestamp(3) AND "at" < $3::timestamp(3)
       GROUP BY "deviceId", "type", "app")
     UPDATE "${table}" SET "count" = "${table}"."count" - "gone"."n" FROM "gone"
     WHERE "${table}"."workerId" = $1 AND "${table}"."${period}" = $4::timestamp(3)
       AND "${table}"."deviceId" = "gone"."deviceId" AND "${table}"."type" = "gone"."type"
       AND "${table}"."app" = "gone"."app"`,
    workerId,
    from.toISOString(),
    to.toISOString(),
    bucket.toISOString(),
  );
};
