import { prisma } from "#app/utils/db.server.ts";

export const AUDIT_PAGE_SIZE = 50;

export async function listAuditEvents({ page }: { page: number }) {
  const [total, events] = await prisma.$transaction([
    prisma.auditEvent.count(),
    prisma.auditEvent.findMany({
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
      select: {
        id: true,
        at: true,
        action: true,
        targetType: true,
        targetId: true,
        actor: { select: { name: true, email: true } },
        subjectUser: { select: { name: true, email: true } },
      },
    }),
  ]);
  return { total, events, pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
}
