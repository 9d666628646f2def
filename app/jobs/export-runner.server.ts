/**
 * Runs queued records exports one at a time inside the server process. The
 * queue is the RecordExport table: on start-up an export left RUNNING by a
 * crash is queued again once (its unfinished files deleted), or marked FAILED
 * if it was already retried, so none stays "running" forever. The same on
 * both providers. With several nodes, exports are claimed with leases
 * (ADR 0037, ./export/lease.server.ts).
 */
import { rmSync } from "node:fs";
import { deletePartialFiles, exportFilePath } from "#app/models/record-export.server.ts";
import { isPostgres, prisma } from "#app/utils/db.server.ts";
import { onExportQueued } from "#app/utils/export-queue.server.ts";
import { drainDatasetQueue } from "./dataset-builder.server.ts";
import { buildExport } from "./export-records.server.ts";
import { claimNextExport, LEASE_MS, LeaseLost } from "./export/lease.server.ts";
import { ArchiveMismatchError } from "./export/verify-archive.server.ts";

export const MAX_ATTEMPTS = 2;

export async function recoverInterruptedExports(now = new Date()): Promise<void> {
  const running = await prisma.recordExport.findMany({
    where: { status: "RUNNING" },
    select: { id: true, attempts: true },
  });
  for (const e of running) {
    deletePartialFiles(e.id);
    // Renamed into place but not yet marked COMPLETE when the process died: never served, and
    // the retry writes it again.
    rmSync(exportFilePath(e.id), { force: true });
    await prisma.recordExport.update({
      where: { id: e.id },
      data:
        e.attempts < MAX_ATTEMPTS
          ? { status: "QUEUED", writtenRows: 0 }
          : {
              status: "FAILED",
              finishedAt: now,
              error: "The export was interrupted twice. Please ask for a new one.",
            },
    });
  }
}

/**
 * Claims the oldest export that is queued or whose lease ran out (ADR 0037) and builds it.
 * Returns false when there is none. An export claimed more than MAX_ATTEMPTS times (its
 * builders kept dying) is FAILED instead.
 */
export async function runNextExport(now = new Date()): Promise<boolean> {
  const claim = await claimNextExport(now);
  if (!claim) return false;
  // Taken over from a node that died: what its attempts left is of no use.
  for (let earlier = 1; earlier < claim.attempt; earlier++) {
    deletePartialFiles(claim.exportId, earlier);
  }
  if (claim.attempt > MAX_ATTEMPTS) {
    deletePartialFiles(claim.exportId);
    await prisma.recordExport.updateMany({
      where: { id: claim.exportId, attempts: claim.attempt },
      data: {
        status: "FAILED",
        finishedAt: now,
        error: "The export was interrupted twice. Please ask for a new one.",
      },
    });
    return true;
  }
  try {
    await buildExport(claim);
  } catch (error) {
    if (error instanceof LeaseLost) {
      console.error(`export ${claim.exportId}: ${error.message} This node stopped building it.`);
      return true;
    }
    console.error(
      `export ${claim.exportId} failed:`,
      error instanceof Error ? error.message : error,
    );
    await prisma.recordExport.updateMany({
      where: { id: claim.exportId, attempts: claim.attempt },
      data: {
        status: "FAILED",
        finishedAt: new Date(),
        error:
          error instanceof ArchiveMismatchError
            ? "The export file on disk was not the one written, so it was deleted. Please ask for a new one."
            : "Something went wrong while building the export. Please ask for a new one.",
      },
    });
  }
  return true;
}

let draining: Promise<void> | null = null;

/** Builds every queued export, one after another; concurrent calls share one run. */
export function drainExportQueue(): Promise<void> {
  draining ??= (async () => {
    try {
      while (await runNextExport()) {
        // next
      }
    } finally {
      draining = null;
    }
  })();
  return draining;
}

declare global {
  var __lullExportRunner: boolean | undefined;
}

/**
 * Once per process: recover (SQLite), drain, then build each export as soon as it is queued.
 * On SQLite this process is the only one (ADR 0019), so whatever is RUNNING at start-up was
 * interrupted and is queued again at once. On PostgreSQL other nodes may be building: their
 * exports are left alone, and one whose node died is claimed again once its lease has run
 * out, which the runner looks for every few seconds.
 */
export function startExportRunner(): void {
  if (globalThis.__lullExportRunner) return;
  globalThis.__lullExportRunner = true;
  // AI-training datasets (ADR 0043) share this runner, its wake-up and its timer.
  const drain = () =>
    Promise.all([drainExportQueue(), drainDatasetQueue()]).then(
      () => undefined,
      (error: unknown) => console.error("exports:", error instanceof Error ? error.message : error),
    );
  const severalNodes = isPostgres();
  const recovered = severalNodes ? Promise.resolve() : recoverInterruptedExports();
  void recovered.then(drain, (error: unknown) =>
    console.error("exports:", error instanceof Error ? error.message : error),
  );
  onExportQueued(drain);
  // A safety net: an export queued on another node, or whose builder died, is picked up.
  setInterval(drain, severalNodes ? LEASE_MS / 3 : 60_000).unref();
}
