import {
  FLEET_HEALTH,
  FLEET_PAGE_SIZE,
  INGEST_DAYS_SHOWN,
  lastUtcDays,
  type FleetFilter,
} from "#app/domain/fleet-health.ts";
import { prisma } from "#app/utils/db.server.ts";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "#app/utils/sql-like.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";

/*
 * Fleet health for the privacy office: counts over the active devices (not
 * revoked, worker not deactivated), aggregated in SQL. Nothing here reads
 * collected events or their counts: the page is about agents, not people.
 *
 * Raw SQL because the counts are conditional sums over one join, which
 * Prisma's groupBy cannot express. Times are compared as the stored ISO text
 * (lexically ordered); the thresholds are those of app/domain/fleet-health.ts.
 */

const ACTIVE_DEVICES = `FROM "Device" d JOIN "User" u ON u."id" = d."workerId"
  WHERE d."revokedAt" IS NULL AND u."deactivatedAt" IS NULL`;

/**
 * 1 when the device is behind (see isBehind): the grace minute runs from the
 * later of the worker's last change and the device's enrollment. Parameter:
 * the stored time a minute before now.
 */
const BEHIND = `((d."lastStateVersion" IS NULL OR d."lastStateVersion" < u."stateVersion")
  AND MAX(COALESCE(u."stateVersionAt", '${toStoredDateTime(0)}'), d."createdAt") <= ?)`;

type Cutoffs = { stale: string; offline: string; behind: string };

function cutoffs(now: Date): Cutoffs {
  const t = now.getTime();
  return {
    stale: toStoredDateTime(t - FLEET_HEALTH.staleAfterMs),
    offline: toStoredDateTime(t - FLEET_HEALTH.offlineAfterMs),
    behind: toStoredDateTime(t - FLEET_HEALTH.behindGraceMs),
  };
}

type Count = number | bigint | null;

export type IngestDayCounts = {
  day: string;
  stored: number;
  discardedPaused: number;
  discardedExempt: number;
  discardedUnacknowledged: number;
  rejectedFuture: number;
};

export async function getFleetSummary(now: Date) {
  const at = cutoffs(now);
  const days = lastUtcDays(now, INGEST_DAYS_SHOWN);
  const [[totals], byPlatform, byVersion, ingest] = await Promise.all([
    prisma.$queryRawUnsafe<
      { total: Count; neverSeen: Count; stale: Count; offline: Count; behind: Count }[]
    >(
      `SELECT COUNT(*) AS "total",
              SUM(d."lastSeenAt" IS NULL) AS "neverSeen",
              SUM(d."lastSeenAt" < ?) AS "stale",
              SUM(d."lastSeenAt" < ?) AS "offline",
              SUM(${BEHIND}) AS "behind"
       ${ACTIVE_DEVICES}`,
      at.stale,
      at.offline,
      at.behind,
    ),
    prisma.$queryRawUnsafe<{ platform: string; count: Count }[]>(
      `SELECT d."platform" AS "platform", COUNT(*) AS "count" ${ACTIVE_DEVICES}
       GROUP BY d."platform" ORDER BY "count" DESC, "platform"`,
    ),
    prisma.$queryRawUnsafe<{ agentVersion: string; count: Count }[]>(
      `SELECT d."agentVersion" AS "agentVersion", COUNT(*) AS "count" ${ACTIVE_DEVICES}
       GROUP BY d."agentVersion" ORDER BY "count" DESC, "agentVersion" DESC`,
    ),
    prisma.ingestDay.findMany({ where: { day: { gte: days[0]!, lte: days.at(-1)! } } }),
  ]);
  const byDay = new Map(ingest.map((row) => [row.day, row]));
  return {
    total: Number(totals?.total ?? 0),
    neverSeen: Number(totals?.neverSeen ?? 0),
    staleOver15m: Number(totals?.stale ?? 0),
    offlineOver24h: Number(totals?.offline ?? 0),
    behind: Number(totals?.behind ?? 0),
    byPlatform: byPlatform.map((r) => ({ platform: r.platform, count: Number(r.count) })),
    byVersion: byVersion.map((r) => ({ agentVersion: r.agentVersion, count: Number(r.count) })),
    discardedPerDay: days.map((day): IngestDayCounts => ({
      day,
      stored: byDay.get(day)?.stored ?? 0,
      discardedPaused: byDay.get(day)?.discardedPaused ?? 0,
      discardedExempt: byDay.get(day)?.discardedExempt ?? 0,
      discardedUnacknowledged: byDay.get(day)?.discardedUnacknowledged ?? 0,
      rejectedFuture: byDay.get(day)?.rejectedFuture ?? 0,
    })),
  };
}

export type FleetDeviceRow = {
  id: string;
  name: string;
  ownerName: string;
  platform: string;
  agentVersion: string;
  lastSeenAt: Date | null;
  behind: boolean;
};

/**
 * One page of active devices, by owner name then device name, optionally
 * only those behind, stale (includes offline) or offline, and only owners
 * whose name contains `q`. Rows describe the agent, never what it collected.
 */
export async function listFleetDevices({
  filter,
  q,
  page,
  now,
}: {
  filter: FleetFilter;
  q: string;
  page: number;
  now: Date;
}) {
  const at = cutoffs(now);
  const conditions: string[] = [];
  const params: string[] = [];
  if (filter === "behind") {
    conditions.push(BEHIND);
    params.push(at.behind);
  } else if (filter === "stale") {
    conditions.push(`d."lastSeenAt" < ?`);
    params.push(at.stale);
  } else if (filter === "offline") {
    conditions.push(`d."lastSeenAt" < ?`);
    params.push(at.offline);
  }
  if (q) {
    conditions.push(`u."name" LIKE ? ${LIKE_ESCAPE_CLAUSE}`);
    params.push(likeContains(q));
  }
  const where = `${ACTIVE_DEVICES}${conditions.map((c) => ` AND ${c}`).join("")}`;
  const [[counted], rows] = await Promise.all([
    prisma.$queryRawUnsafe<{ total: Count }[]>(`SELECT COUNT(*) AS "total" ${where}`, ...params),
    prisma.$queryRawUnsafe<
      {
        id: string;
        name: string;
        ownerName: string;
        platform: string;
        agentVersion: string;
        lastSeenAt: string | Date | null;
        behind: Count;
      }[]
    >(
      `SELECT d."id" AS "id", d."name" AS "name", u."name" AS "ownerName",
              d."platform" AS "platform", d."agentVersion" AS "agentVersion",
              d."lastSeenAt" AS "lastSeenAt", ${BEHIND} AS "behind"
       ${where}
       ORDER BY u."name" COLLATE NOCASE, u."id", d."name" COLLATE NOCASE, d."id"
       LIMIT ? OFFSET ?`,
      at.behind,
      ...params,
      FLEET_PAGE_SIZE,
      (page - 1) * FLEET_PAGE_SIZE,
    ),
  ]);
  const total = Number(counted?.total ?? 0);
  return {
    total,
    pageCount: Math.max(1, Math.ceil(total / FLEET_PAGE_SIZE)),
    devices: rows.map((r): FleetDeviceRow => ({
      id: r.id,
      name: r.name,
      ownerName: r.ownerName,
      platform: r.platform,
      agentVersion: r.agentVersion,
      lastSeenAt: r.lastSeenAt === null ? null : new Date(r.lastSeenAt),
      behind: Number(r.behind) === 1,
    })),
  };
}
