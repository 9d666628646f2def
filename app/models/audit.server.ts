import { WORKER_PRIVATE_ACTIONS } from "#app/domain/audit-actions.ts";
import { csvRow } from "#app/domain/csv.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma } from "#app/utils/db.server.ts";

export const AUDIT_PAGE_SIZE = 50;

/**
 * What the console's audit log lists (ADR 0042): what people did to or about
 * others, and what the system did. A person's own self-service actions (the
 * actor is the subject: signing in, pausing, forgetting, filing a request…)
 * are not browsable by name: they are the worker's own trail (Data history)
 * and go to the security audit export only. The worker's private choices
 * (ADR 0041) are left out whoever recorded them.
 */
function consoleWhere() {
  return {
    action: { notIn: [...WORKER_PRIVATE_ACTIONS] },
    OR: [
      { actorId: null },
      { subjectUserId: null },
      { NOT: { actorId: { equals: prisma.auditEvent.fields.subjectUserId } } },
    ],
  };
}

/** The console's audit log, newest first, and how many self-service entries it leaves out. */
export async function listAuditEvents({ page }: { page: number }) {
  const where = consoleWhere();
  const [total, all, events] = await prisma.$transaction([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.count(),
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
        purpose: { select: { name: true } },
      },
    }),
  ]);
  return {
    total,
    selfService: all - total,
    events,
    pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
  };
}

/** A person's own actions (actor = subject), newest first: their trail, on their Data history. */
export async function listOwnActions(userId: string, page: number, pageSize = 25) {
  const where = { actorId: userId, subjectUserId: userId };
  const [total, events] = await prisma.$transaction([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: { id: true, at: true, action: true },
    }),
  ]);
  return { total, events, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}

export const AUDIT_EXPORT_COLUMNS = [
  "at",
  "action",
  "actor_email",
  "actor_name",
  "subject_email",
  "subject_name",
  "target_type",
  "target_id",
  "purpose",
  "metadata",
] as const;

const EXPORT_PAGE = 1000;

/**
 * The security audit export (ADR 0042): every entry in [from, to), the
 * self-service ones included, as CSV, streamed a page at a time (keyset on
 * at and id, so memory stays flat). Recorded first, in its own command,
 * with the purpose named; every worker sees it in their access log.
 */
export async function exportAuditLog({
  actorId,
  purposeId,
  from,
  to,
  now,
}: {
  actorId: string;
  purposeId: string;
  from: Date;
  to: Date;
  now: Date;
}): Promise<ReadableStream<Uint8Array>> {
  await runCommand(now, ({ audit }) =>
    audit({
      actorId,
      subjectUserId: null,
      action: "audit.export",
      metadata: { from: from.toISOString(), to: to.toISOString() },
      purposeId,
      at: now,
    }),
  );
  const encoder = new TextEncoder();
  let cursor: { at: Date; id: string } | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvRow(AUDIT_EXPORT_COLUMNS)));
        return;
      }
      const after: { at: Date; id: string } | null = cursor;
      const rows = await prisma.auditEvent.findMany({
        where: {
          at: { gte: from, lt: to },
          ...(after
            ? { OR: [{ at: { gt: after.at } }, { at: after.at, id: { gt: after.id } }] }
            : {}),
        },
        orderBy: [{ at: "asc" }, { id: "asc" }],
        take: EXPORT_PAGE,
        select: {
          id: true,
          at: true,
          action: true,
          targetType: true,
          targetId: true,
          metadata: true,
          actor: { select: { name: true, email: true } },
          subjectUser: { select: { name: true, email: true } },
          purpose: { select: { key: true, version: true } },
        },
      });
      if (rows.length === 0) {
        controller.close();
        return;
      }
      cursor = { at: rows.at(-1)!.at, id: rows.at(-1)!.id };
      controller.enqueue(
        encoder.encode(
          rows
            .map((r) =>
              csvRow([
                r.at.toISOString(),
                r.action,
                r.actor?.email ?? "",
                r.actor?.name ?? "",
                r.subjectUser?.email ?? "",
                r.subjectUser?.name ?? "",
                r.targetType ?? "",
                r.targetId ?? "",
                r.purpose ? `${r.purpose.key}@${r.purpose.version}` : "",
                r.metadata,
              ]),
            )
            .join(""),
        ),
      );
    },
  });
}
