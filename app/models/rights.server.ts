/**
 * Data-rights requests (ADR 0042): a worker files one (correction or
 * annotation, erasure, restriction, objection to a purpose), with a deadline
 * one month out in their zone (`app/domain/rights-deadlines.ts`); a reviewer
 * opens it naming a purpose, notes, extends once, accepts or rejects; the
 * outcome is applied by code in the deciding command, with the worker
 * locked: an accepted erasure deletes its span with a signed receipt; an
 * accepted restriction or objection changes what datasets include
 * (`app/domain/rights-rules.ts`); an accepted correction is kept as an
 * annotation shown with the data. Nobody decides their own request.
 */
import { runCommand } from "#app/commands/command.server.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import {
  canExtend,
  DUE_SOON_DAYS,
  extendedDueAt,
  firstDueAt,
  isOverdue,
  type ExtensionMonths,
} from "#app/domain/rights-deadlines.ts";
import {
  evaluateRightsSpan,
  RIGHTS_KIND_LABELS,
  type RightsRequestInput,
} from "#app/domain/rights-forms.ts";
import type { RightsKind } from "#app/domain/rights-rules.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { issueDeletionReceipt } from "./deletion-receipt.server.ts";
import { eraseSpan } from "./erasure.server.ts";
import { createNotification } from "./notification.server.ts";
import { getPolicySettings } from "./policy.server.ts";
import { getCurrentPurposes } from "./purpose.server.ts";

const DAY_MS = 86_400_000;

const requestSelect = {
  id: true,
  workerId: true,
  kind: true,
  status: true,
  spanStart: true,
  spanEnd: true,
  eventId: true,
  purposeKey: true,
  details: true,
  timeZone: true,
  createdAt: true,
  dueAt: true,
  firstDueAt: true,
  extendedAt: true,
  extensionReason: true,
  decidedAt: true,
  outcome: true,
  deletionReceiptId: true,
  liftedAt: true,
} as const;

// ---------------------------------------------------------------- the worker

export type FileOutcome = { ok: true; id: string } | Refused;

/**
 * Files a request for `workerId`. Refused (`invalid`, on its field): a record
 * that is not theirs, a purpose not in force or prohibited, a span that does
 * not exist, ends in the future or is longer than the retention period;
 * (`conflict`) an objection to a purpose they already object to.
 */
export async function fileRightsRequest({
  workerId,
  timeZone,
  input,
  now,
}: {
  workerId: string;
  timeZone: string;
  input: RightsRequestInput;
  now: Date;
}): Promise<FileOutcome> {
  return runCommand(
    now,
    async ({ tx, audit }): Promise<FileOutcome> => {
      let spanStart: Date | null = null;
      let spanEnd: Date | null = null;
      let eventId: string | null = null;
      let purposeKey: string | null = null;
      if (input.kind === "OBJECTION") {
        const current = await getCurrentPurposes(now, tx);
        const purpose = current.find((p) => p.key === input.purposeKey && !p.prohibited);
        if (!purpose) return refuse("invalid", "Choose a purpose from the list.", "purposeKey");
        const standing = await tx.rightsRequest.count({
          where: {
            workerId,
            kind: "OBJECTION",
            purposeKey: purpose.key,
            OR: [{ status: "OPEN" }, { status: "ACCEPTED", liftedAt: null }],
          },
        });
        if (standing > 0) {
          return refuse(
            "conflict",
            `You already object to "${purpose.name}": see your requests.`,
            "purposeKey",
          );
        }
        purposeKey = purpose.key;
      } else if (input.kind === "CORRECTION" && input.eventId !== undefined) {
        const event = await tx.event.findFirst({
          where: { id: input.eventId, workerId },
          select: { id: true },
        });
        if (!event) return refuse("invalid", "You have no record with that number.", "eventId");
        eventId = String(event.id);
      } else {
        const policy = await getPolicySettings(tx);
        const span = evaluateRightsSpan({
          startDate: input.startDate!,
          startTime: input.startTime!,
          endDate: input.endDate!,
          endTime: input.endTime!,
          timeZone,
          now,
          retentionDays: policy.retentionDays,
        });
        if (!span.ok) return span;
        spanStart = span.start;
        spanEnd = span.end;
      }
      const due = firstDueAt(now, timeZone);
      const row = await tx.rightsRequest.create({
        data: {
          workerId,
          kind: input.kind,
          spanStart,
          spanEnd,
          eventId,
          purposeKey,
          details: input.details,
          timeZone,
          createdAt: now,
          dueAt: due,
          firstDueAt: due,
        },
        select: { id: true },
      });
      await audit({
        actorId: workerId,
        subjectUserId: workerId,
        action: "rights.request",
        targetType: "RightsRequest",
        targetId: row.id,
        metadata: { kind: input.kind },
      });
      return { ok: true, id: row.id };
    },
    { worker: workerId },
  );
}

/** The worker's own requests, newest first. */
export function listOwnRightsRequests(workerId: string) {
  return prisma.rightsRequest.findMany({
    where: { workerId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
    select: requestSelect,
  });
}

/** One of the worker's own requests; null for anyone else's (a 404). */
export async function getOwnRightsRequest(workerId: string, id: string) {
  const row = await prisma.rightsRequest.findFirst({
    where: { id, workerId },
    select: requestSelect,
  });
  if (!row) return null;
  return { request: row, datasets: await datasetsConcerned(prisma, row) };
}

/**
 * The datasets already built that hold the data a request concerns: for an
 * objection, the worker's datasets of that purpose; for a record, those whose
 * range holds it; for a span, those holding some of the worker's events in it.
 */
export async function datasetsConcerned(
  db: Tx | typeof prisma,
  r: {
    workerId: string;
    kind: RightsKind;
    spanStart: Date | null;
    spanEnd: Date | null;
    eventId: string | null;
    purposeKey: string | null;
  },
) {
  let overlap: { start: Date; end: Date } | null = null;
  if (r.spanStart && r.spanEnd) overlap = { start: r.spanStart, end: r.spanEnd };
  else if (r.eventId) {
    const event = await db.event.findFirst({
      where: { id: Number(r.eventId), workerId: r.workerId },
      select: { at: true },
    });
    if (event) overlap = { start: event.at, end: new Date(event.at.getTime() + 1) };
    else if (r.kind !== "OBJECTION") return [];
  }
  const rows = await db.datasetMember.findMany({
    where: {
      workerId: r.workerId,
      dataset: {
        status: "COMPLETE",
        ...(r.kind === "OBJECTION" && r.purposeKey ? { purpose: { key: r.purposeKey } } : {}),
      },
      ...(overlap ? { firstAt: { lt: overlap.end }, lastAt: { gte: overlap.start } } : {}),
    },
    orderBy: { dataset: { createdAt: "desc" } },
    take: 100,
    select: {
      events: true,
      firstAt: true,
      lastAt: true,
      dataset: {
        select: {
          id: true,
          name: true,
          createdAt: true,
          rangeStart: true,
          rangeEnd: true,
          purpose: { select: { name: true } },
        },
      },
    },
  });
  return rows.map((m) => ({
    id: m.dataset.id,
    name: m.dataset.name,
    purpose: m.dataset.purpose.name,
    builtAt: m.dataset.createdAt,
    rangeStart: m.dataset.rangeStart,
    rangeEnd: m.dataset.rangeEnd,
    events: m.events,
  }));
}

export type WorkerActionOutcome = { ok: true } | Refused;

/**
 * The worker withdraws an open request, or lifts an accepted restriction or
 * objection. Someone else's request is not found; a request in another state
 * is a `conflict`.
 */
export async function actOnOwnRightsRequest({
  workerId,
  id,
  intent,
  now,
}: {
  workerId: string;
  id: string;
  intent: "withdraw" | "lift";
  now: Date;
}): Promise<WorkerActionOutcome> {
  return runCommand(
    now,
    async ({ tx, audit }): Promise<WorkerActionOutcome> => {
      const row = await tx.rightsRequest.findFirst({
        where: { id, workerId },
        select: { kind: true, status: true, liftedAt: true },
      });
      if (!row) return refuse("not_found", "No such request.");
      if (intent === "withdraw") {
        if (row.status !== "OPEN") {
          return refuse("conflict", "Only an open request can be withdrawn.");
        }
        await tx.rightsRequest.update({ where: { id }, data: { status: "WITHDRAWN" } });
      } else {
        const liftable =
          (row.kind === "RESTRICTION" || row.kind === "OBJECTION") &&
          row.status === "ACCEPTED" &&
          row.liftedAt === null;
        if (!liftable) {
          return refuse(
            "conflict",
            "Only an accepted restriction or objection still in force can be lifted.",
          );
        }
        await tx.rightsRequest.update({ where: { id }, data: { liftedAt: now } });
      }
      await audit({
        actorId: workerId,
        subjectUserId: workerId,
        action: intent === "withdraw" ? "rights.withdraw" : "rights.lift",
        targetType: "RightsRequest",
        targetId: id,
        metadata: { kind: row.kind },
      });
      return { ok: true };
    },
    { worker: workerId },
  );
}

/**
 * Accepted corrections that concern a record: kept with it as annotations,
 * whether they named the record or a span holding it.
 */
export function listAnnotationsFor(workerId: string, event: { id: number; at: Date }) {
  return prisma.rightsRequest.findMany({
    where: {
      workerId,
      kind: "CORRECTION",
      status: "ACCEPTED",
      OR: [
        { eventId: String(event.id) },
        { spanStart: { lte: event.at }, spanEnd: { gt: event.at } },
      ],
    },
    orderBy: { decidedAt: "asc" },
    select: { id: true, outcome: true, decidedAt: true, details: true },
  });
}

// ---------------------------------------------------------------- reviewers

/** Open, due within seven days, and overdue: the privacy office's counts. */
export async function rightsDeadlineCounts(now: Date) {
  const soon = new Date(now.getTime() + DUE_SOON_DAYS * DAY_MS);
  const [open, dueSoon, overdue] = await Promise.all([
    prisma.rightsRequest.count({ where: { status: "OPEN" } }),
    prisma.rightsRequest.count({ where: { status: "OPEN", dueAt: { gt: now, lte: soon } } }),
    prisma.rightsRequest.count({ where: { status: "OPEN", dueAt: { lte: now } } }),
  ]);
  return { open, dueSoon, overdue };
}

/**
 * The reviewers' queue: open requests by due date (overdue ones first,
 * flagged), then the latest decided ones. Names and kinds only: the request
 * itself is opened with a purpose.
 */
export async function listRightsQueue(now: Date) {
  const select = {
    id: true,
    kind: true,
    status: true,
    createdAt: true,
    dueAt: true,
    extendedAt: true,
    decidedAt: true,
    worker: { select: { id: true, name: true } },
  } as const;
  const [open, decided, counts] = await Promise.all([
    prisma.rightsRequest.findMany({
      where: { status: "OPEN" },
      orderBy: [{ dueAt: "asc" }, { id: "asc" }],
      take: 500,
      select,
    }),
    prisma.rightsRequest.findMany({
      where: { status: { not: "OPEN" } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 50,
      select,
    }),
    rightsDeadlineCounts(now),
  ]);
  return {
    open: open.map((r) => ({ ...r, overdue: isOverdue(r, now) })),
    decided,
    counts,
  };
}

/** Whose request it is (to ask for a purpose before opening someone else's), or null. */
export function findRightsRequestWorker(id: string) {
  return prisma.rightsRequest.findUnique({
    where: { id },
    select: { workerId: true, worker: { select: { name: true } } },
  });
}

export const SPAN_RECORDS_SHOWN = 20;

/**
 * A request as a reviewer sees it: the worker, the request, the staff notes,
 * the records it concerns (counts by type and application, and the first
 * ones) and the datasets holding them. Opening someone else's is recorded
 * (`rights.view`, with the purpose named), so the worker sees it in their
 * access log.
 */
export async function getRightsRequestForReview({
  id,
  reviewerId,
  purposeId,
  now,
}: {
  id: string;
  reviewerId: string;
  purposeId: string | null;
  now: Date;
}) {
  const row = await prisma.rightsRequest.findUnique({
    where: { id },
    select: {
      ...requestSelect,
      worker: { select: { name: true, email: true, timezone: true } },
      decidedBy: { select: { name: true } },
      notes: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, body: true, createdAt: true, author: { select: { name: true } } },
      },
    },
  });
  if (!row) return null;
  if (row.workerId !== reviewerId) {
    if (!purposeId) throw new Error("Opening someone else's request needs a named purpose.");
    await runCommand(now, ({ audit }) =>
      audit({
        actorId: reviewerId,
        subjectUserId: row.workerId,
        action: "rights.view",
        targetType: "RightsRequest",
        targetId: id,
        purposeId,
      }),
    );
  }
  const where =
    row.spanStart && row.spanEnd
      ? { workerId: row.workerId, at: { gte: row.spanStart, lt: row.spanEnd } }
      : row.eventId
        ? { workerId: row.workerId, id: Number(row.eventId) }
        : null;
  const [byTypeApp, first, datasets] = await Promise.all([
    where
      ? prisma.event.groupBy({
          by: ["type", "app"],
          where,
          _count: { _all: true },
          orderBy: [{ type: "asc" }, { app: "asc" }],
          take: 100,
        })
      : Promise.resolve([]),
    where
      ? prisma.event.findMany({
          where,
          orderBy: [{ at: "asc" }, { id: "asc" }],
          take: SPAN_RECORDS_SHOWN,
          select: { id: true, type: true, app: true, at: true, data: true },
        })
      : Promise.resolve([]),
    datasetsConcerned(prisma, row),
  ]);
  return {
    request: row,
    records: where
      ? {
          groups: byTypeApp.map((g) => ({ type: g.type, app: g.app, count: g._count._all })),
          total: byTypeApp.reduce((sum, g) => sum + g._count._all, 0),
          first,
        }
      : null,
    datasets,
  };
}

export type ReviewOutcome = { ok: true } | Refused;

type ReviewArgs = {
  id: string;
  reviewerId: string;
  /** The purpose named when the request was opened (ADR 0042). */
  purposeId: string;
  now: Date;
};

/**
 * Reads the request for a reviewer's action, with its worker locked; refuses
 * a missing one (`not_found`) and the reviewer's own (`forbidden`).
 */
async function lockedForReview(
  tx: Tx,
  lockWorker: (workerId: string) => Promise<void>,
  id: string,
  reviewerId: string,
) {
  const owner = await tx.rightsRequest.findUnique({ where: { id }, select: { workerId: true } });
  if (!owner) return refuse("not_found", "No such request.");
  await lockWorker(owner.workerId);
  const row = await tx.rightsRequest.findUniqueOrThrow({ where: { id }, select: requestSelect });
  if (row.workerId === reviewerId) {
    return refuse("forbidden", "This is your own request: another reviewer must handle it.");
  }
  return { ok: true as const, row };
}

/** A staff-only working note; recorded in the worker's access log (not its text). */
export async function addRightsNote({
  id,
  reviewerId,
  purposeId,
  now,
  body,
}: ReviewArgs & { body: string }) {
  return runCommand(now, async ({ tx, audit, lockWorker }): Promise<ReviewOutcome> => {
    const found = await lockedForReview(tx, lockWorker, id, reviewerId);
    if (!found.ok) return found;
    await tx.rightsRequestNote.create({
      data: { requestId: id, authorId: reviewerId, body, createdAt: now },
    });
    await audit({
      actorId: reviewerId,
      subjectUserId: found.row.workerId,
      action: "rights.note",
      targetType: "RightsRequest",
      targetId: id,
      purposeId,
    });
    return { ok: true };
  });
}

/** Extends an open request once, by one or two months from its first deadline; the worker is told why. */
export async function extendRightsRequest({
  id,
  reviewerId,
  purposeId,
  now,
  months,
  reason,
}: ReviewArgs & { months: ExtensionMonths; reason: string }) {
  return runCommand(now, async ({ tx, audit, lockWorker }): Promise<ReviewOutcome> => {
    const found = await lockedForReview(tx, lockWorker, id, reviewerId);
    if (!found.ok) return found;
    const { row } = found;
    if (!canExtend(row)) {
      return refuse(
        "conflict",
        row.status === "OPEN"
          ? "This request was already extended once: it cannot be extended again."
          : "Only an open request can be extended.",
      );
    }
    const dueAt = extendedDueAt(row.firstDueAt, row.timeZone, months);
    await tx.rightsRequest.update({
      where: { id },
      data: { dueAt, extendedAt: now, extensionReason: reason },
    });
    await audit({
      actorId: reviewerId,
      subjectUserId: row.workerId,
      action: "rights.extend",
      targetType: "RightsRequest",
      targetId: id,
      purposeId,
      metadata: { months, dueAt: dueAt.toISOString(), reason },
    });
    await createNotification(
      tx,
      {
        userId: row.workerId,
        title: "Your rights request needs more time",
        body: `${RIGHTS_KIND_LABELS[row.kind]}: extended by ${months === 1 ? "one month" : "two months"}. Reason: ${reason}`,
        href: `/data/rights/${id}`,
      },
      now,
    );
    return { ok: true };
  });
}

/**
 * Accepts or rejects an open request, with the answer the worker reads, and
 * applies an accepted one: an erasure deletes its span on every device and
 * in the rollups with a signed `erasure` receipt, in this same transaction.
 */
export async function decideRightsRequest({
  id,
  reviewerId,
  purposeId,
  now,
  decision,
  outcome,
}: ReviewArgs & { decision: "accept" | "reject"; outcome: string }) {
  return runCommand(
    now,
    async ({ tx, audit, lockWorker, touchWorker }): Promise<ReviewOutcome> => {
      const found = await lockedForReview(tx, lockWorker, id, reviewerId);
      if (!found.ok) return found;
      const { row } = found;
      if (row.status !== "OPEN") return refuse("conflict", "This request was already closed.");
      let deletionReceiptId: string | null = null;
      let erased: number | null = null;
      if (decision === "accept" && row.kind === "ERASURE" && row.spanStart && row.spanEnd) {
        const removed = await eraseSpan(tx, row.workerId, {
          start: row.spanStart,
          end: row.spanEnd,
        });
        const receipt = await issueDeletionReceipt(
          tx,
          row.workerId,
          { kind: "erasure", from: row.spanStart, to: row.spanEnd, app: null, ...removed },
          now,
        );
        deletionReceiptId = receipt.id;
        erased = removed.events;
        // Agents drop what they still hold of the span, as after a forget.
        touchWorker(row.workerId);
      }
      await tx.rightsRequest.update({
        where: { id },
        data: {
          status: decision === "accept" ? "ACCEPTED" : "REJECTED",
          decidedAt: now,
          decidedById: reviewerId,
          outcome,
          deletionReceiptId,
        },
      });
      await audit({
        actorId: reviewerId,
        subjectUserId: row.workerId,
        action: decision === "accept" ? "rights.accept" : "rights.reject",
        targetType: "RightsRequest",
        targetId: id,
        purposeId,
        metadata: {
          kind: row.kind,
          ...(deletionReceiptId ? { receiptId: deletionReceiptId, events: erased } : {}),
        },
      });
      await createNotification(
        tx,
        {
          userId: row.workerId,
          title: `Your rights request was ${decision === "accept" ? "accepted" : "rejected"}`,
          body: `${RIGHTS_KIND_LABELS[row.kind]}: ${outcome}`,
          href: `/data/rights/${id}`,
        },
        now,
      );
      return { ok: true };
    },
    { timeout: 60_000 },
  );
}
