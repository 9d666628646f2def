import type { Tx } from "#app/utils/db.server.ts";

/**
 * Every change to a worker's windows (pauses, exemptions) bumps their state
 * version in the same transaction; the caller publishes the change after
 * commit so connected agents fetch the new state.
 */
export function bumpStateVersion(tx: Tx, workerId: string) {
  return tx.user.update({
    where: { id: workerId },
    data: { stateVersion: { increment: 1 } },
    select: { id: true },
  });
}
