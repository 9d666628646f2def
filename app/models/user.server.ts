import type { Role } from "#app/domain/roles.ts";
import { prisma } from "#app/utils/db.server.ts";

export function findUserForSignIn(email: string) {
  return prisma.user.findUnique({
    where: { email },
    select: { id: true, deactivatedAt: true, password: { select: { hash: true } } },
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

export async function listPeople({
  query,
  role,
  page,
}: {
  query: string;
  role: Role | null;
  page: number;
}) {
  const where = {
    ...(query ? { OR: [{ name: { contains: query } }, { email: { contains: query } }] } : {}),
    ...(role ? { role } : {}),
  };
  const [total, people] = await prisma.$transaction([
    prisma.user.count({ where }),
    prisma.user.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (page - 1) * PEOPLE_PAGE_SIZE,
      take: PEOPLE_PAGE_SIZE,
      select: {
        id: true,
        name: true,
        email: true,
        role: true,
        timezone: true,
        deactivatedAt: true,
        manager: { select: { name: true } },
      },
    }),
  ]);
  return { total, people, pageCount: Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE)) };
}

export function countActivePeople() {
  return prisma.user.count({ where: { deactivatedAt: null } });
}
