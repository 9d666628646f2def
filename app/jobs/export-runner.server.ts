/**
 * Runs queued records exports one at a time inside the server process. The
 * queue is the RecordExport table: on start-up an export left RUNNING by a
 * crash is queued again once (its unfinished files deleted), or marked FAILED
 * if it was already retried, so none stays "running" forever. The same on
 * both providers. Not yet for several nodes: the claim lets one node build a
 * given export, but a node's start-up recovery would requeue an export
 * another node is building (leases come later, issue 18).
 */
import { rmSync } from "node:fs";
import { deletePartialFiles, exportFilePath } from "#app/models/record-export.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { onExportQueued } from "#app/utils/export-queue.server.ts";
import { buildExport } from "./export-records.server.ts";
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

/** Claims the oldest queued export and builds it. Returns false when the queue is empty. */
export async function runNextExport(): Promise<boolean> {
  const next = await prisma.recordExport.findFirst({
    where: { status: "QUEUED" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  if (!next) return false;
  const now = new Date();
  const claimed = await prisma.recordExport.updateMany({
    where: { id: next.id, status: "QUEUED" },
    data: {
      status: "RUNNING",
      attempts: { increment: 1 },
      startedAt: now,
      heartbeatAt: now,
    },
  });
  if (claimed.count === 0) return true;
  try {
    await buildExport(next.id);
  } catch (error) {
    console.error(`export ${next.id} failed:`, error instanceof Error ? error.message : error);
    await prisma.recordExport.update({
      where: { id: next.id },
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

/** Once per process: recover, drain, then build each export as soon as it is queued. */
export function startExportRunner(): void {
  if (globalThis.__lullExportRunner) return;
  globalThis.__lullExportRunner = true;
  const drain = () =>
    drainExportQueue().catch((error: unknown) =>
      console.error("exports:", error instanceof Error ? error.message : error),
    );
  void recoverInterruptedExports().then(drain, (error: unknown) =>
    console.error("exports:", error instanceof Error ? error.message : error),
  );
  onExportQueued(drain);
  // A safety net: an export queued by another process is picked up within a minute.
  setInterval(drain, 60_000).unref();
}
