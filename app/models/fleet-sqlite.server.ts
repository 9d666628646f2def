import { prisma } from "#app/utils/db.server.ts";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "#app/utils/sql-like.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type { FleetCutoffs, FleetDeviceQuery, FleetDeviceRow, FleetStore } from "./fleet-store.ts";

/*
 * Fleet health's SQL for SQLite. Times are compared as the stored ISO text
 * (lexically ordered).
 */

const ACTIVE_DEVICES = `FROM "Device" d JOIN "User" u ON u."id" = d."workerId"
  WHERE d."revokedAt" IS NULL AND u."deactivatedAt" IS NULL`;

/** 1 when the device is behind (see fleet-store.ts). Parameter: the stored time a minute before now. */
const BEHIND = `((d."lastStateVersion" IS NULL OR d."lastStateVersion" < u."stateVersion")
  AND MAX(COALESCE(u."stateVersionAt", '${toStoredDateTime(0)}'), d."createdAt") <= ?)`;

type Count = number | bigint | null;

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
    const [totals] = await prisma.$queryRawUnsafe<
      { total: Count; neverSeen: Count; stale: Count; offline: Count; behind: Count }[]
    >(
      `SELECT COUNT(*) AS "total",
              SUM(d."lastSeenAt" IS NULL) AS "neverSeen",
              SUM(d."lastSeenAt" < ?) AS "stale",
              SUM(d."lastSeenAt" < ?) AS "offline",
              SUM(${BEHIND}) AS "behind"
       ${ACTIVE_DEVICES}`,
      toStoredDateTime(at.stale),
      toStoredDateTime(at.offline),
      toStoredDateTime(at.behind),
    );
    return {
      total: Number(totals?.total ?? 0),
      neverSeen: Number(totals?.neverSeen ?? 0),
      stale: Number(totals?.stale ?? 0),
      offline: Number(totals?.offline ?? 0),
      behind: Number(totals?.behind ?? 0),
    };
  },

  async countsByPlatform() {
    const rows = await prisma.$queryRawUnsafe<{ platform: string; count: Count }[]>(
      `SELECT d."platform" AS "platform", COUNT(*) AS "count" ${ACTIVE_DEVICES}
       GROUP BY d."platform" ORDER BY "count" DESC, "platform"`,
    );
    return rows.map((r) => ({ platform: r.platform, count: Number(r.count) }));
  },

  async countsByVersion() {
    const rows = await prisma.$queryRawUnsafe<{ agentVersion: string; count: Count }[]>(
      `SELECT d."agentVersion" AS "agentVersion", COUNT(*) AS "count" ${ACTIVE_DEVICES}
       GROUP BY d."agentVersion" ORDER BY "count" DESC, "agentVersion" DESC`,
    );
    return rows.map((r) => ({ agentVersion: r.agentVersion, count: Number(r.count) }));
  },

  async devicePage(query, at, { limit, offset }) {
    const { where, params } = conditions(query, at);
    const [[counted], rows] = await Promise.all([
      prisma.$queryRawUnsafe<{ total: Count }[]>(`SELECT COUNT(*) AS "total" ${where}`, ...params),
      prisma.$queryRawUnsafe<
        (Omit<FleetDeviceRow, "lastSeenAt" | "behind"> & {
          lastSeenAt: string | Date | null;
          behind: Count;
        })[]
      >(
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
    return {
      total: Number(counted?.total ?? 0),
      rows: rows.map((r): FleetDeviceRow => ({
        ...r,
        lastSeenAt: r.lastSeenAt === null ? null : new Date(r.lastSeenAt),
        behind: Number(r.behind) === 1,
      })),
    };
  },
};
