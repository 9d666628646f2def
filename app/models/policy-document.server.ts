import {
  documentStatus,
  MONITORING_NOTICE_SLUG,
  type DocumentDraft,
  publishHoldImpact,
} from "#app/domain/acknowledgement-rules.ts";
import { createHash } from "node:crypto";
import { documentContentSha256 } from "#app/receipts/receipt.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { readAcknowledgementGate } from "./collection.server.ts";
import { cosignRefusal } from "./representative.server.ts";

const documentSelect = {
  id: true,
  slug: true,
  version: true,
  title: true,
  body: true,
  contentSha256: true,
  summaryOfChanges: true,
  requiresAcknowledgement: true,
  publishedAt: true,
  createdAt: true,
  createdById: true,
  cosignedAt: true,
  cosignedBy: { select: { name: true } },
} as const;

/** The newest published version of every document, by slug. */
export async function listCurrentDocuments(client: Tx = prisma) {
  const published = await client.policyDocument.findMany({
    where: { publishedAt: { not: null } },
    orderBy: [{ slug: "asc" }, { version: "desc" }],
    select: documentSelect,
  });
  const seen = new Set<string>();
  return published.filter((d) => !seen.has(d.slug) && seen.add(d.slug));
}

export function getCurrentDocument(slug: string, client: Tx = prisma) {
  return client.policyDocument.findFirst({
    where: { slug, publishedAt: { not: null } },
    orderBy: { version: "desc" },
    select: documentSelect,
  });
}

/** Every current document with the worker's status and the version they last signed. */
export async function listDocumentsForWorker(workerId: string) {
  const [current, acks] = await Promise.all([
    listCurrentDocuments(),
    prisma.acknowledgement.findMany({
      where: { workerId },
      orderBy: { signedAt: "desc" },
      select: { id: true, signedAt: true, document: { select: { slug: true, version: true } } },
    }),
  ]);
  return current.map((doc) => {
    const mine = acks.filter((a) => a.document.slug === doc.slug);
    const status = documentStatus({
      currentVersion: doc.version,
      signedVersions: mine.map((a) => a.document.version),
      requiresAcknowledgement: doc.requiresAcknowledgement,
    });
    const latest = mine[0] ?? null;
    return {
      ...doc,
      status,
      lastSigned: latest
        ? { id: latest.id, version: latest.document.version, signedAt: latest.signedAt }
        : null,
    };
  });
}

/** Required current documents the worker has not acknowledged (the banner on every page). */
export async function listOutstandingDocuments(workerId: string) {
  const docs = await listDocumentsForWorker(workerId);
  return docs
    .filter((d) => d.status === "outdated" || d.status === "never")
    .map((d) => ({ slug: d.slug, title: d.title, status: d.status }));
}

export function getDocumentById(id: string) {
  return prisma.policyDocument.findUnique({
    where: { id },
    select: { ...documentSelect, publishedBy: { select: { name: true } } },
  });
}

/** Every version of every document, newest first, for the admin page. */
export function listAllVersions() {
  return prisma.policyDocument.findMany({
    orderBy: [{ slug: "asc" }, { version: "desc" }],
    select: {
      ...documentSelect,
      publishedBy: { select: { name: true } },
      _count: { select: { acknowledgements: true } },
    },
  });
}

/** Refused: `conflict` on `slug` (the document already has an open draft). */
export type DraftResult = { ok: true; id: string } | Refused;

/** A new draft version of `slug` (the next number); one open draft per document. */
export async function createDraft(
  draft: DocumentDraft,
  actorId: string,
  now: Date,
): Promise<DraftResult> {
  try {
    return await createDraftOnce(draft, actorId, now);
  } catch (error) {
    // Two drafts of one document at once (on PostgreSQL, side by side): the unique
    // (slug, version) index keeps the first; the second finds the open draft.
    if ((error as { code?: unknown }).code === "P2002") return openDraftRefusal();
    throw error;
  }
}

function openDraftRefusal(): Refused {
  return refuse(
    "conflict",
    "This document already has an unpublished draft: edit or publish that one.",
    "slug",
  );
}

function createDraftOnce(draft: DocumentDraft, actorId: string, now: Date) {
  return runCommand(now, async ({ tx, audit }): Promise<DraftResult> => {
    // One read decides both: an open draft is always the newest version. Two reads could see
    // different moments on PostgreSQL (read committed): no open draft yet, then the other
    // command's new draft as the last version, and a second draft after it.
    const last = await tx.policyDocument.findFirst({
      where: { slug: draft.slug },
      orderBy: { version: "desc" },
      select: { version: true, publishedAt: true },
    });
    if (last && last.publishedAt === null) return openDraftRefusal();
    const created = await tx.policyDocument.create({
      data: { ...draft, version: (last?.version ?? 0) + 1, createdById: actorId, createdAt: now },
      select: { id: true, version: true },
    });
    await audit({
      actorId,
      subjectUserId: null,
      action: "document.draft",
      targetType: "PolicyDocument",
      targetId: created.id,
      metadata: { slug: draft.slug, version: created.version },
    });
    return { ok: true, id: created.id };
  });
}

/**
 * Saves a draft's text; a published version cannot be changed (the database
 * refuses too). A representative co-signed the text as it was: a change to
 * it clears the co-signature (ADR 0042).
 */
export async function updateDraft(
  id: string,
  draft: Omit<DocumentDraft, "slug">,
  now = new Date(),
  actorId: string | null = null,
): Promise<{ ok: true; cosignatureCleared: boolean } | Refused> {
  return runCommand(now, async ({ tx, audit }) => {
    const current = await tx.policyDocument.findFirst({
      where: { id, publishedAt: null },
      select: {
        title: true,
        body: true,
        summaryOfChanges: true,
        requiresAcknowledgement: true,
        cosignedById: true,
        slug: true,
        version: true,
      },
    });
    const changed =
      current !== null &&
      (current.title !== draft.title ||
        current.body !== draft.body ||
        (current.summaryOfChanges ?? null) !== (draft.summaryOfChanges ?? null) ||
        current.requiresAcknowledgement !== draft.requiresAcknowledgement);
    const cosignatureCleared = changed && current.cosignedById !== null;
    const { count } = await tx.policyDocument.updateMany({
      where: { id, publishedAt: null },
      data: cosignatureCleared ? { ...draft, cosignedById: null, cosignedAt: null } : draft,
    });
    if (count === 1) {
      if (cosignatureCleared) {
        await audit({
          actorId,
          subjectUserId: null,
          action: "document.cosign_cleared",
          targetType: "PolicyDocument",
          targetId: id,
          metadata: { slug: current.slug, version: current.version },
        });
      }
      return { ok: true as const, cosignatureCleared };
    }
    return refuse(
      "conflict",
      "A published version cannot be changed: publish a new version instead.",
    );
  });
}

/**
 * Whether publishing this version needs a representative's co-signature
 * first: the policy asks for one, and the document is the monitoring notice
 * or must be acknowledged (ADR 0042).
 */
export function needsCosignature(
  draft: { slug: string; requiresAcknowledgement: boolean },
  requireRepresentativeApproval: boolean,
): boolean {
  return (
    requireRepresentativeApproval &&
    (draft.requiresAcknowledgement || draft.slug === MONITORING_NOTICE_SLUG)
  );
}

/**
 * What a representative read when they opened a draft: everything an edit
 * would clear their co-signature for (title, text, summary, whether it must
 * be acknowledged). The co-sign form carries it back, so a co-signature is
 * given only to the draft exactly as it was shown.
 */
export function draftFingerprint(draft: {
  title: string;
  body: string;
  summaryOfChanges: string | null;
  requiresAcknowledgement: boolean;
}): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        draft.title,
        draft.body,
        draft.summaryOfChanges ?? null,
        draft.requiresAcknowledgement,
      ]),
      "utf8",
    )
    .digest("hex");
}

/**
 * A worker representative co-signs a draft as it stands, as they read it
 * (`seen`: its `draftFingerprint` when their page was drawn): never one they
 * wrote, and only a draft (a published version is settled).
 */
export async function cosignDraft(
  id: string,
  actorId: string,
  now: Date,
  seen: string,
): Promise<{ ok: true } | Refused> {
  return runCommand(now, async ({ tx, audit }) => {
    const draft = await tx.policyDocument.findUnique({
      where: { id },
      select: {
        slug: true,
        version: true,
        publishedAt: true,
        createdById: true,
        cosignedAt: true,
        contentSha256: true,
        title: true,
        body: true,
        summaryOfChanges: true,
        requiresAcknowledgement: true,
      },
    });
    if (!draft) return refuse("not_found", "No such document.");
    if (draft.publishedAt) {
      return refuse(
        "conflict",
        "This version is already published; only a draft can be co-signed.",
      );
    }
    const refused = await cosignRefusal(tx, actorId, draft.createdById, "this draft");
    if (refused) return refused;
    if (draft.cosignedAt) return refuse("conflict", "This draft is already co-signed.");
    if (seen !== draftFingerprint(draft)) {
      return refuse(
        "conflict",
        "The privacy office changed this draft after you opened it. Read it again as it stands now, then co-sign.",
      );
    }
    const { count } = await tx.policyDocument.updateMany({
      where: { id, publishedAt: null, cosignedAt: null },
      data: { cosignedById: actorId, cosignedAt: now },
    });
    if (count === 0) return refuse("conflict", "This draft is already co-signed or published.");
    await audit({
      actorId,
      subjectUserId: null,
      action: "document.cosign",
      targetType: "PolicyDocument",
      targetId: id,
      metadata: {
        slug: draft.slug,
        version: draft.version,
        // What the representative read: the draft's text as co-signed.
        contentSha256: documentContentSha256(draft.title, draft.body),
      },
    });
    return { ok: true as const };
  });
}

/**
 * Publishes a draft: its hash is fixed and it can never change again. A new
 * monitoring notice that needs acknowledging re-opens the gate for every
 * worker, so every worker's state version moves and their agents are told.
 */
export async function publishDraft(
  id: string,
  actorId: string,
  now: Date,
): Promise<{ ok: true } | Refused> {
  return runCommand(now, async ({ tx, audit, touchEveryone }) => {
    const draft = await tx.policyDocument.findFirst({
      where: { id, publishedAt: null },
      select: {
        id: true,
        slug: true,
        version: true,
        title: true,
        body: true,
        requiresAcknowledgement: true,
        cosignedAt: true,
        createdById: true,
      },
    });
    if (!draft) return refuse("conflict", "Only a draft can be published.");
    const policy = await tx.policy.findUniqueOrThrow({
      where: { id: 1 },
      select: { requireRepresentativeApproval: true },
    });
    if (needsCosignature(draft, policy.requireRepresentativeApproval) && !draft.cosignedAt) {
      return refuse(
        "cosignature_required",
        "The policy requires a worker representative's co-signature before this document is published. Ask a representative to co-sign this draft, then publish it.",
      );
    }
    // Still a draft when written: a publish of the same draft that committed meanwhile (on
    // PostgreSQL, side by side) leaves nothing to update.
    // The text must still be the one co-signed: an edit meanwhile cleared the co-signature.
    const { count } = await tx.policyDocument.updateMany({
      where: draft.cosignedAt
        ? { id, publishedAt: null, cosignedAt: { not: null } }
        : { id, publishedAt: null },
      data: {
        contentSha256: documentContentSha256(draft.title, draft.body),
        publishedAt: now,
        publishedById: actorId,
      },
    });
    if (count === 0) return refuse("conflict", "Only a draft can be published.");
    await audit({
      actorId,
      subjectUserId: null,
      action: "document.publish",
      targetType: "PolicyDocument",
      targetId: id,
      metadata: { slug: draft.slug, version: draft.version },
    });
    if (draft.slug === MONITORING_NOTICE_SLUG && draft.requiresAcknowledgement) touchEveryone();
    return { ok: true as const };
  });
}

/** What publishing this draft would do to collection (`publishHoldImpact`). */
export async function getPublishImpact(draft: { slug: string; requiresAcknowledgement: boolean }) {
  const [{ policyRequires, notice: currentNotice }, activePeople] = await Promise.all([
    readAcknowledgementGate(),
    prisma.user.count({ where: { deactivatedAt: null } }),
  ]);
  const signedCurrentNotice = currentNotice
    ? await prisma.acknowledgement.count({
        where: { documentId: currentNotice.id, worker: { deactivatedAt: null } },
      })
    : 0;
  return publishHoldImpact({
    policyRequires,
    draft,
    currentNotice,
    activePeople,
    signedCurrentNotice,
  });
}

/** Per version: how many active people have signed it, and who has not (names only). */
export async function getCompliance(documentId: string) {
  const [signed, outstanding] = await Promise.all([
    prisma.acknowledgement.count({ where: { documentId, worker: { deactivatedAt: null } } }),
    prisma.user.findMany({
      where: { deactivatedAt: null, acknowledgements: { none: { documentId } } },
      orderBy: { name: "asc" },
      select: { id: true, name: true },
    }),
  ]);
  return { signed, outstanding };
}
