/**
 * Records exports are claimed with a lease (ADR 0037): a claim moves the
 * export to RUNNING and increments `attempts`, which is the lease's fencing
 * token; the builder renews `heartbeatAt` while it works, always on the
 * condition that the row still carries its attempt. An export whose
 * heartbeat is older than `LEASE_MS` is free for any node to claim again,
 * so an export whose node died is finished by another; the node that lost
 * its lease notices at its next renewal and stops, touching only its own
 * attempt's files.
 */
import type { RecordExport } from "#app/generated/prisma/client.ts";
import { prisma } from "#app/utils/db.server.ts";

/** How long a claim holds without a heartbeat. */
export const LEASE_MS = 30_000;
/** The builder renews at least this often, whatever it is doing. */
export const RENEW_EVERY_MS = 5_000;

/** The lease was taken over (its heartbeat was late) or the export is no longer RUNNING. */
export class LeaseLost extends Error {
  override name = "LeaseLost";
  constructor(exportId: string) {
    super(`Export ${exportId} was taken over by another node.`);
  }
}

export type Claim = { exportId: string; attempt: number };

/**
 * Claims the oldest export that is queued or whose lease ran out. The update is
 * conditional on the row as it was read (status and attempts), so when two nodes
 * race for one export exactly one wins; the other looks again.
 */
export async function claimNextExport(now = new Date()): Promise<Claim | null> {
  const stale = new Date(now.getTime() - LEASE_MS);
  for (;;) {
    const next = await prisma.recordExport.findFirst({
      where: {
        OR: [{ status: "QUEUED" }, { status: "RUNNING", heartbeatAt: { lt: stale } }],
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, status: true, attempts: true },
    });
    if (!next) return null;
    const claimed = await prisma.recordExport.updateMany({
      where: {
        id: next.id,
        status: next.status,
        attempts: next.attempts,
        ...(next.status === "RUNNING" ? { heartbeatAt: { lt: stale } } : {}),
      },
      data: {
        status: "RUNNING",
        attempts: next.attempts + 1,
        startedAt: now,
        heartbeatAt: now,
        writtenRows: 0,
      },
    });
    if (claimed.count === 1) return { exportId: next.id, attempt: next.attempts + 1 };
  }
}

/** Writes `data` to the export's row while the lease is held; throws LeaseLost otherwise. */
export async function whileLeased(
  claim: Claim,
  data: Partial<Pick<RecordExport, "writtenRows" | "totalRows" | "heartbeatAt">> &
    Record<string, unknown>,
): Promise<void> {
  const { count } = await prisma.recordExport.updateMany({
    where: { id: claim.exportId, attempts: claim.attempt, status: "RUNNING" },
    data,
  });
  if (count === 0) throw new LeaseLost(claim.exportId);
}

/**
 * Renews the lease every RENEW_EVERY_MS until stopped (long steps such as the
 * archive's check write no progress). `lost` is set when a renewal finds the
 * lease gone; the builder checks it at its next step.
 */
export function keepLeaseAlive(claim: Claim): { stop(): void; readonly lost: boolean } {
  let lost = false;
  const timer = setInterval(() => {
    whileLeased(claim, { heartbeatAt: new Date() }).catch((error: unknown) => {
      if (error instanceof LeaseLost) lost = true;
    });
  }, RENEW_EVERY_MS);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    get lost() {
      return lost;
    },
  };
}
