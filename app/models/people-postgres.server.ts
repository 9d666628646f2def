import { Prisma } from "#app/generated/prisma-postgres/client.ts";
import { prisma } from "#app/utils/db.server.ts";
import { LIKE_ESCAPE_CLAUSE, likeContains } from "#app/utils/sql-like.ts";
import type { PeopleFilter, PeopleStore } from "./people-store.ts";

/**
 * The people search for PostgreSQL: ILIKE, since PostgreSQL's LIKE heeds
 * case (ILIKE ignores it for every letter, not only ASCII ones: ADR 0034).
 */
function where({ query, role }: PeopleFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (query) {
    const pattern = likeContains(query);
    const escape = Prisma.raw(LIKE_ESCAPE_CLAUSE);
    conditions.push(
      Prisma.sql`(u."name" ILIKE ${pattern} ${escape} OR u."email" ILIKE ${pattern} ${escape})`,
    );
  }
  if (role) conditions.push(Prisma.sql`u."role" = ${role}::"Role"`);
  return conditions.length > 0
    ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`
    : Prisma.empty;
}

export const postgresPeopleStore: PeopleStore = {
  async searchPeople(filter, { limit, offset }) {
    const condition = where(filter);
    const [[counted], rows] = await prisma.$transaction([
      prisma.$queryRaw<{ total: number | bigint | string }[]>`
        SELECT COUNT(*) AS "total" FROM "User" u ${condition}`,
      prisma.$queryRaw<unknown[]>`
        SELECT u."id" AS "id", u."name" AS "name", u."email" AS "email",
               u."role"::text AS "role", u."timezone" AS "timezone",
               u."deactivatedAt" AS "deactivatedAt", m."name" AS "managerName"
        FROM "User" u LEFT JOIN "User" m ON m."id" = u."managerId"
        ${condition}
        ORDER BY u."name", u."id"
        LIMIT ${limit} OFFSET ${offset}`,
    ]);
    return { total: Number(counted?.total ?? 0), rows };
  },
};
