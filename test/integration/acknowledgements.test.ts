import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import { getAgentState } from "#app/models/agent-state.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import {
  createDraft,
  getCompliance,
  listDocumentsForWorker,
  publishDraft,
  updateDraft,
} from "#app/models/policy-document.server.ts";
import { RECEIPT_FORMAT, verifyReceiptFile } from "#app/receipts/receipt.ts";
import { loader as keyLoader } from "#app/routes/[.well-known].lull-receipt-key.ts";
import { loader as rootLoader } from "#app/root.tsx";
import {
  action as signAction,
  loader as documentLoader,
} from "#app/routes/acknowledgements.$slug.tsx";
import { loader as receiptJsonLoader } from "#app/routes/acknowledgements.receipts.$ackId[.json].ts";
import { action as policyAction } from "#app/routes/admin.policy.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

async function person(name = "Test Person", role: "WORKER" | "ADMIN" = "WORKER") {
  const user = await createUser({ name, role });
  return { user, cookie: await sessionCookieFor(user.id) };
}

let adminId: string | undefined;
async function admin() {
  adminId ??= (await createUser({ role: "ADMIN", name: "Docs Admin" })).id;
  return adminId;
}

/** Publishes a new version of `slug` (each test file has its own database). */
async function publish(slug: string, body: string, requiresAcknowledgement = true) {
  const actor = await admin();
  const draft = await createDraft(
    { slug, title: `Title of ${slug}`, body, summaryOfChanges: null, requiresAcknowledgement },
    actor,
    new Date(),
  );
  if (!draft.ok) throw new Error(draft.refusal.message);
  expect(await publishDraft(draft.id, actor, new Date())).toEqual({ ok: true });
  return draft.id;
}

function sign(
  cookie: string,
  slug: string,
  fields: { documentId: string; signedName?: string; confirm?: string },
) {
  const form: Record<string, string> = { documentId: fields.documentId };
  if (fields.signedName !== undefined) form.signedName = fields.signedName;
  if (fields.confirm !== undefined) form.confirm = fields.confirm;
  return callRoute(signAction, formRequest(`/acknowledgements/${slug}`, form, { cookie }), {
    params: { slug },
  });
}

const errorsOf = (data: unknown) =>
  (data as { result?: { error?: Record<string, string[]> } }).result?.error ?? {};

describe("policy documents", () => {
  test("a published version cannot be changed or deleted, by the app or directly", async () => {
    const id = await publish("handbook-a", "The first text of the handbook, long enough.");
    expect(
      await updateDraft(id, {
        title: "Changed",
        body: "x".repeat(30),
        summaryOfChanges: null,
        requiresAcknowledgement: true,
      }),
    ).toMatchObject({ ok: false, refusal: { code: "conflict" } });
    await expect(
      prisma.policyDocument.update({ where: { id }, data: { body: "Quietly changed text" } }),
    ).rejects.toThrow();
    await expect(prisma.policyDocument.delete({ where: { id } })).rejects.toThrow();
    const stored = await prisma.policyDocument.findUniqueOrThrow({ where: { id } });
    expect(stored.body).toBe("The first text of the handbook, long enough.");
    expect(stored.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a draft can be edited until it is published; one open draft per document", async () => {
    const actor = await admin();
    const draft = await createDraft(
      {
        slug: "handbook-b",
        title: "Draft",
        body: "A draft that will change later.",
        summaryOfChanges: null,
        requiresAcknowledgement: true,
      },
      actor,
      new Date(),
    );
    expect(draft.ok).toBe(true);
    if (!draft.ok) return;
    expect(
      await updateDraft(draft.id, {
        title: "Draft 2",
        body: "The draft, changed before publishing.",
        summaryOfChanges: null,
        requiresAcknowledgement: true,
      }),
    ).toMatchObject({ ok: true });
    const second = await createDraft(
      {
        slug: "handbook-b",
        title: "Another",
        body: "Another draft of the same document.",
        summaryOfChanges: null,
        requiresAcknowledgement: true,
      },
      actor,
      new Date(),
    );
    expect(second).toMatchObject({ ok: false, refusal: { code: "conflict", field: "slug" } });
  });
});

describe("signing", () => {
  test("a mismatched name or a missing tick is refused on its field, and nothing is stored", async () => {
    const docId = await publish("policy-sign-1", "Read this carefully before signing it.");
    const { user, cookie } = await person("Ana María Pérez");
    const noTick = await sign(cookie, "policy-sign-1", {
      documentId: docId,
      signedName: "Ana María Pérez",
    });
    expect(noTick.status).toBe(400);
    expect(errorsOf(noTick.data)).toHaveProperty("confirm");
    const wrongName = await sign(cookie, "policy-sign-1", {
      documentId: docId,
      signedName: "Ana Perez",
      confirm: "on",
    });
    expect(wrongName.status).toBe(400);
    expect(errorsOf(wrongName.data).signedName?.[0]).toMatch(/Ana María Pérez/);
    expect(await prisma.acknowledgement.count({ where: { workerId: user.id } })).toBe(0);
  });

  test("case and extra spaces do not matter; signing the same version twice stores one", async () => {
    const docId = await publish("policy-sign-2", "Read this carefully before signing it too.");
    const { user, cookie } = await person("Ana María Pérez");
    const first = await sign(cookie, "policy-sign-2", {
      documentId: docId,
      signedName: "  ana   MARÍA pérez ",
      confirm: "on",
    });
    expect(first.status).toBe(302);
    const second = await sign(cookie, "policy-sign-2", {
      documentId: docId,
      signedName: "Ana María Pérez",
      confirm: "on",
    });
    expect(second.status).toBe(302);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(await prisma.acknowledgement.count({ where: { workerId: user.id } })).toBe(1);
    await expect(
      prisma.acknowledgement.deleteMany({ where: { workerId: user.id } }),
    ).rejects.toThrow();
  });

  test("publishing a new version flags every worker as outdated, with a banner and a diff", async () => {
    const v1 = await publish("policy-versions", "Version one says the agent collects clicks.");
    const a = await person("Worker A");
    const b = await person("Worker B");
    for (const w of [a, b]) {
      await sign(w.cookie, "policy-versions", {
        documentId: v1,
        signedName: w.user.name,
        confirm: "on",
      });
    }
    for (const w of [a, b]) {
      const docs = await listDocumentsForWorker(w.user.id);
      expect(docs.find((d) => d.slug === "policy-versions")?.status).toBe("signed");
    }
    await publish("policy-versions", "Version two says the agent collects clicks and keystrokes.");
    for (const w of [a, b]) {
      const docs = await listDocumentsForWorker(w.user.id);
      expect(docs.find((d) => d.slug === "policy-versions")?.status).toBe("outdated");
      const root = await callRoute(rootLoader, getRequest("/", { cookie: w.cookie }));
      expect(
        (root.data as { outstanding: { slug: string }[] }).outstanding.map((d) => d.slug),
      ).toContain("policy-versions");
    }
    const page = await callRoute(
      documentLoader,
      getRequest("/acknowledgements/policy-versions", { cookie: a.cookie }),
      { params: { slug: "policy-versions" } },
    );
    const changes = (
      page.data as {
        changes: { fromVersion: number; view: { parts: { kind: string; html: string }[] } };
      }
    ).changes;
    expect(changes.fromVersion).toBe(1);
    // The one reworded paragraph, as formatted text with the added words marked.
    expect(changes.view.parts).toEqual([
      {
        kind: "changed",
        formattingOnly: false,
        html: expect.stringMatching(
          /^<p>Version <del>.*one.*<\/del><ins>.*two.*<\/ins> says the agent collects clicks <ins>.*and keystrokes.*<\/ins>\.<\/p>/,
        ),
      },
    ]);
    // Signing the old version now is refused: the new one must be read.
    const stale = await sign(a.cookie, "policy-versions", {
      documentId: v1,
      signedName: a.user.name,
      confirm: "on",
    });
    expect(stale.status).toBe(302);
    expect(stale.headers.get("Location")).toBe("/acknowledgements/policy-versions");
  });

  test("compliance counts who signed and names who has not", async () => {
    const docId = await publish("policy-compliance", "Everyone must read this document please.");
    const signer = await person("Signing Person");
    await person("Waiting Person");
    await sign(signer.cookie, "policy-compliance", {
      documentId: docId,
      signedName: "Signing Person",
      confirm: "on",
    });
    const compliance = await getCompliance(docId);
    expect(compliance.signed).toBe(1);
    const names = compliance.outstanding.map((p) => p.name);
    expect(names).toContain("Waiting Person");
    expect(names).not.toContain("Signing Person");
  });
});

describe("receipts", () => {
  async function receiptText() {
    const docId = await publish(
      `policy-receipt-${randomUUID().slice(0, 6)}`,
      "A document to get a receipt for.",
    );
    const slug = (await prisma.policyDocument.findUniqueOrThrow({ where: { id: docId } })).slug;
    const w = await person("Receipt Person");
    const res = await sign(w.cookie, slug, {
      documentId: docId,
      signedName: "Receipt Person",
      confirm: "on",
    });
    const ackId = res.headers.get("Location")!.split("/").pop()!;
    const json = await callRoute(
      receiptJsonLoader,
      getRequest(`/acknowledgements/receipts/${ackId}.json`, { cookie: w.cookie }),
      { params: { ackId } },
    );
    expect(json.status).toBe(200);
    return { text: `${JSON.stringify(json.data, null, 2)}\n`, ackId, owner: w };
  }

  async function publishedKey() {
    const res = await callRoute(keyLoader, getRequest("/.well-known/lull-receipt-key"));
    return String(res.data);
  }

  test("a receipt verifies with the published key and names the document, its hash and the worker", async () => {
    const { text } = await receiptText();
    const result = verifyReceiptFile(text, await publishedKey());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    if (result.payload.format !== RECEIPT_FORMAT)
      throw new Error("Not an acknowledgement receipt.");
    expect(result.payload.worker.name).toBe("Receipt Person");
    expect(result.payload.document.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("property: changing any byte of the receipt makes verification fail", async () => {
    const { text } = await receiptText();
    const key = await publishedKey();
    const bytes = Buffer.from(text, "utf8");
    fc.assert(
      fc.property(
        fc.nat({ max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, delta) => {
          const changed = Buffer.from(bytes);
          changed[at] = (changed[at]! + delta) % 256;
          expect(verifyReceiptFile(changed.toString("utf8"), key).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("npm run verify-receipt says VALID (exit 0) for the receipt and INVALID (exit 1) once altered", async () => {
    const { text } = await receiptText();
    const dir = mkdtempSync(path.join(tmpdir(), "lull-receipt-"));
    try {
      writeFileSync(path.join(dir, "receipt.json"), text);
      writeFileSync(
        path.join(dir, "altered.json"),
        text.replace("Receipt Person", "Receipt Persom"),
      );
      writeFileSync(path.join(dir, "key.pem"), await publishedKey());
      const run = (file: string) =>
        spawnSync(
          "npx",
          [
            "tsx",
            "app/receipts/verify-cli.ts",
            path.join(dir, file),
            "--key",
            path.join(dir, "key.pem"),
          ],
          {
            encoding: "utf8",
          },
        );
      const valid = run("receipt.json");
      expect(valid.status).toBe(0);
      expect(valid.stdout).toMatch(/^VALID: Receipt Person/);
      const altered = run("altered.json");
      expect(altered.status).toBe(1);
      expect(altered.stdout).toMatch(/^INVALID/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("another worker's receipt is 404", async () => {
    const { ackId } = await receiptText();
    const stranger = await person("Stranger");
    const res = await callRoute(
      receiptJsonLoader,
      getRequest(`/acknowledgements/receipts/${ackId}.json`, { cookie: stranger.cookie }),
      { params: { ackId } },
    );
    expect(res.status).toBe(404);
  });
});

describe("publishing at the same time", () => {
  // On PostgreSQL these run side by side on the pool's connections, as on several nodes.
  test("simultaneous drafts of one document make one draft; the rest are refused", async () => {
    const actor = await admin();
    const slug = `same-time-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        createDraft(
          {
            slug,
            title: "Same time",
            body: "Text.",
            summaryOfChanges: null,
            requiresAcknowledgement: false,
          },
          actor,
          new Date(),
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok)) {
      expect(r).toMatchObject({ ok: false, refusal: { code: "conflict" } });
    }
    expect(await prisma.policyDocument.count({ where: { slug } })).toBe(1);
  });

  test("simultaneous publishes of one draft publish it once; the rest are refused", async () => {
    const actor = await admin();
    const slug = `publish-once-${Date.now()}`;
    const draft = await createDraft(
      {
        slug,
        title: "Once",
        body: "Text.",
        summaryOfChanges: null,
        requiresAcknowledgement: false,
      },
      actor,
      new Date(),
    );
    if (!draft.ok) throw new Error(draft.refusal.message);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => publishDraft(draft.id, actor, new Date())),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok)) {
      expect(r).toMatchObject({ ok: false, refusal: { code: "conflict" } });
    }
    expect(
      await prisma.auditEvent.count({ where: { action: "document.publish", targetId: draft.id } }),
    ).toBe(1);
  });
});

describe("the acknowledgement gate", () => {
  test("flips agent state both ways, discards events while held, and the policy switch turns it off", async () => {
    const worker = await person("Gate Person");
    const device = await createDevice(worker.user.id);
    const open = await getAgentState(worker.user.id, new Date());
    expect(open).toMatchObject({ collecting: true, reason: "active" });

    const noticeId = await publish(
      MONITORING_NOTICE_SLUG,
      "The monitoring notice, version under test.",
    );
    const held = await getAgentState(worker.user.id, new Date());
    expect(held).toMatchObject({ collecting: false, reason: "acknowledgement_required" });
    expect(Number(held!.stateVersion)).toBeGreaterThan(Number(open!.stateVersion));
    const now = new Date();
    const result = await ingestBatch(
      { id: device.id, workerId: worker.user.id },
      {
        batchId: randomUUID(),
        events: [
          {
            type: "click",
            at: new Date(now.getTime() - 1000).toISOString(),
            app: "Editor",
            data: {},
          },
        ],
      },
      now,
    );
    expect(result).toMatchObject({ stored: 0, discardedUnacknowledged: 1 });

    const signed = await sign(worker.cookie, MONITORING_NOTICE_SLUG, {
      documentId: noticeId,
      signedName: "Gate Person",
      confirm: "on",
    });
    expect(signed.status).toBe(302);
    const reopened = await getAgentState(worker.user.id, new Date());
    expect(reopened).toMatchObject({ collecting: true, reason: "active" });
    expect(Number(reopened!.stateVersion)).toBeGreaterThan(Number(held!.stateVersion));

    // With the switch off, a worker who never signed is not held.
    const other = await person("Unsigned Person");
    expect(await getAgentState(other.user.id, new Date())).toMatchObject({ collecting: false });
    const adminUser = await person("Policy Admin", "ADMIN");
    const res = await callRoute(
      policyAction,
      formRequest(
        "/admin/policy",
        {
          maxPauseMinutes: "30",
          minGapMinutes: "15",
          maxPauseMinutesPerDay: "",
          scheduleAheadDays: "14",
          retentionDays: "90",
          maxExemptionDays: "90",
          maxForgetMinutes: "30",
          maxForgetsPerDay: "3",
        },
        { cookie: adminUser.cookie },
      ),
    );
    expect(res.status).toBe(302);
    expect(await getAgentState(other.user.id, new Date())).toMatchObject({ collecting: true });
  });
});
