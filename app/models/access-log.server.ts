import { prisma } from "#app/utils/db.server.ts";

export const ACCESS_LOG_PAGE_SIZE = 25;

/**
 * What other people did with or about the worker's data: audit events whose
 * subject is the worker and whose actor is someone else. Reads only the
 * worker's own entries.
 */
export async function listAccessLog(workerId: string, page: number) {
  const where = { subjectUserId: workerId, actorId: { not: workerId } };
  const [total, events] = await prisma.$transaction([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * ACCESS_LOG_PAGE_SIZE,
      take: ACCESS_LOG_PAGE_SIZE,
      select: {
        id: true,
        at: true,
        action: true,
        metadata: true,
        actor: { select: { name: true, role: true } },
      },
    }),
  ]);
  return {
    total,
    events: events.map(({ metadata, ...e }) => ({ ...e, reason: reasonOf(metadata) })),
    pageCount: Math.max(1, Math.ceil(total / ACCESS_LOG_PAGE_SIZE)),
  };
}

/** The reason someone gave (exceptional access, a staff export), from the event's metadata. */
function reasonOf(metadata: string): string | null {
  try {
    const reason = (JSON.parse(metadata) as { reason?: unknown }).reason;
    return typeof reason === "string" ? reason : null;
  } catch {
    return null;
  }
}
