import type { AuditAction } from "#app/domain/audit-actions.ts";
import {
  COVERING_EXEMPTION_STATUSES,
  type ExemptionReason,
  type ExemptionStatus,
  type StoredExemption,
} from "#app/domain/exemption.ts";
import { REASON_LABELS, STATUS_LABELS } from "#app/domain/exemption-labels.ts";
import { evaluateExemptionDraft, type ExemptionDraft } from "#app/domain/exemption-draft.ts";
import {
  decideTransition,
  type ActorRole,
  type ExemptionAction,
} from "#app/domain/exemption-transitions.ts";
import { fromColumns } from "#app/domain/exemption-columns.ts";
import { refuse, refuseAll, type Refused } from "#app/domain/refusal.ts";
import type { Prisma } from "#app/generated/prisma/client.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { createNotification } from "./notification.server.ts";

const storedSelect = {
  id: true,
  status: true,
  startsAt: true,
  endsAt: true,
  endedEarlyAt: true,
  scopeTypes: true,
  recurrenceDays: true,
  recurrenceStart: true,
  recurrenceEnd: true,
  timeZone: true,
} as const;

/**
 * The worker's exemptions that cover time (`COVERING_EXEMPTION_STATUSES`) and overlap [from, to):
 * what the collection decision needs, for the agents' windows, the home page and the charts.
 */
export async function listExemptionsCovering(
  workerId: string,
  from: Date,
  to: Date,
  client: Tx = prisma,
) {
  return (await listExemptionsCoveringFor([workerId], from, to, client)).get(workerId) ?? [];
}

/** `listExemptionsCovering` for many workers in one query, by worker. */
export async function listExemptionsCoveringFor(
  workerIds: readonly string[],
  from: Date,
  to: Date,
  client: Tx = prisma,
): Promise<Map<string, StoredExemption[]>> {
  const rows = await client.exemptionRequest.findMany({
    where: { workerId: { in: [...workerIds] }, ...coveringWhere(from, to) },
    select: { ...storedSelect, workerId: true },
  });
  const byWorker = new Map<string, StoredExemption[]>();
  for (const { workerId, ...row } of rows) {
    const list = byWorker.get(workerId);
    if (list) list.push(fromColumns(row));
    else byWorker.set(workerId, [fromColumns(row)]);
  }
  return byWorker;
}

function coveringWhere(from: Date, to: Date) {
  return {
    status: { in: [...COVERING_EXEMPTION_STATUSES] },
    startsAt: { lt: to },
    endsAt: { gt: from },
    OR: [{ endedEarlyAt: null }, { endedEarlyAt: { gt: from } }],
  } satisfies Prisma.ExemptionRequestWhereInput;
}

export type FileExemptionInput = ExemptionDraft & {
  reason: ExemptionReason;
  justification: string;
};

/**
 * Refused: `invalid`, each broken rule an issue (code `invalid`) on its
 * `DraftField` (start, end, recurrenceDays, recurrenceEnd, scopeTypes).
 */
export type FileExemptionResult = { ok: true; id: string } | Refused;

export async function fileExemptionRequest({
  workerId,
  input,
  now,
}: {
  workerId: string;
  input: FileExemptionInput;
  now: Date;
}): Promise<FileExemptionResult> {
  return runCommand(now, async ({ tx, audit }): Promise<FileExemptionResult> => {
    const { maxExemptionDays } = await tx.policy.findUniqueOrThrow({
      where: { id: 1 },
      select: { maxExemptionDays: true },
    });
    const violations = evaluateExemptionDraft(input, { maxExemptionDays, now });
    if (violations.length > 0) {
      return refuseAll(
        "invalid",
        violations.map((v) => ({ code: "invalid", message: v.message, field: v.field })),
      );
    }
    const created = await tx.exemptionRequest.create({
      data: {
        workerId,
        reason: input.reason,
        justification: input.justification,
        scopeTypes: input.scopeTypes ? input.scopeTypes.join(",") : null,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        recurrenceDays: input.recurrence ? input.recurrence.days.join(",") : null,
        recurrenceStart: input.recurrence?.startTime ?? null,
        recurrenceEnd: input.recurrence?.endTime ?? null,
        timeZone: input.timeZone,
        createdAt: now,
        history: { create: { toStatus: "PENDING", actorId: workerId, at: now } },
      },
      select: { id: true },
    });
    await audit({
      actorId: workerId,
      subjectUserId: workerId,
      action: "exemption.request",
      targetType: "ExemptionRequest",
      targetId: created.id,
      metadata: { reason: input.reason },
    });
    return { ok: true, id: created.id };
  });
}

const detailSelect = {
  ...storedSelect,
  workerId: true,
  reason: true,
  justification: true,
  decisionNote: true,
  decidedAt: true,
  createdAt: true,
  reviewer: { select: { name: true } },
  worker: { select: { id: true, name: true, email: true, timezone: true } },
  history: {
    orderBy: { at: "asc" },
    select: {
      id: true,
      fromStatus: true,
      toStatus: true,
      note: true,
      at: true,
      actor: { select: { name: true } },
    },
  },
} satisfies Prisma.ExemptionRequestSelect;

/** A worker's own request with its history; null for anyone else's (a 404). */
export function getOwnExemption(workerId: string, id: string) {
  return prisma.exemptionRequest.findFirst({ where: { id, workerId }, select: detailSelect });
}

export async function listOwnExemptions(workerId: string) {
  return prisma.exemptionRequest.findMany({
    where: { workerId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: {
      ...storedSelect,
      reason: true,
      createdAt: true,
      decidedAt: true,
    },
  });
}

export const REVIEW_PAGE_SIZE = 25;

/** What waits for a decision: pending requests that have not yet run out. */
function queueWhere(now: Date, reason: ExemptionReason | null) {
  return {
    status: "PENDING" as const,
    endsAt: { gt: now },
    ...(reason ? { reason } : {}),
  } satisfies Prisma.ExemptionRequestWhereInput;
}

/** The queue's order, oldest first; the "and next" buttons follow it too. */
const QUEUE_ORDER = [
  { createdAt: "asc" },
  { id: "asc" },
] as const satisfies Prisma.ExemptionRequestOrderByWithRelationInput[];

/** Pending requests that have not yet run out, oldest first. */
export async function listReviewQueue({
  reason,
  now,
  page,
}: {
  reason: ExemptionReason | null;
  now: Date;
  page: number;
}) {
  const where = queueWhere(now, reason);
  const [total, rows] = await prisma.$transaction([
    prisma.exemptionRequest.count({ where }),
    prisma.exemptionRequest.findMany({
      where,
      orderBy: [...QUEUE_ORDER],
      skip: (page - 1) * REVIEW_PAGE_SIZE,
      take: REVIEW_PAGE_SIZE,
      select: {
        ...storedSelect,
        reason: true,
        createdAt: true,
        workerId: true,
        worker: { select: { name: true } },
      },
    }),
  ]);
  return { total, rows, pageCount: Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE)) };
}

/**
 * The request `reviewerId` should decide after `afterId`: the next one in the
 * queue's order that they may decide (not their own), wrapping round to the
 * queue's start so a request they skipped comes back last; null when nothing
 * else waits for them.
 */
export async function findNextToDecide({
  afterId,
  reviewerId,
  now,
}: {
  afterId: string;
  reviewerId: string;
  now: Date;
}): Promise<string | null> {
  const current = await prisma.exemptionRequest.findUnique({
    where: { id: afterId },
    select: { createdAt: true },
  });
  const decidable = {
    ...queueWhere(now, null),
    id: { not: afterId },
    workerId: { not: reviewerId },
  } satisfies Prisma.ExemptionRequestWhereInput;
  const after = current
    ? await prisma.exemptionRequest.findFirst({
        where: {
          ...decidable,
          OR: [
            { createdAt: { gt: current.createdAt } },
            { createdAt: current.createdAt, id: { gt: afterId } },
          ],
        },
        orderBy: [...QUEUE_ORDER],
        select: { id: true },
      })
    : null;
  const next =
    after ??
    (await prisma.exemptionRequest.findFirst({
      where: decidable,
      orderBy: [...QUEUE_ORDER],
      select: { id: true },
    }));
  return next?.id ?? null;
}

/** Requests a reviewer or admin decided, the latest decision first. */
export async function listDecidedRequests({
  reason,
  page,
}: {
  reason: ExemptionReason | null;
  page: number;
}) {
  const where = {
    decidedAt: { not: null },
    ...(reason ? { reason } : {}),
  } satisfies Prisma.ExemptionRequestWhereInput;
  const [total, rows] = await prisma.$transaction([
    prisma.exemptionRequest.count({ where }),
    prisma.exemptionRequest.findMany({
      where,
      orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * REVIEW_PAGE_SIZE,
      take: REVIEW_PAGE_SIZE,
      select: {
        ...storedSelect,
        reason: true,
        createdAt: true,
        decidedAt: true,
        workerId: true,
        reviewerId: true,
        worker: { select: { name: true } },
        reviewer: { select: { name: true } },
      },
    }),
  ]);
  return { total, rows, pageCount: Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE)) };
}

/**
 * A request as a reviewer sees it: the worker, the request with its history
 * and the worker's other requests. Viewing someone else's request is
 * recorded, so the worker sees it in their access log.
 */
export async function getExemptionForReview({
  id,
  reviewerId,
  purposeId,
  now,
}: {
  id: string;
  reviewerId: string;
  /** The purpose named for the access (ADR 0042); required for someone else's request. */
  purposeId: string | null;
  now: Date;
}) {
  const request = await prisma.exemptionRequest.findUnique({ where: { id }, select: detailSelect });
  if (!request) return null;
  const past = await prisma.exemptionRequest.findMany({
    where: { workerId: request.workerId, id: { not: id } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 20,
    select: { ...storedSelect, reason: true, createdAt: true },
  });
  if (request.workerId !== reviewerId) {
    if (!purposeId) throw new Error("Opening someone else's request needs a named purpose.");
    await runCommand(now, ({ audit }) =>
      audit({
        actorId: reviewerId,
        subjectUserId: request.workerId,
        action: "exemption.view",
        targetType: "ExemptionRequest",
        targetId: id,
        purposeId,
      }),
    );
  }
  return { request, past };
}

/** Whose request it is (to ask for a purpose before opening someone else's), or null. */
export function findExemptionWorker(id: string) {
  return prisma.exemptionRequest.findUnique({
    where: { id },
    select: { workerId: true, worker: { select: { name: true } } },
  });
}

/** Refused: `not_found` (also a worker's action on someone else's request), or as `decideTransition`. */
export type ChangeExemptionResult = { ok: true; to: ExemptionStatus } | Refused;

const AUDIT_FOR: Record<ExemptionAction, AuditAction> = {
  approve: "exemption.approve",
  deny: "exemption.deny",
  revoke: "exemption.revoke",
  withdraw: "exemption.withdraw",
  end: "exemption.end",
};

/**
 * Applies one status change in one transaction: the rule check, the new
 * status, its history entry, the audit event, the worker's notification and
 * (when their windows change) a new state version; then tells the agents and
 * mails the worker. A worker's action on someone else's request is not found.
 */
export async function changeExemptionStatus({
  id,
  actor,
  action,
  note,
  purposeId = null,
  now,
}: {
  id: string;
  actor: { id: string; role: ActorRole };
  action: ExemptionAction;
  note: string | null;
  /** The purpose the reviewer named when opening the request (ADR 0042), if any. */
  purposeId?: string | null;
  now: Date;
}): Promise<ChangeExemptionResult> {
  const isWorkerAction = action === "withdraw" || action === "end";
  return runCommand(
    now,
    async ({ tx, audit, touchWorker, mail, lockWorker }): Promise<ChangeExemptionResult> => {
      // The request's worker never changes: read it, lock the worker (ADR 0035), then read
      // the status the decision depends on, as the last command for this worker left it.
      const owner = await tx.exemptionRequest.findUnique({
        where: { id },
        select: { workerId: true },
      });
      if (owner) await lockWorker(owner.workerId);
      const row = await tx.exemptionRequest.findFirst({
        where: { id, ...(isWorkerAction ? { workerId: actor.id } : {}) },
        select: {
          ...storedSelect,
          workerId: true,
          reason: true,
          worker: { select: { email: true, name: true } },
        },
      });
      if (!row) return refuse("not_found", "No such request.");
      const decision = decideTransition({
        exemption: row,
        workerId: row.workerId,
        actor,
        action,
        note,
        now,
      });
      if (!decision.ok) return decision;

      const reviewerAction = !isWorkerAction;
      await tx.exemptionRequest.update({
        where: { id },
        data: {
          status: decision.to,
          ...(reviewerAction ? { reviewerId: actor.id, decisionNote: note, decidedAt: now } : {}),
          ...(action === "revoke" || action === "end" ? { endedEarlyAt: now } : {}),
          history: {
            create: {
              fromStatus: decision.from,
              toStatus: decision.to,
              actorId: actor.id,
              note,
              at: now,
            },
          },
        },
      });
      // Approving, revoking and ending change the agents' windows; withdrawing a pending
      // request changes what the worker's screens list.
      if (action !== "deny") touchWorker(row.workerId);
      await audit({
        actorId: actor.id,
        subjectUserId: row.workerId,
        action: AUDIT_FOR[action],
        targetType: "ExemptionRequest",
        targetId: id,
        metadata: { from: decision.from, to: decision.to, ...(note ? { note } : {}) },
        ...(purposeId ? { purposeId } : {}),
      });
      if (reviewerAction) {
        const verb = STATUS_LABELS[decision.to].toLowerCase();
        const title = `Your exemption request was ${verb}`;
        const body = `${REASON_LABELS[row.reason]} exemption: ${verb}${note ? `. Note: ${note}` : "."}`;
        await createNotification(
          tx,
          { userId: row.workerId, title, body, href: `/exemptions/${id}` },
          now,
        );
        mail({
          to: row.worker.email,
          subject: `Lull: ${title}`,
          text: `Hello ${row.worker.name},\n\n${body}\n\nSee the details and the full history in Lull under Exemptions.\n`,
        });
      }
      return { ok: true, to: decision.to } as const;
    },
  );
}
