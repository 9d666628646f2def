import { z } from "zod";
import { ROLES, type Role } from "#app/domain/roles.ts";
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { postgresPeopleStore } from "./people-postgres.server.ts";
import { sqlitePeopleStore } from "./people-sqlite.server.ts";

/** The people search's raw SQL, in this process's database's dialect (ADR 0032). */
const peopleStore = byProvider({
  sqlite: () => sqlitePeopleStore,
  postgresql: () => postgresPeopleStore,
});

export function findUserForSignIn(email: string) {
  return prisma.user.findUnique({
    where: { email },
    select: {
      id: true,
      deactivatedAt: true,
      password: { select: { hash: true } },
      twoFactor: { select: { enabledAt: true } },
    },
  });
}

/** A person's account as pages and exports show it: who they are, never what was collected. */
export const accountSelect = {
  id: true,
  name: true,
  email: true,
  role: true,
  timezone: true,
  createdAt: true,
  deactivatedAt: true,
  manager: { select: { name: true, email: true } },
} as const;

export function getUserProfile(userId: string) {
  return prisma.user.findUnique({ where: { id: userId }, select: accountSelect });
}

export const PEOPLE_PAGE_SIZE = 25;

const PersonRow = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  timezone: z.string(),
  // The adapter hands back a stored DateTime as its ISO text.
  deactivatedAt: z
    .union([z.string(), z.date()])
    .nullable()
    .transform((v) => (v === null ? null : new Date(v))),
  managerName: z.string().nullable(),
});

/**
 * One page of the people directory, by name, optionally only those whose name
 * or email contains `query` (ignoring case; wildcards taken literally, so a
 * search for "%" finds names with a "%" in them) and only one role. Raw SQL
 * because Prisma's `contains` cannot escape LIKE's wildcards on SQLite.
 */
export async function listPeople({
  query,
  role,
  page,
}: {
  query: string;
  role: Role | null;
  page: number;
}) {
  const { total, rows } = await peopleStore().searchPeople(
    { query, role },
    { limit: PEOPLE_PAGE_SIZE, offset: (page - 1) * PEOPLE_PAGE_SIZE },
  );
  const people = z
    .array(PersonRow)
    .parse(rows)
    .map(({ managerName, ...person }) => ({
      ...person,
      manager: managerName === null ? null : { name: managerName },
    }));
  return { total, people, pageCount: Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE)) };
}

export function countActivePeople() {
  return prisma.user.count({ where: { deactivatedAt: null } });
}
