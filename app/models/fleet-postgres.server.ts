import { Prisma } from "#app/generated/prisma-postgres/client.ts";
import { prisma } from "#app/utils/db.server.ts";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "#app/utils/sql-like.ts";
import { Rows, type FleetCutoffs, type FleetDeviceQuery, type FleetStore } from "./fleet-store.ts";

/*
 * Fleet health's SQL for PostgreSQL: conditional counts with FILTER, names
 * searched with ILIKE and ordered by lower() (SQLite's LIKE and NOCASE ignore
 * case; PostgreSQL's LIKE and ordering heed it: ADR 0034).
 */

const ACTIVE_DEVICES = Prisma.sql`FROM "Device" d JOIN "User" u ON u."id" = d."workerId"
  WHERE d."revokedAt" IS NULL AND u."deactivatedAt" IS NULL`;

/** True when the device is behind (see fleet-store.ts). */
const behind = (at: FleetCutoffs) => Prisma.sql`((d."lastStateVersion" IS NULL
    OR d."lastStateVersion" < u."stateVersion")
  AND GREATEST(COALESCE(u."stateVersionAt", TIMESTAMP '1970-01-01 00:00:00'), d."createdAt")
      <= ${at.behind})`;

function where({ filter, q }: FleetDeviceQuery, at: FleetCutoffs): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (filter === "behind") conditions.push(behind(at));
  else if (filter === "stale") conditions.push(Prisma.sql`d."lastSeenAt" < ${at.stale}`);
  else if (filter === "offline") conditions.push(Prisma.sql`d."lastSeenAt" < ${at.offline}`);
  if (q) {
    conditions.push(
      Prisma.sql`u."name" ILIKE ${likeContains(q)} ${Prisma.raw(LIKE_ESCAPE_CLAUSE)}`,
    );
  }
  return conditions.length === 0
    ? ACTIVE_DEVICES
    : Prisma.sql`${ACTIVE_DEVICES} AND ${Prisma.join(conditions, " AND ")}`;
}

export const postgresFleetStore: FleetStore = {
  async deviceCounts(at) {
    const [totals] = Rows.deviceCounts.parse(
      await prisma.$queryRaw`
      SELECT COUNT(*) AS "total",
             COUNT(*) FILTER (WHERE d."lastSeenAt" IS NULL) AS "neverSeen",
             COUNT(*) FILTER (WHERE d."lastSeenAt" < ${at.stale}) AS "stale",
             COUNT(*) FILTER (WHERE d."lastSeenAt" < ${at.offline}) AS "offline",
             COUNT(*) FILTER (WHERE ${behind(at)}) AS "behind"
      ${ACTIVE_DEVICES}`,
    );
    return totals ?? { total: 0, neverSeen: 0, stale: 0, offline: 0, behind: 0 };
  },

  async countsByPlatform() {
    const rows = await prisma.$queryRaw`
      SELECT d."platform" AS "platform", COUNT(*) AS "count" ${ACTIVE_DEVICES}
      GROUP BY d."platform" ORDER BY "count" DESC, "platform"`;
    return Rows.byPlatform.parse(rows);
  },

  async countsByVersion() {
    const rows = await prisma.$queryRaw`
      SELECT d."agentVersion" AS "agentVersion", COUNT(*) AS "count" ${ACTIVE_DEVICES}
      GROUP BY d."agentVersion" ORDER BY "count" DESC, "agentVersion" DESC`;
    return Rows.byVersion.parse(rows);
  },

  async devicePage(query, at, { limit, offset }) {
    const condition = where(query, at);
    const [counted, rows] = await Promise.all([
      prisma.$queryRaw`SELECT COUNT(*) AS "total" ${condition}`,
      prisma.$queryRaw`
        SELECT d."id" AS "id", d."name" AS "name", u."name" AS "ownerName",
               d."platform" AS "platform", d."agentVersion" AS "agentVersion",
               d."lastSeenAt" AS "lastSeenAt", ${behind(at)} AS "behind"
        ${condition}
        ORDER BY lower(u."name"), u."id", lower(d."name"), d."id"
        LIMIT ${limit} OFFSET ${offset}`,
    ]);
    return { total: Rows.total.parse(counted)[0]?.total ?? 0, rows: Rows.devices.parse(rows) };
  },
};
