import { prisma } from "#app/utils/db.server.ts";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "#app/utils/sql-like.ts";
import type { PeopleFilter, PeopleStore } from "./people-store.ts";

/**
 * The people search for SQLite: LIKE, which ignores case for ASCII letters.
 * Raw SQL because Prisma's `contains` cannot escape LIKE's wildcards here.
 */
function where({ query, role }: PeopleFilter) {
  const conditions: string[] = [];
  const params: string[] = [];
  if (query) {
    conditions.push(
      `(u."name" LIKE ? ${LIKE_ESCAPE_CLAUSE} OR u."email" LIKE ? ${LIKE_ESCAPE_CLAUSE})`,
    );
    params.push(likeContains(query), likeContains(query));
  }
  if (role) {
    conditions.push(`u."role" = ?`);
    params.push(role);
  }
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "", params };
}

export const sqlitePeopleStore: PeopleStore = {
  async searchPeople(filter, { limit, offset }) {
    const { sql, params } = where(filter);
    const [[counted], rows] = await prisma.$transaction([
      prisma.$queryRawUnsafe<{ total: number | bigint }[]>(
        `SELECT COUNT(*) AS "total" FROM "User" u ${sql}`,
        ...params,
      ),
      prisma.$queryRawUnsafe<unknown[]>(
        `SELECT u."id" AS "id", u."name" AS "name", u."email" AS "email", u."role" AS "role",
                u."timezone" AS "timezone", u."deactivatedAt" AS "deactivatedAt",
                m."name" AS "managerName"
         FROM "User" u LEFT JOIN "User" m ON m."id" = u."managerId"
         ${sql}
         ORDER BY u."name", u."id"
         LIMIT ? OFFSET ?`,
        ...params,
        limit,
        offset,
      ),
    ]);
    return { total: Number(counted?.total ?? 0), rows };
  },
};
