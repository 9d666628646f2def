import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import {
  decideExportRequest,
  exportStatus,
  type ExportRequester,
} from "#app/domain/records-export.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { type Env, getEnv } from "#app/utils/env.server.ts";
import { sqlitePathFromUrl } from "#app/utils/sqlite-adapter.server.ts";

/**
 * Where export archives live (never served as static files; ADR 0033):
 * EXPORT_DIR, or by default exports/ beside the SQLite file, or ./data/exports
 * with PostgreSQL (which has no file to sit beside).
 */
export function exportsDirectory(): string {
  return exportsDirectoryFor(getEnv());
}

/** `exportsDirectory` for the given environment. */
export function exportsDirectoryFor(
  env: Pick<Env, "EXPORT_DIR" | "DATABASE_URL" | "databaseProvider">,
): string {
  if (env.EXPORT_DIR) return path.resolve(env.EXPORT_DIR);
  return env.databaseProvider === "postgresql"
    ? path.resolve("data", "exports")
    : path.join(path.dirname(sqlitePathFromUrl(env.DATABASE_URL)), "exports");
}

export function exportFilePath(id: string): string {
  return path.join(exportsDirectory(), `${id}.zip`);
}

/**
 * The archive while attempt `attempt` writes and checks it (its temporary name:
 * renamed to `exportFilePath` only once whole and checked); scratch files beside
 * it are named `<this>.<something>`. Each attempt has its own, so a node that
 * lost its lease never writes into, or deletes, the files of the node that took
 * the export over (ADR 0037).
 */
export function partialFilePath(id: string, attempt: number): string {
  return `${exportFilePath(id)}.${attempt}.partial`;
}

function exportFileNames(): string[] {
  return existsSync(exportsDirectory()) ? readdirSync(exportsDirectory()) : [];
}

/**
 * Deletes an export's unfinished files (its `.partial` archive and the scratch files beside
 * it): one attempt's, or every attempt's.
 */
export function deletePartialFiles(id: string, attempt?: number): void {
  const zip = path.basename(exportFilePath(id));
  const partial = attempt === undefined ? undefined : path.basename(partialFilePath(id, attempt));
  for (const name of exportFileNames()) {
    const mine = partial
      ? name === partial || name.startsWith(`${partial}.`)
      : name.startsWith(`${zip}.`) && name.includes(".partial");
    if (mine) {
      rmSync(path.join(exportsDirectory(), name), { force: true });
    }
  }
}

/** How old an unfinished file must be before the sweep deletes it. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/**
 * Deletes every `*.partial*` file in exports/ older than an hour that no
 * RUNNING export owns (run by the hourly job): what a failed or interrupted
 * export left holds a worker's data in plain text (ADR 0019). Returns how
 * many it deleted.
 */
export async function deleteAbandonedPartialFiles(now: Date): Promise<number> {
  const partials = exportFileNames().filter((name) => name.includes(".partial"));
  if (partials.length === 0) return 0;
  const running = await prisma.recordExport.findMany({
    where: { status: "RUNNING" },
    select: { id: true },
  });
  const owned = new Set(running.map((e) => e.id));
  let deleted = 0;
  for (const name of partials) {
    // Export ids (cuids) have no dot: the id is the name up to its first one.
    if (owned.has(name.slice(0, name.indexOf(".")))) continue;
    const file = path.join(exportsDirectory(), name);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile() || now.getTime() - stat.mtimeMs < ABANDONED_AFTER_MS) continue;
    rmSync(file, { force: true });
    deleted += 1;
  }
  return deleted;
}

/** A staff member's zone and the exports of other people they asked for in the last two days. */
async function staffRequester(tx: Tx, staffId: string, now: Date): Promise<ExportRequester> {
  const [staff, recent] = await Promise.all([
    tx.user.findUniqueOrThrow({ where: { id: staffId }, select: { timezone: true } }),
    tx.recordExport.findMany({
      where: {
        requestedById: staffId,
        NOT: { workerId: staffId },
        createdAt: { gte: new Date(now.getTime() - 2 * 24 * 60 * 60 * 1000) },
      },
      select: { createdAt: true },
    }),
  ]);
  return {
    kind: "staff",
    timeZone: staff.timezone,
    recentRequests: recent.map((r) => r.createdAt),
  };
}

/** Refused: `not_found`, or as `decideExportRequest` (`export_in_progress`, `rate_limited`). */
export type RequestExportResult = { ok: true; id: string } | Refused;

/**
 * Queues an export of `workerId`'s records, asked for by the worker or (with
 * a reason) by a reviewer or admin; the latter is audited with the worker as
 * subject, so it shows in the worker's access log.
 */
export async function requestExport({
  workerId,
  requester,
  reason,
  purposeId = null,
  now,
}: {
  workerId: string;
  requester: { id: string };
  reason: string | null;
  /** The purpose staff named (ADR 0042); required when the requester is not the worker. */
  purposeId?: string | null;
  now: Date;
}): Promise<RequestExportResult> {
  if (requester.id !== workerId && !purposeId) {
    return refuse("purpose_required", "Choose the purpose of this access.", "purpose");
  }
  return runCommand(
    now,
    async ({ tx, audit, wakeExportRunner }): Promise<RequestExportResult> => {
      const worker = await tx.user.findUnique({
        where: { id: workerId },
        select: { timezone: true },
      });
      if (!worker) return refuse("not_found", "No such person.");
      const recent = await tx.recordExport.findMany({
        where: {
          workerId,
          OR: [
            { status: { in: ["QUEUED", "RUNNING"] } },
            { createdAt: { gte: new Date(now.getTime() - 2 * 24 * 60 * 60 * 1000) } },
          ],
        },
        select: { status: true, createdAt: true, requestedById: true },
      });
      const decision = decideExportRequest({
        exports: recent.map((e) => ({ ...e, ownRequest: e.requestedById === workerId })),
        now,
        timeZone: worker.timezone,
        requester:
          requester.id === workerId
            ? { kind: "self" }
            : await staffRequester(tx, requester.id, now),
      });
      if (!decision.ok) return decision;
      const created = await tx.recordExport.create({
        data: { workerId, requestedById: requester.id, reason, purposeId, createdAt: now },
        select: { id: true },
      });
      await audit({
        actorId: requester.id,
        subjectUserId: workerId,
        action: "records.export",
        targetType: "RecordExport",
        targetId: created.id,
        metadata: reason ? { reason } : {},
        ...(purposeId ? { purposeId } : {}),
        at: now,
      });
      wakeExportRunner();
      return { ok: true, id: created.id };
    },
    { worker: workerId },
  );
}

const listSelect = {
  id: true,
  status: true,
  totalRows: true,
  writtenRows: true,
  bytes: true,
  error: true,
  reason: true,
  createdAt: true,
  finishedAt: true,
  expiresAt: true,
  workerId: true,
  requestedById: true,
  requestedBy: { select: { name: true } },
  worker: { select: { name: true } },
} as const;

/** Every export of the worker's records (their own and those staff asked for), newest first. */
export function listExportsOfWorker(workerId: string) {
  return prisma.recordExport.findMany({
    where: { workerId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 30,
    select: listSelect,
  });
}

/** Exports a reviewer or admin asked for, newest first. */
export function listExportsRequestedBy(requesterId: string) {
  return prisma.recordExport.findMany({
    where: { requestedById: requesterId, NOT: { workerId: requesterId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 30,
    select: listSelect,
  });
}

/**
 * The file to send for a download, or null: the export must be the viewer's
 * own records (or one they requested), complete, not expired, and on disk.
 * A staff download is audited like the request.
 */
export async function openExportForDownload({
  id,
  viewerId,
  now,
}: {
  id: string;
  viewerId: string;
  now: Date;
}) {
  const row = await prisma.recordExport.findFirst({
    where: { id, OR: [{ workerId: viewerId }, { requestedById: viewerId }] },
    select: {
      id: true,
      workerId: true,
      status: true,
      expiresAt: true,
      bytes: true,
      purposeId: true,
    },
  });
  if (!row || exportStatus(row, now) !== "COMPLETE") return null;
  const file = exportFilePath(row.id);
  if (!existsSync(file)) return null;
  if (row.workerId !== viewerId) {
    await runCommand(now, ({ audit }) =>
      audit({
        actorId: viewerId,
        subjectUserId: row.workerId,
        action: "records.download",
        targetType: "RecordExport",
        targetId: row.id,
        // The purpose named when the export was asked for (ADR 0042).
        ...(row.purposeId ? { purposeId: row.purposeId } : {}),
        at: now,
      }),
    );
  }
  return { file, bytes: row.bytes ?? undefined, workerId: row.workerId };
}

/** Deletes the files of exports past their keep date (run by the hourly job). */
export async function deleteExpiredExportFiles(now: Date): Promise<number> {
  const expired = await prisma.recordExport.findMany({
    where: { status: "COMPLETE", expiresAt: { lte: now }, fileDeletedAt: null },
    select: { id: true },
  });
  for (const e of expired) {
    rmSync(exportFilePath(e.id), { force: true });
    await prisma.recordExport.update({ where: { id: e.id }, data: { fileDeletedAt: now } });
  }
  return expired.length;
}
