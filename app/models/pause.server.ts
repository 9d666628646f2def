import {
  decideCancel,
  decideEndEarly,
  evaluatePauseRequest,
  type PauseRequest,
  type StoredPause,
} from "#app/domain/pause-policy.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { getPausePolicy } from "./policy.server.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

const storedPauseSelect = {
  id: true,
  kind: true,
  startsAt: true,
  endsAt: true,
  endedEarlyAt: true,
  cancelledAt: true,
} as const;

/** The worker's pauses (not cancelled) that overlap [from, to), in start order. */
export async function listPausesOverlapping(
  client: Tx,
  workerId: string,
  from: Date,
  to: Date,
): Promise<StoredPause[]> {
  return (await listPausesOverlappingFor(client, [workerId], from, to)).get(workerId) ?? [];
}

/** `listPausesOverlapping` for many workers in one query, by worker (in start order). */
export async function listPausesOverlappingFor(
  client: Tx,
  workerIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, StoredPause[]>> {
  const rows = await client.pause.findMany({
    where: {
      workerId: { in: [...workerIds] },
      cancelledAt: null,
      endsAt: { gt: from },
      startsAt: { lt: to },
    },
    select: { ...storedPauseSelect, workerId: true },
    orderBy: { startsAt: "asc" },
  });
  const byWorker = new Map<string, StoredPause[]>();
  for (const { workerId, ...pause } of rows) {
    const list = byWorker.get(workerId);
    if (list) list.push(pause);
    else byWorker.set(workerId, [pause]);
  }
  return byWorker;
}

/** Pauses that any rule could care about for a request around [from, to]. */
function pausesNear(tx: Tx, workerId: string, from: Date, to: Date): Promise<StoredPause[]> {
  return listPausesOverlapping(
    tx,
    workerId,
    new Date(from.getTime() - 2 * DAY_MS),
    new Date(to.getTime() + 2 * DAY_MS),
  );
}

/** Refused: `invalid`, every broken rule an issue (see `evaluatePauseRequest`). */
export type CreatePauseResult = { ok: true; pause: StoredPause } | Refused;

/**
 * Checks every rule and stores the pause in one transaction, with the
 * worker locked first (ADR 0035), so two simultaneous requests cannot both
 * pass the checks.
 */
export async function createPause({
  workerId,
  timeZone,
  request,
  now,
}: {
  workerId: string;
  timeZone: string;
  request: PauseRequest;
  now: Date;
}): Promise<CreatePauseResult> {
  return runCommand(
    now,
    async ({ tx, audit, touchWorker }): Promise<CreatePauseResult> => {
      const policy = await getPausePolicy(tx);
      const from = request.kind === "NOW" ? now : request.startsAt;
      const pauses = await pausesNear(
        tx,
        workerId,
        from,
        new Date(from.getTime() + 60 * 60 * 1000),
      );
      const decision = evaluatePauseRequest({ policy, pauses, request, now, timeZone });
      if (!decision.ok) return decision;
      const pause = await tx.pause.create({
        data: { workerId, ...decision.pause, createdAt: now },
        select: storedPauseSelect,
      });
      touchWorker(workerId);
      await audit({
        actorId: workerId,
        subjectUserId: workerId,
        action: request.kind === "NOW" ? "pause.start" : "pause.schedule",
        targetType: "Pause",
        targetId: pause.id,
        metadata: {
          startsAt: pause.startsAt.toISOString(),
          endsAt: pause.endsAt.toISOString(),
        },
      });
      return { ok: true, pause };
    },
    { worker: workerId },
  );
}

/** Refused: `not_found` (also someone else's pause), or why the change does not apply now. */
export type ChangePauseResult = { ok: true } | Refused;

/** Ends a running pause now, or cancels an upcoming one. Only the worker's own pauses exist for them. */
type PauseChange = { workerId: string; pauseId: string; change: "end" | "cancel"; now: Date };

function findOwnPause(client: Tx, workerId: string, pauseId: string) {
  return client.pause.findFirst({ where: { id: pauseId, workerId }, select: storedPauseSelect });
}

function decideChange(pause: StoredPause, change: "end" | "cancel", now: Date) {
  return change === "end" ? decideEndEarly(pause, now) : decideCancel(pause, now);
}

/**
 * Whether `changePause` would be allowed now, changing nothing: the check
 * made before asking the worker to confirm, so that a pause that is not theirs,
 * or no longer current, is refused before the question rather than after it.
 */
export async function checkPauseChange({
  workerId,
  pauseId,
  change,
  now,
}: PauseChange): Promise<ChangePauseResult> {
  const pause = await findOwnPause(prisma, workerId, pauseId);
  if (!pause) return refuse("not_found", "No such pause.");
  const decision = decideChange(pause, change, now);
  return decision.ok ? { ok: true } : decision;
}

export async function changePause({
  workerId,
  pauseId,
  change,
  now,
}: PauseChange): Promise<ChangePauseResult> {
  return runCommand(
    now,
    async ({ tx, audit, touchWorker }): Promise<ChangePauseResult> => {
      const pause = await findOwnPause(tx, workerId, pauseId);
      if (!pause) return refuse("not_found", "No such pause.");
      const decision = decideChange(pause, change, now);
      if (!decision.ok) return decision;
      await tx.pause.update({
        where: { id: pause.id },
        data: change === "end" ? { endedEarlyAt: decision.at } : { cancelledAt: decision.at },
      });
      touchWorker(workerId);
      await audit({
        actorId: workerId,
        subjectUserId: workerId,
        action: change === "end" ? "pause.end_early" : "pause.cancel",
        targetType: "Pause",
        targetId: pause.id,
      });
      return { ok: true };
    },
    { worker: workerId },
  );
}

export const PAST_PAUSES_PAGE_SIZE = 10;

/** Pauses that are over (ended, ended early or cancelled), newest first. */
export async function listPastPauses(workerId: string, now: Date, page: number) {
  const where = {
    workerId,
    OR: [{ cancelledAt: { not: null } }, { endsAt: { lte: now } }, { endedEarlyAt: { lte: now } }],
  };
  const [total, pauses] = await prisma.$transaction([
    prisma.pause.count({ where }),
    prisma.pause.findMany({
      where,
      orderBy: [{ startsAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * PAST_PAUSES_PAGE_SIZE,
      take: PAST_PAUSES_PAGE_SIZE,
      select: storedPauseSelect,
    }),
  ]);
  return { total, pauses, pageCount: Math.max(1, Math.ceil(total / PAST_PAUSES_PAGE_SIZE)) };
}
