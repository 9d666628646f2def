/**
 * The privacy office's view of workers' privacy choices (ADR 0041): how many
 * forgets, and how many events were discarded as forgotten or as a private
 * application's, over a period, each with the number of distinct workers
 * behind it. Counts only, and each passes `suppressBelow` before it leaves
 * this module: a figure behind fewer than PRIVACY_MIN_WORKERS workers is
 * null. Prisma queries only, so SQLite and PostgreSQL answer alike.
 */
import { PRIVACY_MIN_WORKERS, suppressBelow, type Aggregate } from "#app/domain/k-anonymity.ts";
import { prisma } from "#app/utils/db.server.ts";

/** A figure: its total (null when fewer than PRIVACY_MIN_WORKERS are behind it) and those workers. */
export type PrivacyFigure = { total: number | null; workers: number | null };

function figure(aggregate: Aggregate): PrivacyFigure {
  const total = suppressBelow(PRIVACY_MIN_WORKERS, aggregate);
  // How many workers is itself a count about them: shown only with the total.
  return total === null ? { total: null, workers: null } : { total, workers: aggregate.workers };
}

/** `PrivacyDiscardDay.day`'s key: the UTC day. */
const utcDayKey = (t: Date) => t.toISOString().slice(0, 10);

/**
 * Over [since, now]: forgets by when they were made (`Forget.createdAt`), and
 * the discards per UTC day of arrival from `PrivacyDiscardDay`, from the UTC
 * day holding `since` to today (a day row cannot be cut, so up to a day
 * more than the period at its start).
 */
export async function getPrivacyReport(since: Date, now: Date) {
  const forgetWhere = { createdAt: { gte: since, lte: now } };
  const days = { gte: utcDayKey(since), lte: utcDayKey(now) };
  const [forgets, forgetWorkers, discards, forgottenWorkers, privateAppWorkers] = await Promise.all(
    [
      prisma.forget.count({ where: forgetWhere }),
      prisma.forget.groupBy({ by: ["workerId"], where: forgetWhere }),
      prisma.privacyDiscardDay.aggregate({
        where: { day: days },
        _sum: { forgotten: true, privateApp: true },
      }),
      prisma.privacyDiscardDay.groupBy({
        by: ["workerId"],
        where: { day: days, forgotten: { gt: 0 } },
      }),
      prisma.privacyDiscardDay.groupBy({
        by: ["workerId"],
        where: { day: days, privateApp: { gt: 0 } },
      }),
    ],
  );
  return {
    since,
    minWorkers: PRIVACY_MIN_WORKERS,
    forgets: figure({ total: forgets, workers: forgetWorkers.length }),
    discardedForgotten: figure({
      total: discards._sum.forgotten ?? 0,
      workers: forgottenWorkers.length,
    }),
    discardedPrivateApp: figure({
      total: discards._sum.privateApp ?? 0,
      workers: privateAppWorkers.length,
    }),
  };
}
