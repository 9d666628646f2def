/**
 * AI-training datasets (ADR 0043): asked for by a data steward (or an admin)
 * naming a permitted purpose, built by a job (app/jobs/dataset-builder.server.ts)
 * into one file beside the records exports, and downloaded with the signed
 * manifest. Every step is audited with the purpose; each worker whose events
 * a dataset holds sees it in their access log and in its lineage
 * (app/models/dataset-lineage.server.ts).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { runCommand } from "#app/commands/command.server.ts";
import { DATASET_PURPOSES } from "#app/domain/purposes.ts";
import { type Refused } from "#app/domain/refusal.ts";
import { prisma } from "#app/utils/db.server.ts";
import { exportsDirectory } from "./record-export.server.ts";
import { purposeForAccess } from "./purpose.server.ts";

/** Dataset files live beside the records exports, never served as static files. */
export function datasetsDirectory(): string {
  const dir = path.join(exportsDirectory(), "datasets");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function datasetFilePath(id: string): string {
  return path.join(datasetsDirectory(), `${id}.jsonl`);
}

/** The file while attempt `attempt` writes it: renamed into place only once whole. */
export function partialDatasetPath(id: string, attempt: number): string {
  return `${datasetFilePath(id)}.${attempt}.partial`;
}

export function datasetFileName(id: string): string {
  return `lull-dataset-${id}.jsonl`;
}

/**
 * Queues a dataset of [start, end) for the purpose `purposeKey`, which must be
 * one that may be named (a prohibited or unknown one is refused, and nothing
 * is written). The request is audited with the purpose.
 */
export async function requestDataset({
  requesterId,
  name,
  start,
  end,
  purposeKey,
  now,
}: {
  requesterId: string;
  name: string;
  start: Date;
  end: Date;
  purposeKey: string;
  now: Date;
}): Promise<{ ok: true; id: string } | Refused> {
  const purpose = await purposeForAccess(purposeKey, now, DATASET_PURPOSES);
  if (!purpose.ok) return purpose;
  return runCommand(now, async ({ tx, audit, wakeExportRunner }) => {
    const row = await tx.dataset.create({
      data: {
        name,
        purposeId: purpose.purpose.id,
        rangeStart: start,
        rangeEnd: end,
        requestedById: requesterId,
        createdAt: now,
      },
      select: { id: true },
    });
    await audit({
      actorId: requesterId,
      subjectUserId: null,
      action: "dataset.request",
      targetType: "Dataset",
      targetId: row.id,
      purposeId: purpose.purpose.id,
      metadata: { name, from: start.toISOString(), to: end.toISOString() },
    });
    // Datasets are built by the background job runner the exports use.
    wakeExportRunner();
    return { ok: true as const, id: row.id };
  });
}

const listSelect = {
  id: true,
  name: true,
  status: true,
  rangeStart: true,
  rangeEnd: true,
  createdAt: true,
  finishedAt: true,
  workers: true,
  events: true,
  bytes: true,
  error: true,
  requestedBy: { select: { name: true } },
  purpose: { select: { key: true, version: true, name: true } },
} as const;

/** The newest datasets first (the steward's list). */
export function listDatasets(take = 50) {
  return prisma.dataset.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: listSelect,
  });
}

export async function getDataset(id: string) {
  return prisma.dataset.findUnique({
    where: { id },
    select: {
      ...listSelect,
      startedAt: true,
      sha256: true,
      policyVersion: true,
      noticeVersion: true,
      manifest: true,
      fileDeletedAt: true,
      purpose: { select: { key: true, version: true, name: true, legalBasis: true } },
    },
  });
}

/**
 * A complete dataset's file to stream, or null. The download is audited with
 * the dataset's purpose (who took a copy, when).
 */
export async function openDatasetForDownload(id: string, viewerId: string, now: Date) {
  const row = await prisma.dataset.findUnique({
    where: { id },
    select: { id: true, status: true, bytes: true, purposeId: true, fileDeletedAt: true },
  });
  if (!row || row.status !== "COMPLETE" || row.fileDeletedAt) return null;
  const file = datasetFilePath(row.id);
  if (!existsSync(file)) return null;
  await runCommand(now, ({ audit }) =>
    audit({
      actorId: viewerId,
      subjectUserId: null,
      action: "dataset.download",
      targetType: "Dataset",
      targetId: row.id,
      purposeId: row.purposeId,
    }),
  );
  return { file, bytes: row.bytes ?? undefined, name: datasetFileName(row.id) };
}

/** The signed manifest as issued (served verbatim), or null while the dataset is not complete. */
export async function getDatasetManifest(id: string): Promise<string | null> {
  const row = await prisma.dataset.findUnique({
    where: { id },
    select: { status: true, manifest: true },
  });
  return row?.status === "COMPLETE" ? row.manifest : null;
}

const DAY_MS = 86_400_000;

/**
 * The hourly sweep (ADR 0043): deletes the files of datasets kept longer than
 * their purpose's retention (the lineage stays, marked "file deleted"), and
 * what builds that died left behind (partial files over an hour old of
 * datasets no longer building). Returns how many datasets' files it deleted.
 */
export async function sweepDatasetFiles(now: Date): Promise<number> {
  const complete = await prisma.dataset.findMany({
    where: { status: "COMPLETE", fileDeletedAt: null },
    select: { id: true, finishedAt: true, purpose: { select: { retentionDays: true } } },
  });
  let deleted = 0;
  for (const d of complete) {
    if (!d.finishedAt) continue;
    if (d.finishedAt.getTime() + d.purpose.retentionDays * DAY_MS > now.getTime()) continue;
    rmSync(datasetFilePath(d.id), { force: true });
    await prisma.dataset.update({ where: { id: d.id }, data: { fileDeletedAt: now } });
    deleted++;
  }
  const dir = datasetsDirectory();
  const running = new Set(
    (await prisma.dataset.findMany({ where: { status: "RUNNING" }, select: { id: true } })).map(
      (r) => r.id,
    ),
  );
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".partial")) continue;
    const file = path.join(dir, name);
    if (running.has(name.split(".")[0]!)) continue;
    if (now.getTime() - statSync(file).mtimeMs < 60 * 60 * 1000) continue;
    rmSync(file, { force: true });
  }
  return deleted;
}
