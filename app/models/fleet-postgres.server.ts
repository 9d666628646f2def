import { Prisma } from "#app/generated/prisma-postgres/client.ts";
import { prisma } from "#app/utils/db.server.ts";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "#app/utils/sql-like.ts";
import type { FleetCutoffs, FleetDeviceQuery, FleetDeviceRow, FleetStore } from "./fleet-store.ts";

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

type Count = number | bigint | string | null;

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
    const [totals] = await prisma.$queryRaw<
      { total: Count; neverSeen: Count; stale: Count; offline: Count; behind: Count }[]
    >`
      SELECT COUNT(*) AS "total",
             COUNT(*) FILTER (WHERE d."lastSeenAt" IS NULL) AS "neverSeen",
             COUNT(*) FILTER (WHERE d."lastSeenAt" < ${at.stale}) AS "stale",
             COUNT(*) FILTER (WHERE d."lastSeenAt" < ${at.offline}) AS "offline",
             COUNT(*) FILTER (WHERE ${behind(at)}) AS "behind"
      ${ACTIVE_DEVICES}`;
    return {
      total: Number(totals?.total ?? 0),
      neverSeen: Number(totals?.neverSeen ?? 0),
      stale: Number(totals?.stale ?? 0),
      offline: Number(totals?.offline ?? 0),
      behind: Number(totals?.behind ?? 0),
    };
  },

  async countsByPlatform() {
    const rows = await prisma.$queryRaw<{ platform: string; count: Count }[]>`
      SELECT d."platform" AS "platform", COUNT(*) AS "count" ${ACTIVE_DEVICES}
      GROUP BY d."platform" ORDER BY "count" DESC, "platform"`;
    return rows.map((r) => ({ platform: r.platform, count: Number(r.count) }));
  },

  async countsByVersion() {
    const rows = await prisma.$queryRaw<{ agentVersion: string; count: Count }[]>`
      SELECT d."agentVersion" AS "agentVersion", COUNT(*) AS "count" ${ACTIVE_DEVICES}
      GROUP BY d."agentVersion" ORDER BY "count" DESC, "agentVersion" DESC`;
    return rows.map((r) => ({ agentVersion: r.agentVersion, count: Number(r.count) }));
  },

  async devicePage(query, at, { limit, offset }) {
    const condition = where(query, at);
    const [[counted], rows] = await Promise.all([
      prisma.$queryRaw<{ total: Count }[]>`SELECT COUNT(*) AS "total" ${condition}`,
      prisma.$queryRaw<
        (Omit<FleetDeviceRow, "lastSeenAt"> & { lastSeenAt: string | Date | null })[]
      >`
        SELECT d."id" AS "id", d."name" AS "name", u."name" AS "ownerName",
               d."platform" AS "platform", d."agentVersion" AS "agentVersion",
               d."lastSeenAt" AS "lastSeenAt", ${behind(at)} AS "behind"
        ${condition}
        ORDER BY lower(u."name"), u."id", lower(d."name"), d."id"
        LIMIT ${limit} OFFSET ${offset}`,
    ]);
    return {
      total: Number(counted?.total ?? 0),
      rows: rows.map((r): FleetDeviceRow => ({
        ...r,
        lastSeenAt: r.lastSeenAt === null ? null : new Date(r.lastSeenAt),
        behind: r.behind === true,
      })),
    };
  },
};
