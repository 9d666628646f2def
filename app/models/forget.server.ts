/**
 * "Forget the last minutes" (ADR 0041): in one transaction, with the worker
 * locked, the rules are checked on the server's clock, every stored event of
 * the span is deleted for all the worker's devices, the hourly and daily
 * rollups lose exactly those events, the forget window is recorded, the
 * state version moves (agents drop what they still hold in it) and a signed
 * deletion receipt is issued.
 */
import { dayBucket, hourBucket } from "#app/domain/ingest-rules.ts";
import {
  DAY_MS,
  evaluateForget,
  forgetDay,
  HOUR_MS,
  periodSegments,
  type ForgetInterval,
} from "#app/domain/forget-rules.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { byProvider, prisma, type Tx } from "#app/utils/db.server.ts";
import { subtractSpanPostgres } from "./forget-rollups-postgres.server.ts";
import { subtractSpanSqlite } from "./forget-rollups-sqlite.server.ts";
import type { SubtractSpan } from "./forget-rollups-store.ts";

const subtractSpan = byProvider<SubtractSpan>({
  sqlite: () => subtractSpanSqlite,
  postgresql: () => subtractSpanPostgres,
});
import { issueDeletionReceipt } from "./deletion-receipt.server.ts";
import { getForgetPolicy } from "./policy.server.ts";

/** The worker's forgotten spans that overlap [from, to), by worker, in start order. */
export async function listForgetsFor(
  client: Tx,
  workerIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, ForgetInterval[]>> {
  const rows = await client.forget.findMany({
    where: { workerId: { in: [...workerIds] }, endsAt: { gt: from }, startsAt: { lt: to } },
    select: { workerId: true, startsAt: true, endsAt: true },
    orderBy: { startsAt: "asc" },
  });
  const byWorker = new Map<string, ForgetInterval[]>();
  for (const { workerId, ...span } of rows) {
    const list = byWorker.get(workerId);
    if (list) list.push(span);
    else byWorker.set(workerId, [span]);
  }
  return byWorker;
}

export type ForgetOutcome = {
  ok: true;
  forget: { id: string; startsAt: Date; endsAt: Date; minutes: number };
  receiptId: string;
  events: number;
  hourlyRollupRows: number;
  dailyRollupRows: number;
};

/** Refused: `invalid`, `daily_limit` or `forget_off` (see `evaluateForget`); nothing is deleted. */
export async function forgetRecent({
  workerId,
  timeZone,
  minutes,
  now,
}: {
  workerId: string;
  timeZone: string;
  minutes: number;
  now: Date;
}): Promise<ForgetOutcome | Refused> {
  return runCommand(
    now,
    async ({ tx, audit, touchWorker }): Promise<ForgetOutcome | Refused> => {
      const worker = await tx.user.findUnique({
        where: { id: workerId },
        select: { deactivatedAt: true },
      });
      if (!worker || worker.deactivatedAt) return refuse("not_found", "No such worker.");
      const policy = await getForgetPolicy(tx);
      const day = forgetDay(now, timeZone);
      const forgetsToday = await tx.forget.count({
        where: { workerId, createdAt: { gte: day.start, lt: day.end } },
      });
      const decision = evaluateForget({ policy, minutes, forgetsToday, now });
      if (!decision.ok) return decision;
      const { span } = decision;

      const removed = await deleteSpan(tx, workerId, span);
      const forget = await tx.forget.create({
        data: {
          workerId,
          startsAt: span.startsAt,
          endsAt: span.endsAt,
          minutes: span.minutes,
          createdAt: now,
        },
        select: { id: true, startsAt: true, endsAt: true, minutes: true },
      });
      const receipt = await issueDeletionReceipt(
        tx,
        workerId,
        { kind: "forget", from: span.startsAt, to: span.endsAt, app: null, ...removed },
        now,
      );
      touchWorker(workerId);
      await audit({
        actorId: workerId,
        subjectUserId: workerId,
        action: "data.forget",
        targetType: "Forget",
        targetId: forget.id,
        metadata: { minutes: span.minutes, events: removed.events, receiptId: receipt.id },
      });
      return { ok: true, forget, receiptId: receipt.id, ...removed };
    },
    { worker: workerId },
  );
}

/**
 * Deletes the worker's events in `span` and takes them out of the rollups: for each UTC hour
 * (and day) the span touches — at most two of each — one statement subtracts the span's events,
 * counted per (device, type, app), from that hour's (day's) rows; rows that reach zero go.
 * Returns what was removed: events, and rollup rows lowered or removed.
 */
async function deleteSpan(tx: Tx, workerId: string, span: ForgetInterval) {
  const subtract = subtractSpan();
  let hourlyRollupRows = 0;
  let dailyRollupRows = 0;
  const hours: Date[] = [];
  const days: Date[] = [];
  for (const segment of periodSegments(span, HOUR_MS)) {
    const hour = hourBucket(segment.startsAt);
    hours.push(hour);
    hourlyRollupRows += await subtract(tx, {
      workerId,
      from: segment.startsAt,
      to: segment.endsAt,
      period: "hour",
      bucket: hour,
    });
  }
  for (const segment of periodSegments(span, DAY_MS)) {
    const day = dayBucket(segment.startsAt);
    days.push(day);
    dailyRollupRows += await subtract(tx, {
      workerId,
      from: segment.startsAt,
      to: segment.endsAt,
      period: "day",
      bucket: day,
    });
  }
  await tx.eventRollup.deleteMany({ where: { workerId, hour: { in: hours }, count: { lte: 0 } } });
  await tx.eventRollupDay.deleteMany({ where: { workerId, day: { in: days }, count: { lte: 0 } } });
  const { count: events } = await tx.event.deleteMany({
    where: { workerId, at: { gte: span.startsAt, lt: span.endsAt } },
  });
  return { events, hourlyRollupRows, dailyRollupRows };
}

export const FORGETS_PAGE_SIZE = 10;

/** The worker's forgets, newest first (a page of them), for their pause history. */
export async function listForgets(workerId: string, page = 1) {
  const where = { workerId };
  const [total, forgets] = await Promise.all([
    prisma.forget.count({ where }),
    prisma.forget.findMany({
      where,
      orderBy: [{ startsAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * FORGETS_PAGE_SIZE,
      take: FORGETS_PAGE_SIZE,
      select: { id: true, startsAt: true, endsAt: true, minutes: true, createdAt: true },
    }),
  ]);
  return { total, forgets, pageCount: Math.max(1, Math.ceil(total / FORGETS_PAGE_SIZE)) };
}

/** How many forgets the worker has left today, for the buttons' hint. */
export async function forgetsLeftToday(workerId: string, timeZone: string, now: Date) {
  const policy = await getForgetPolicy();
  const day = forgetDay(now, timeZone);
  const used = await prisma.forget.count({
    where: { workerId, createdAt: { gte: day.start, lt: day.end } },
  });
  return { policy, left: Math.max(0, policy.maxForgetsPerDay - used) };
}
