import { prisma, type Tx } from "#app/utils/db.server.ts";
import { publishStateChange } from "#app/utils/state-bus.server.ts";

/**
 * Every change to a worker's windows (pauses, exemptions) bumps their state
 * version in the same transaction; the caller publishes the change after
 * commit so connected agents fetch the new state.
 */
export function bumpStateVersion(tx: Tx, workerId: string) {
  return tx.user.update({
    where: { id: workerId },
    data: { stateVersion: { increment: 1 }, stateVersionAt: new Date() },
    select: { id: true },
  });
}

/** A change that moves every active worker's state (policy gate, a new notice), in its transaction. */
export function bumpEveryonesStateVersion(tx: Tx, now: Date) {
  return tx.user.updateMany({
    where: { deactivatedAt: null },
    data: { stateVersion: { increment: 1 }, stateVersionAt: now },
  });
}

/** After a change that moves every worker's state (bumped in its transaction): tell every agent. */
export async function publishToEveryone(): Promise<void> {
  const people = await prisma.user.findMany({
    where: { deactivatedAt: null },
    select: { id: true },
  });
  for (const p of people) publishStateChange({ workerId: p.id });
}
