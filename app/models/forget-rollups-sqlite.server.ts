/**
 * A forget's rollup adjustment on SQLite (ADR 0041): one set-based statement per period, so a
 * worker with a thousand devices costs two statements per hour and day, not one per row.
 * Times as the adapter stores them (ISO text, "+00:00").
 */
import type { Tx } from "#app/utils/db.server.ts";
import { toStoredDateTime as at } from "#app/utils/sqlite-adapter.server.ts";
import type { SubtractSpan } from "./forget-rollups-store.ts";

const gone = `WITH "gone" AS (
  SELECT "deviceId", "type", "app", COUNT(*) AS "n" FROM "Event"
  WHERE "workerId" = ? AND "at" >= ? AND "at" < ?
  GROUP BY "deviceId", "type", "app")`;

export const subtractSpanSqlite: SubtractSpan = (
  tx: Tx,
  { workerId, from, to, period, bucket },
) => {
  const table = period === "hour" ? "EventRollup" : "EventRollupDay";
  return tx.$executeRawUnsafe(
    `${gone}
     UPDATE "${table}" SET "count" = "count" - "gone"."n" FROM "gone"
     WHERE "${table}"."workerId" = ? AND "${table}"."${period}" = ?
       AND "${table}"."deviceId" = "gone"."deviceId" AND "${table}"."type" = "gone"."type"
       AND "${table}"."app" = "gone"."app"`,
    workerId,
    at(from),
    at(to),
    workerId,
    at(bucket),
  );
};
