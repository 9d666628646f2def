import { prisma } from "#app/utils/db.server.ts";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "#app/utils/sql-like.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { Rows, type FleetCutoffs, type FleetDeviceQuery, type FleetStore } from "./fleet-store.ts";

/*
 * Fleet health's SQL for SQLite. Times are compared as the stored ISO text
 * (lexically ordered).
 */

const ACTIVE_DEVICES = `FROM "Device" d JOIN "User" u ON u."id" = d."workerId"
  WHERE d."revokedAt" IS NULL AND u."deactivatedAt" IS NULL`;

/** 1 when the device is behind (see fleet-store.ts). Parameter: the stored time a minute before now. */
const BEHIND = `((d."lastStateVersion" IS NULL OR d."lastStateVersion" < u."stateVersion")
  AND MAX(COALESCE(u."stateVersionAt", '${toStoredDateTime(0)}'), d."createdAt") <= ?)`;

function conditions({ filter, q }: FleetDeviceQuery, at: FleetCutoffs) {
  const sql: string[] = [];
  const params: string[] = [];
  if (filter === "behind") {
    sql.push(BEHIND);
    params.push(toStoredDateTime(at.behind));
  } else if (filter === "stale") {
    sql.push(`d."lastSeenAt" < ?`);
    params.push(toStoredDateTime(at.stale));
  } else if (filter === "offline") {
    sql.push(`d."lastSeenAt" < ?`);
    params.push(toStoredDateTime(at.offline));
  }
  if (q) {
    sql.push(`u."name" LIKE ? ${LIKE_ESCAPE_CLAUSE}`);
    params.push(likeContains(q));
  }
  return { where: `${ACTIVE_DEVICES}${sql.map((c) => ` AND ${c}`).join("")}`, params };
}

export const sqliteFleetStore: FleetStore = {
  async deviceCounts(at) {
    const [totals] = Rows.deviceCounts.parse(
      await prisma.$queryRawUnsafe(
        `SELECT COUNT(*) AS "total",
              SUM(d."lastSeenAt" IS NULL) AS "neverSeen",
              SUM(d."lastSeenAt" < ?) AS "stale",
              SUM(d."lastSeenAt" < ?) AS "offline",
              SUM(${BEHIND}) AS "behind"
       ${ACTIVE_DEVICES}`,
        toStoredDateTime(at.stale),
        toStoredDateTime(at.offline),
        toStoredDateTime(at.behind),
      ),
    );
    return totals ?? { total: 0, neverSeen: 0, stale: 0, offline: 0, behind: 0 };
  },

  async countsByPlatform() {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT d."platform" AS "platform", COUNT(*) AS "count" ${ACTIVE_DEVICES}
       GROUP BY d."platform" ORDER BY "count" DESC, "platform"`,
    );
    return Rows.byPlatform.parse(rows);
  },

  async countsByVersion() {
    const rows = await prisma.$queryRawUnsafe(
      `SELECT d."agentVersion" AS "agentVersion", COUNT(*) AS "count" ${ACTIVE_DEVICES}
       GROUP BY d."agentVersion" ORDER BY "count" DESC, "agentVersion" DESC`,
    );
    return Rows.byVersion.parse(rows);
  },

  async devicePage(query, at, { limit, offset }) {
    const { where, params } = conditions(query, at);
    const [counted, rows] = await Promise.all([
      prisma.$queryRawUnsafe(`SELECT COUNT(*) AS "total" ${where}`, ...params),
      prisma.$queryRawUnsafe(
        `SELECT d."id" AS "id", d."name" AS "name", u."name" AS "ownerName",
                d."platform" AS "platform", d."agentVersion" AS "agentVersion",
                d."lastSeenAt" AS "lastSeenAt", ${BEHIND} AS "behind"
         ${where}
         ORDER BY u."name" COLLATE NOCASE, u."id", d."name" COLLATE NOCASE, d."id"
         LIMIT ? OFFSET ?`,
        toStoredDateTime(at.behind),
        ...params,
        limit,
        offset,
      ),
    ]);
    return { total: Rows.total.parse(counted)[0]?.total ?? 0, rows: Rows.devices.parse(rows) };
  },
};
