import { ORGANISATION_WIDE_ACCESSES } from "#app/domain/audit-actions.ts";
import { prisma } from "#app/utils/db.server.ts";

export const ACCESS_LOG_PAGE_SIZE = 25;

/**
 * What other people did with or about the worker's data: audit events whose
 * subject is the worker and whose actor is someone else, and the accesses
 * that covered everyone (the security audit export) since their account was
 * made. Each with the purpose named (ADR 0042) and any reason given.
 */
export async function listAccessLog(workerId: string, page: number) {
  const worker = await prisma.user.findUniqueOrThrow({
    where: { id: workerId },
    select: { createdAt: true },
  });
  const where = {
    OR: [
      { subjectUserId: workerId, actorId: { not: workerId } },
      {
        subjectUserId: null,
        action: { in: [...ORGANISATION_WIDE_ACCESSES] },
        at: { gte: worker.createdAt },
      },
    ],
  };
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
        purpose: { select: { key: true, name: true, version: true } },
      },
    }),
  ]);
  return {
    total,
    events: events.map(({ metadata, ...e }) => ({ ...e, metadata: parseMetadata(metadata) })),
    pageCount: Math.max(1, Math.ceil(total / ACCESS_LOG_PAGE_SIZE)),
  };
}

function parseMetadata(metadata: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(metadata);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
