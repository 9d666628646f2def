/**
 * Builds queued AI-training datasets (ADR 0043), one at a time, claimed with
 * a lease like the records exports (ADR 0037): a claim moves the dataset to
 * RUNNING and increments `attempts` (the fencing token); the builder renews
 * `heartbeatAt` after every page; a dataset whose heartbeat is older than
 * LEASE_MS is claimed again by any node, and the one that lost it stops at
 * its next renewal, touching only its own attempt's file.
 *
 * The build reads workers who acknowledged the monitoring notice in force, a
 * page at a time (keyset by id), their collection facts over the range and
 * their standing rights requests, and streams the page's events in (worker,
 * time) order, a query of 5,000 at a time, through `datasetExclusion`, writing JSON Lines and hashing as it goes,
 * so memory stays flat whatever the number of workers. Worker ids become
 * HMAC-SHA256 pseudonyms under a random key made for this build and never
 * stored. The last transaction stores the lineage (DatasetMember), one
 * `dataset.include` access entry per worker and the signed manifest, and
 * marks the dataset complete, only if this attempt still holds the lease.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createWriteStream, renameSync, rmSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import { collectionWindows } from "#app/domain/collection-state.ts";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import {
  DATASET_FILE_FORMAT,
  datasetExclusion,
  type DatasetExclusion,
  type DatasetWorkerRules,
} from "#app/domain/dataset-rules.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { loadCollectionInputsFor } from "#app/models/collection.server.ts";
import {
  datasetFileName,
  datasetFilePath,
  partialDatasetPath,
} from "#app/models/dataset.server.ts";
import { getRightsExclusions } from "#app/models/rights-exclusions.server.ts";
import {
  DATASET_MANIFEST_FORMAT,
  documentContentSha256,
  formatReceipt,
  type DatasetManifestPayload,
} from "#app/receipts/receipt.ts";
import { recordAuditEvents } from "#app/utils/audit.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { signReceiptPayload } from "#app/utils/receipt-signing.server.ts";

/** How long a claim holds without a heartbeat. */
export const DATASET_LEASE_MS = 30_000;
/** A dataset claimed more often than this (its builders kept dying) fails. */
export const DATASET_MAX_ATTEMPTS = 3;
/** Workers read per page, and events per query. */
const WORKERS_PER_PAGE = 200;
const EVENTS_PER_QUERY = 5_000;

type Claim = { datasetId: string; attempt: number };

class DatasetLeaseLost extends Error {
  override name = "DatasetLeaseLost";
}

/** Claims the oldest queued dataset, or one whose builder's lease ran out. */
export async function claimNextDataset(now = new Date()): Promise<Claim | null> {
  const stale = new Date(now.getTime() - DATASET_LEASE_MS);
  for (;;) {
    const next = await prisma.dataset.findFirst({
      where: { OR: [{ status: "QUEUED" }, { status: "RUNNING", heartbeatAt: { lt: stale } }] },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, status: true, attempts: true },
    });
    if (!next) return null;
    const { count } = await prisma.dataset.updateMany({
      where: {
        id: next.id,
        status: next.status,
        attempts: next.attempts,
        ...(next.status === "RUNNING" ? { heartbeatAt: { lt: stale } } : {}),
      },
      data: { status: "RUNNING", attempts: next.attempts + 1, startedAt: now, heartbeatAt: now },
    });
    if (count === 1) return { datasetId: next.id, attempt: next.attempts + 1 };
  }
}

async function renew(claim: Claim): Promise<void> {
  const { count } = await prisma.dataset.updateMany({
    where: { id: claim.datasetId, attempts: claim.attempt, status: "RUNNING" },
    data: { heartbeatAt: new Date() },
  });
  if (count === 0) throw new DatasetLeaseLost(`Dataset ${claim.datasetId} was taken over.`);
}

/** Stable within one build, unlinkable across builds: the key lives only in this closure. */
export function pseudonymizer(): (workerId: string) => string {
  const key = randomBytes(32);
  return (workerId) =>
    `p_${createHmac("sha256", key).update(workerId, "utf8").digest("base64url").slice(0, 22)}`;
}

type Member = {
  workerId: string;
  pseudonym: string;
  events: number;
  firstAt: Date;
  lastAt: Date;
};

/** Writes a line, waiting when the stream's buffer is full. */
async function write(out: WriteStream, line: string): Promise<void> {
  if (!out.write(line)) await once(out, "drain");
}

/**
 * The build itself. Returns the counts of events left out, by reason (for the
 * tests and the benchmark). Throws DatasetLeaseLost when another node took over.
 */
export async function buildDataset(claim: Claim): Promise<Record<DatasetExclusion, number>> {
  const dataset = await prisma.dataset.findUniqueOrThrow({
    where: { id: claim.datasetId },
    select: {
      id: true,
      name: true,
      rangeStart: true,
      rangeEnd: true,
      requestedById: true,
      purpose: {
        select: {
          id: true,
          key: true,
          version: true,
          name: true,
          legalBasis: true,
          retentionDays: true,
        },
      },
    },
  });
  const [notice, policy, rights] = await Promise.all([
    prisma.policyDocument.findFirst({
      where: { slug: MONITORING_NOTICE_SLUG, publishedAt: { not: null } },
      orderBy: { version: "desc" },
      select: { id: true, slug: true, version: true, title: true, body: true },
    }),
    prisma.policy.findUniqueOrThrow({ where: { id: 1 }, select: { version: true } }),
    getRightsExclusions(dataset.purpose.key),
  ]);
  const left: Record<DatasetExclusion, number> = {
    objected: 0,
    paused: 0,
    exempt: 0,
    forgotten: 0,
    private_app: 0,
    restricted: 0,
  };
  const pseudonym = pseudonymizer();
  const members: Member[] = [];
  const hash = createHash("sha256");
  let bytes = 0;
  let events = 0;
  const partial = partialDatasetPath(dataset.id, claim.attempt);
  const out = createWriteStream(partial, { flags: "w", mode: 0o600 });
  // A failed write (or one still in flight when a lost lease destroys the stream) is reported
  // here, never as an uncaught error; the next write throws it.
  let failed: Error | null = null;
  out.on("error", (error) => {
    failed ??= error;
  });
  const emit = async (line: string) => {
    if (failed) throw failed;
    hash.update(line, "utf8");
    bytes += Buffer.byteLength(line, "utf8");
    await write(out, line);
  };
  try {
    // Without a monitoring notice nobody acknowledged one: the dataset is empty.
    let after: string | undefined;
    while (notice) {
      const page = await prisma.acknowledgement.findMany({
        where: {
          documentId: notice.id,
          worker: { deactivatedAt: null },
          ...(after ? { workerId: { gt: after } } : {}),
        },
        orderBy: { workerId: "asc" },
        take: WORKERS_PER_PAGE,
        select: { workerId: true },
      });
      if (page.length === 0) break;
      after = page.at(-1)!.workerId;
      const ids = page.map((r) => r.workerId);
      const inputs = await loadCollectionInputsFor(ids, dataset.rangeStart, dataset.rangeEnd);
      const rulesOf = new Map<string, DatasetWorkerRules>();
      for (const [workerId, input] of inputs) {
        const standing = rights.get(workerId);
        rulesOf.set(workerId, {
          windows: collectionWindows(
            { ...input, heldForAcknowledgement: false, deactivated: false },
            dataset.rangeStart,
            dataset.rangeEnd,
          ),
          frozen: standing?.frozen ?? [],
          objects: standing?.objects ?? false,
        });
      }
      // The page's events in (worker, time, id) order, a query at a time (keyset).
      let member = null as Member | null;
      let cursor: { workerId: string; at: Date; id: number } | null = null;
      for (;;) {
        const rows: {
          id: number;
          workerId: string;
          at: Date;
          type: string;
          app: string;
          data: string;
        }[] = await prisma.event.findMany({
          where: {
            workerId: { in: ids },
            at: { gte: dataset.rangeStart, lt: dataset.rangeEnd },
            ...(cursor
              ? {
                  OR: [
                    { workerId: { gt: cursor.workerId } },
                    { workerId: cursor.workerId, at: { gt: cursor.at } },
                    { workerId: cursor.workerId, at: cursor.at, id: { gt: cursor.id } },
                  ],
                }
              : {}),
          },
          orderBy: [{ workerId: "asc" }, { at: "asc" }, { id: "asc" }],
          take: EVENTS_PER_QUERY,
          select: { id: true, workerId: true, at: true, type: true, app: true, data: true },
        });
        if (rows.length === 0) break;
        const last = rows.at(-1)!;
        cursor = { workerId: last.workerId, at: last.at, id: last.id };
        // One write (and one hash update) per query, not per line.
        let chunk = "";
        for (const e of rows) {
          const rules = rulesOf.get(e.workerId);
          if (!rules) continue;
          const why = datasetExclusion(rules, e);
          if (why) {
            left[why]++;
            continue;
          }
          if (member?.workerId !== e.workerId) {
            if (member) members.push(member);
            member = {
              workerId: e.workerId,
              pseudonym: pseudonym(e.workerId),
              events: 0,
              firstAt: e.at,
              lastAt: e.at,
            };
          }
          member.events++;
          member.lastAt = e.at;
          events++;
          chunk += `${JSON.stringify({
            pseudonym: member.pseudonym,
            at: e.at.toISOString(),
            type: e.type,
            app: e.app,
            data: JSON.parse(e.data) as unknown,
          })}\n`;
        }
        if (chunk) await emit(chunk);
        if (rows.length < EVENTS_PER_QUERY) break;
      }
      if (member) members.push(member);
      await renew(claim);
    }
    out.end();
    await once(out, "finish");
    if (failed) throw failed;
  } catch (error) {
    out.destroy();
    await once(out, "close");
    rmSync(partial, { force: true });
    throw error;
  }
  const now = new Date();
  const sha256 = hash.digest("hex");
  const payload: DatasetManifestPayload = {
    format: DATASET_MANIFEST_FORMAT,
    datasetId: dataset.id,
    name: dataset.name,
    issuer: getEnv().RECEIPT_ISSUER,
    purpose: {
      key: dataset.purpose.key,
      version: dataset.purpose.version,
      name: dataset.purpose.name,
      legalBasis: dataset.purpose.legalBasis,
      retentionDays: dataset.purpose.retentionDays,
    },
    range: { from: dataset.rangeStart.toISOString(), to: dataset.rangeEnd.toISOString() },
    rows: { events, workers: members.length },
    file: { name: datasetFileName(dataset.id), format: DATASET_FILE_FORMAT, bytes, sha256 },
    policyVersion: policy.version,
    notice: notice
      ? {
          slug: notice.slug,
          version: notice.version,
          contentSha256: documentContentSha256(notice.title, notice.body),
        }
      : null,
    pseudonyms: "HMAC-SHA256, a random key per dataset, discarded after the build",
    builtAt: now.toISOString(),
  };
  const manifest = formatReceipt(signReceiptPayload(payload));
  const final = datasetFilePath(dataset.id);
  renameSync(partial, final);
  try {
    await runCommand(
      now,
      async ({ tx }) => {
        const { count } = await tx.dataset.updateMany({
          where: { id: dataset.id, attempts: claim.attempt, status: "RUNNING" },
          data: {
            status: "COMPLETE",
            finishedAt: now,
            heartbeatAt: now,
            workers: members.length,
            events,
            bytes,
            sha256,
            policyVersion: policy.version,
            noticeId: notice?.id ?? null,
            noticeVersion: notice?.version ?? null,
            manifest,
          },
        });
        if (count === 0) throw new DatasetLeaseLost(`Dataset ${dataset.id} was taken over.`);
        for (let i = 0; i < members.length; i += 500) {
          const chunk = members.slice(i, i + 500);
          await tx.datasetMember.createMany({
            data: chunk.map((m) => ({ datasetId: dataset.id, ...m })),
          });
          await recordAuditEvents(
            tx,
            chunk.map((m) => ({
              actorId: dataset.requestedById,
              subjectUserId: m.workerId,
              action: "dataset.include" as const,
              targetType: "Dataset",
              targetId: dataset.id,
              purposeId: dataset.purpose.id,
              at: now,
              metadata: {
                datasetId: dataset.id,
                name: dataset.name,
                from: m.firstAt.toISOString(),
                to: m.lastAt.toISOString(),
                events: m.events,
              },
            })),
          );
        }
      },
      { timeout: 120_000 },
    );
  } catch (error) {
    // This attempt lost: the file in place is the winner's to write.
    if (!(error instanceof DatasetLeaseLost)) rmSync(final, { force: true });
    throw error;
  }
  return left;
}

/** Claims and builds the next dataset; false when there is none. */
export async function runNextDataset(now = new Date()): Promise<boolean> {
  const claim = await claimNextDataset(now);
  if (!claim) return false;
  if (claim.attempt > DATASET_MAX_ATTEMPTS) {
    await prisma.dataset.updateMany({
      where: { id: claim.datasetId, attempts: claim.attempt },
      data: {
        status: "FAILED",
        finishedAt: now,
        error: "The build was interrupted too often. Please ask for it again.",
      },
    });
    return true;
  }
  try {
    await buildDataset(claim);
  } catch (error) {
    if (error instanceof DatasetLeaseLost) return true;
    console.error(
      `dataset ${claim.datasetId} failed:`,
      error instanceof Error ? error.message : error,
    );
    await prisma.dataset.updateMany({
      where: { id: claim.datasetId, attempts: claim.attempt },
      data: {
        status: "FAILED",
        finishedAt: new Date(),
        error: "Something went wrong while building the dataset. Please ask for it again.",
      },
    });
  }
  return true;
}

let draining: Promise<void> | null = null;

/** Builds every queued dataset, one after another; concurrent calls share one run. */
export function drainDatasetQueue(): Promise<void> {
  draining ??= (async () => {
    try {
      while (await runNextDataset()) {
        // next
      }
    } finally {
      draining = null;
    }
  })();
  return draining;
}
