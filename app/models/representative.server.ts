/**
 * Who may co-sign (ADR 0042): an active worker representative, never the
 * person who proposed or wrote what is co-signed.
 */
import { refuse, type Refused } from "#app/domain/refusal.ts";
import type { Tx } from "#app/utils/db.server.ts";

/** Null when `actorId` may co-sign something proposed by `proposedById`; else why not. */
export async function cosignRefusal(
  tx: Tx,
  actorId: string,
  proposedById: string | null,
  what: string,
): Promise<Refused | null> {
  const actor = await tx.user.findUnique({
    where: { id: actorId },
    select: { role: true, deactivatedAt: true },
  });
  if (!actor || actor.role !== "REPRESENTATIVE" || actor.deactivatedAt) {
    return refuse("forbidden", `Only a worker representative can co-sign ${what}.`);
  }
  if (proposedById === actorId) {
    return refuse(
      "forbidden",
      `You proposed ${what} yourself: another representative must co-sign it.`,
    );
  }
  return null;
}
