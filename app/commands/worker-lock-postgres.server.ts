import type { LockWorker } from "./worker-lock.ts";

/**
 * On PostgreSQL (READ COMMITTED, several nodes) the worker's `User` row is
 * the lock (ADR 0035): `FOR NO KEY UPDATE` makes a second command for the
 * same worker wait here until the first commits, after which its reads see
 * what the first wrote. `NO KEY` leaves inserts that merely reference the
 * worker (events, sessions, audit) unblocked: they take KEY SHARE.
 */
export const lockWorker: LockWorker = async (tx, workerId) => {
  await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${workerId} FOR NO KEY UPDATE`;
};
