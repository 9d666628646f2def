/**
 * Who may co-sign (ADR 0042): an active worker representative, never the
 * person who proposed or wrote what is co-signed; and the names the
 * histories show for who proposed and who co-signed.
 */
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";

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

/**
 * The names behind the ids a history row carries (who proposed, who
 * co-signed), read in one query: null for no one, "A former account" for an
 * id whose account is gone.
 */
export async function namesOf(
  ids: readonly (string | null)[],
): Promise<(id: string | null) => string | null> {
  const wanted = [...new Set(ids.filter((id) => id !== null))];
  const people = await prisma.user.findMany({
    where: { id: { in: wanted } },
    select: { id: true, name: true },
  });
  const names = new Map(people.map((p) => [p.id, p.name]));
  return (id) => (id === null ? null : (names.get(id) ?? "A former account"));
}
