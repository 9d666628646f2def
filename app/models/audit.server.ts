import { WORKER_PRIVATE_ACTIONS } from "#app/domain/audit-actions.ts";
import { prisma } from "#app/utils/db.server.ts";

export const AUDIT_PAGE_SIZE = 50;

/**
 * The console's audit log, newest first. A worker's own privacy choices
 * (`WORKER_PRIVATE_ACTIONS`: forgets, private applications) are not listed:
 * staff never learn who forgot what, or which applications someone keeps private.
 */
export async function listAuditEvents({ page }: { page: number }) {
  const where = { action: { notIn: [...WORKER_PRIVATE_ACTIONS] } };
  const [total, events] = await prisma.$transaction([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
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
