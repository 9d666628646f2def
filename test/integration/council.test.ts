import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import {
  cosignDraft,
  draftFingerprint,
  createDraft,
  publishDraft,
  updateDraft,
} from "#app/models/policy-document.server.ts";
import {
  RECEIPT_FORMAT,
  describeReceipt,
  formatReceipt,
  verifyReceiptFile,
  type Receipt,
} from "#app/receipts/receipt.ts";
import { loader as keyLoader } from "#app/routes/[.well-known].lull-receipt-key.ts";
import { action as signAction } from "#app/routes/acknowledgements.$slug.tsx";
import { loader as receiptJsonLoader } from "#app/routes/acknowledgements.receipts.$ackId[.json].ts";
import {
  action as adminDocumentAction,
  loader as adminDocumentLoader,
} from "#app/routes/admin.documents.$documentId.tsx";
import { getCurrentPurposes, proposePurposeVersion } from "#app/models/purpose.server.ts";
import { action as policyAction, loader as policyLoader } from "#app/routes/admin.policy.tsx";
import { loader as councilLoader } from "#app/routes/council._index.tsx";
import { loader as councilLayoutLoader } from "#app/routes/council.tsx";
import {
  action as councilDocumentAction,
  loader as councilDocumentLoader,
} from "#app/routes/council.documents.$documentId.tsx";
import { loader as councilDocumentsLoader } from "#app/routes/council.documents._index.tsx";
import {
  action as councilPolicyAction,
  loader as councilPolicyLoader,
} from "#app/routes/council.policy.tsx";
import {
  action as councilPurposesAction,
  loader as councilPurposesLoader,
} from "#app/routes/council.purposes.tsx";
import { loader as adminLoader } from "#app/routes/admin._index.tsx";
import { loader as adminAuditLoader } from "#app/routes/admin.audit.tsx";
import { loader as reviewLoader } from "#app/routes/review.exemptions._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { signReceiptPayload } from "#app/utils/receipt-signing.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

type Role = "WORKER" | "ADMIN" | "REPRESENTATIVE" | "REVIEWER";

/** The fingerprint of a draft as it stands: what a representative's page would carry. */
async function seen(id: string) {
  return draftFingerprint(await prisma.policyDocument.findUniqueOrThrow({ where: { id } }));
}

async function person(name: string, role: Role = "WORKER") {
  const user = await createUser({ name, role });
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function requireApproval(on: boolean) {
  await prisma.policy.update({ where: { id: 1 }, data: { requireRepresentativeApproval: on } });
}

async function draftNotice(adminId: string, slug = MONITORING_NOTICE_SLUG) {
  const draft = await createDraft(
    {
      slug,
      title: "Monitoring notice",
      body: `What we collect and why, version ${randomUUID().slice(0, 8)}.`,
      summaryOfChanges: null,
      requiresAcknowledgement: true,
    },
    adminId,
    new Date(),
  );
  if (!draft.ok) throw new Error(draft.refusal.message);
  return draft.id;
}

/** The admin's publish button, confirmed (as the dialog submits it). */
function publishByForm(cookie: string, id: string) {
  return callRoute(
    adminDocumentAction,
    formRequest(
      `/admin/documents/${id}`,
      { intent: "publish", confirmed: `publish-document:${id}` },
      { cookie },
    ),
    { params: { documentId: id } },
  );
}

async function publishedKey() {
  const res = await callRoute(keyLoader, getRequest("/.well-known/lull-receipt-key"));
  return String(res.data);
}

describe("documents need a representative's co-signature when the policy asks for one", () => {
  test("publishing a notice without a co-signature is refused (form and direct POST); nothing changes", async () => {
    await requireApproval(true);
    const admin = await person("Notice Admin", "ADMIN");
    const id = await draftNotice(admin.user.id, `notice-refused-${randomUUID().slice(0, 6)}`);
    const auditBefore = await prisma.auditEvent.count();

    const byForm = await publishByForm(admin.cookie, id);
    expect(byForm.status).toBe(400);
    expect(JSON.stringify(byForm.data)).toMatch(/co-signature/);

    // A direct POST without the confirm step is answered with the confirm step only…
    const direct = await callRoute(
      adminDocumentAction,
      formRequest(`/admin/documents/${id}`, { intent: "publish" }, { cookie: admin.cookie }),
      { params: { documentId: id } },
    );
    expect(direct.status).toBe(200);
    // …and the model refuses whoever calls it.
    expect(await publishDraft(id, admin.user.id, new Date())).toMatchObject({
      ok: false,
      refusal: { code: "cosignature_required" },
    });

    const stored = await prisma.policyDocument.findUniqueOrThrow({ where: { id } });
    expect(stored.publishedAt).toBeNull();
    expect(stored.contentSha256).toBeNull();
    expect(await prisma.auditEvent.count()).toBe(auditBefore);

    const page = await callRoute(
      adminDocumentLoader,
      getRequest(`/admin/documents/${id}`, { cookie: admin.cookie }),
      { params: { documentId: id } },
    );
    expect((page.data as { cosignature: unknown }).cosignature).toEqual({
      required: true,
      by: null,
      at: null,
    });
  });

  test("a document that need not be acknowledged publishes without one; without the rule, everything does", async () => {
    await requireApproval(true);
    const admin = await person("Other Admin", "ADMIN");
    const faq = await createDraft(
      {
        slug: `faq-${randomUUID().slice(0, 6)}`,
        title: "Questions",
        body: "Answers to common questions.",
        summaryOfChanges: null,
        requiresAcknowledgement: false,
      },
      admin.user.id,
      new Date(),
    );
    if (!faq.ok) throw new Error(faq.refusal.message);
    expect(await publishDraft(faq.id, admin.user.id, new Date())).toEqual({ ok: true });
    await requireApproval(false);
    const id = await draftNotice(admin.user.id, `notice-free-${randomUUID().slice(0, 6)}`);
    expect(await publishDraft(id, admin.user.id, new Date())).toEqual({ ok: true });
  });

  test("a representative co-signs; the admin publishes; the receipts of that version name the co-signer and verify offline", async () => {
    await requireApproval(true);
    const admin = await person("Publishing Admin", "ADMIN");
    const rep = await person("Rosa Delegate", "REPRESENTATIVE");
    const id = await draftNotice(admin.user.id);

    expect(await cosignDraft(id, rep.user.id, new Date(), await seen(id))).toEqual({ ok: true });
    const cosign = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "document.cosign" },
    });
    expect(cosign).toMatchObject({ actorId: rep.user.id, targetId: id, subjectUserId: null });

    const published = await publishByForm(admin.cookie, id);
    expect(published.status).toBe(302);
    const stored = await prisma.policyDocument.findUniqueOrThrow({ where: { id } });
    expect(stored.publishedAt).not.toBeNull();
    expect(stored.cosignedById).toBe(rep.user.id);

    const worker = await person("Wren Signer");
    const signed = await callRoute(
      signAction,
      formRequest(
        `/acknowledgements/${MONITORING_NOTICE_SLUG}`,
        { documentId: id, signedName: "Wren Signer", confirm: "on" },
        { cookie: worker.cookie },
      ),
      { params: { slug: MONITORING_NOTICE_SLUG } },
    );
    expect(signed.status).toBe(302);
    const ackId = signed.headers.get("Location")!.split("/").pop()!;
    const json = await callRoute(
      receiptJsonLoader,
      getRequest(`/acknowledgements/receipts/${ackId}.json`, { cookie: worker.cookie }),
      { params: { ackId } },
    );
    const text = `${JSON.stringify(json.data, null, 2)}\n`;
    // The same check `npm run verify-receipt` makes (app/receipts/verify-cli.ts).
    const result = verifyReceiptFile(text, await publishedKey());
    expect(result.ok).toBe(true);
    if (!result.ok || result.payload.format !== RECEIPT_FORMAT) throw new Error("not verified");
    expect(result.payload.cosignedBy).toEqual({
      name: "Rosa Delegate",
      role: "representative",
      at: stored.cosignedAt!.toISOString(),
    });
    expect(describeReceipt(result.payload)).toContain(
      "co-signed by Rosa Delegate (worker representative)",
    );
    // Taking the co-signer out (or changing it) breaks the signature.
    const parsed = JSON.parse(text) as Receipt;
    const stripped = { ...parsed, payload: { ...parsed.payload, cosignedBy: undefined } };
    expect(verifyReceiptFile(formatReceipt(stripped as Receipt), await publishedKey()).ok).toBe(
      false,
    );
    expect(
      verifyReceiptFile(text.replace("Rosa Delegate", "Rosa Delegata"), await publishedKey()).ok,
    ).toBe(false);
  });

  test("a receipt without a co-signer (issued before) still verifies", async () => {
    const receipt = signReceiptPayload({
      format: RECEIPT_FORMAT,
      acknowledgementId: randomUUID(),
      issuer: "Lull test",
      worker: { id: "w1", name: "Old Receipt", email: "old@example.test" },
      document: {
        slug: "monitoring-notice",
        version: 1,
        title: "Notice",
        contentSha256: "a".repeat(64),
      },
      signedName: "Old Receipt",
      signedAt: new Date().toISOString(),
    });
    const result = verifyReceiptFile(formatReceipt(receipt), await publishedKey());
    expect(result.ok).toBe(true);
    if (result.ok) expect(describeReceipt(result.payload)).not.toContain("co-signed");
  });

  test("editing a co-signed draft clears the co-signature; saving it unchanged keeps it", async () => {
    await requireApproval(true);
    const admin = await person("Editing Admin", "ADMIN");
    const rep = await person("Edit Rep", "REPRESENTATIVE");
    const slug = `notice-edit-${randomUUID().slice(0, 6)}`;
    const id = await draftNotice(admin.user.id, slug);
    expect(await cosignDraft(id, rep.user.id, new Date(), await seen(id))).toEqual({ ok: true });
    const current = await prisma.policyDocument.findUniqueOrThrow({ where: { id } });
    const text = {
      title: current.title,
      body: current.body,
      summaryOfChanges: current.summaryOfChanges,
      requiresAcknowledgement: current.requiresAcknowledgement,
    };
    expect(await updateDraft(id, text, new Date(), admin.user.id)).toEqual({
      ok: true,
      cosignatureCleared: false,
    });
    expect((await prisma.policyDocument.findUniqueOrThrow({ where: { id } })).cosignedById).toBe(
      rep.user.id,
    );
    expect(
      await updateDraft(
        id,
        { ...text, body: `${text.body} One more sentence.` },
        new Date(),
        admin.user.id,
      ),
    ).toEqual({ ok: true, cosignatureCleared: true });
    const after = await prisma.policyDocument.findUniqueOrThrow({ where: { id } });
    expect([after.cosignedById, after.cosignedAt]).toEqual([null, null]);
    expect(await publishDraft(id, admin.user.id, new Date())).toMatchObject({
      ok: false,
      refusal: { code: "cosignature_required" },
    });
  });

  test("only a representative co-signs, never the draft's own author, and only a draft", async () => {
    const admin = await person("Author Admin", "ADMIN");
    const id = await draftNotice(admin.user.id, `notice-who-${randomUUID().slice(0, 6)}`);
    expect(await cosignDraft(id, admin.user.id, new Date(), await seen(id))).toMatchObject({
      ok: false,
      refusal: { code: "forbidden" },
    });
    const reviewer = await person("Some Reviewer", "REVIEWER");
    expect(await cosignDraft(id, reviewer.user.id, new Date(), await seen(id))).toMatchObject({
      ok: false,
      refusal: { code: "forbidden" },
    });
    // A representative who wrote a draft (say, before their role changed) cannot co-sign it.
    const rep = await person("Author Rep", "REPRESENTATIVE");
    const own = await draftNotice(rep.user.id, `notice-own-${randomUUID().slice(0, 6)}`);
    expect(await cosignDraft(own, rep.user.id, new Date(), await seen(own))).toMatchObject({
      ok: false,
      refusal: { code: "forbidden" },
    });
    await requireApproval(false);
    expect(await publishDraft(id, admin.user.id, new Date())).toEqual({ ok: true });
    expect(await cosignDraft(id, rep.user.id, new Date(), await seen(id))).toMatchObject({
      ok: false,
      refusal: { code: "conflict" },
    });
    expect(
      await prisma.auditEvent.count({
        where: { action: "document.cosign", targetId: { in: [id, own] } },
      }),
    ).toBe(0);
  });
});

const POLICY_FORM = {
  maxPauseMinutes: "30",
  minGapMinutes: "15",
  maxPauseMinutesPerDay: "",
  scheduleAheadDays: "14",
  retentionDays: "90",
  maxExemptionDays: "90",
  maxForgetMinutes: "30",
  maxForgetsPerDay: "3",
  requireAcknowledgementBeforeCollection: "on",
  requireRepresentativeApproval: "on",
};

async function resetPolicy() {
  await prisma.policyChange.updateMany({
    where: { appliedAt: null, withdrawnAt: null },
    data: { withdrawnAt: new Date() },
  });
  await prisma.policy.update({
    where: { id: 1 },
    data: {
      maxPauseMinutes: 30,
      minGapMinutes: 15,
      maxPauseMinutesPerDay: null,
      scheduleAheadDays: 14,
      retentionDays: 90,
      maxExemptionDays: 90,
      maxForgetMinutes: 30,
      maxForgetsPerDay: 3,
      requireAcknowledgementBeforeCollection: true,
      requireRepresentativeApproval: true,
    },
  });
}

function savePolicy(cookie: string, fields: Record<string, string>) {
  return callRoute(
    policyAction,
    formRequest("/admin/policy", { ...POLICY_FORM, ...fields }, { cookie }),
  );
}

function cosignChange(cookie: string, changeId: string) {
  return callRoute(
    councilPolicyAction,
    formRequest("/council/policy", { intent: "cosign", changeId }, { cookie }),
  );
}

const policyRow = () => prisma.policy.findUniqueOrThrow({ where: { id: 1 } });

describe("policy changes as history, widening ones waiting for a representative", () => {
  test("a co-signature form without a change is a 400 with a message, and changes nothing", async () => {
    const rep = await person("Form Rep", "REPRESENTATIVE");
    const cosigned = () => prisma.policyChange.count({ where: { cosignedById: { not: null } } });
    const before = await cosigned();
    const forms: Record<string, string>[] = [
      {},
      { intent: "cosign" },
      { intent: "withdraw", changeId: "x" },
    ];
    for (const fields of forms) {
      const res = await callRoute(
        councilPolicyAction,
        formRequest("/council/policy", fields, { cookie: rep.cookie }),
      );
      expect(res.status).toBe(400);
      expect((res.data as { message: string }).message).toBe("Choose a change to co-sign.");
    }
    expect(await cosigned()).toBe(before);
  });

  test("a non-widening change applies at once: recorded, version moved", async () => {
    await resetPolicy();
    const admin = await person("Policy Admin", "ADMIN");
    const { version } = await policyRow();
    const res = await savePolicy(admin.cookie, { retentionDays: "60", maxForgetsPerDay: "5" });
    expect(res.status).toBe(302);
    const row = await policyRow();
    expect([row.retentionDays, row.maxForgetsPerDay, row.version]).toEqual([60, 5, version + 1]);
    const change = await prisma.policyChange.findFirstOrThrow({ orderBy: { proposedAt: "desc" } });
    expect(change).toMatchObject({
      widens: false,
      proposedById: admin.user.id,
      cosignedById: null,
    });
    expect(change.appliedAt).not.toBeNull();
    expect(JSON.parse(change.before)).toEqual({ retentionDays: 90, maxForgetsPerDay: 3 });
    expect(JSON.parse(change.after)).toEqual({ retentionDays: 60, maxForgetsPerDay: 5 });
  });

  test("a widening change waits, the admin sees it waiting, and it applies when a representative co-signs", async () => {
    await resetPolicy();
    const admin = await person("Widening Admin", "ADMIN");
    const rep = await person("Council Member", "REPRESENTATIVE");
    const before = await policyRow();
    const stateBefore = rep.user.stateVersion;
    const res = await savePolicy(admin.cookie, { retentionDays: "180", maxPauseMinutes: "20" });
    expect(res.status).toBe(302);
    let row = await policyRow();
    expect([row.retentionDays, row.maxPauseMinutes, row.version]).toEqual([90, 30, before.version]);
    const pending = await prisma.policyChange.findFirstOrThrow({
      where: { appliedAt: null, withdrawnAt: null },
    });
    expect(pending.widens).toBe(true);

    const adminPage = await callRoute(
      policyLoader,
      getRequest("/admin/policy", { cookie: admin.cookie }),
    );
    expect((adminPage.data as { pending: { id: string }[] }).pending.map((p) => p.id)).toEqual([
      pending.id,
    ]);
    // A second widening proposal waits for the first to be settled.
    expect((await savePolicy(admin.cookie, { minGapMinutes: "30" })).status).toBe(409);

    const history = await callRoute(
      councilPolicyLoader,
      getRequest("/council/policy", { cookie: rep.cookie }),
    );
    const listed = (history.data as { changes: { id: string; status: string; widens: boolean }[] })
      .changes;
    expect(listed.find((c) => c.id === pending.id)).toMatchObject({
      status: "pending",
      widens: true,
    });

    expect((await cosignChange(rep.cookie, pending.id)).status).toBe(302);
    row = await policyRow();
    expect([row.retentionDays, row.maxPauseMinutes, row.version]).toEqual([
      180,
      20,
      before.version + 1,
    ]);
    const applied = await prisma.policyChange.findUniqueOrThrow({ where: { id: pending.id } });
    expect(applied.cosignedById).toBe(rep.user.id);
    expect(applied.appliedAt).not.toBeNull();
    expect(
      await prisma.auditEvent.count({ where: { action: "policy.cosign", targetId: pending.id } }),
    ).toBe(1);
    // Nothing about collection moved, so no worker's state version did.
    expect((await prisma.user.findUniqueOrThrow({ where: { id: rep.user.id } })).stateVersion).toBe(
      stateBefore,
    );
    // Co-signing twice is refused.
    expect((await cosignChange(rep.cookie, pending.id)).status).toBe(409);
  });

  test("turning the co-signature off widens and waits; the gate's change moves every worker's state", async () => {
    await resetPolicy();
    const admin = await person("Seat Admin", "ADMIN");
    const rep = await person("Seat Rep", "REPRESENTATIVE");
    const worker = await person("Gate Worker");
    await savePolicy(admin.cookie, {
      requireRepresentativeApproval: "",
      requireAcknowledgementBeforeCollection: "",
    });
    expect((await policyRow()).requireRepresentativeApproval).toBe(true);
    const pending = await prisma.policyChange.findFirstOrThrow({
      where: { appliedAt: null, withdrawnAt: null },
    });
    expect((await cosignChange(rep.cookie, pending.id)).status).toBe(302);
    const row = await policyRow();
    expect([row.requireRepresentativeApproval, row.requireAcknowledgementBeforeCollection]).toEqual(
      [false, false],
    );
    const after = await prisma.user.findUniqueOrThrow({ where: { id: worker.user.id } });
    expect(after.stateVersion).toBeGreaterThan(worker.user.stateVersion);
  });

  test("a representative cannot co-sign what they proposed; others than representatives cannot co-sign", async () => {
    await resetPolicy();
    const rep = await person("Former Admin", "REPRESENTATIVE");
    const before = await policyRow();
    // Proposed while they were an admin (roles change), then co-signed by themselves: refused.
    const change = await prisma.policyChange.create({
      data: {
        before: JSON.stringify({ retentionDays: 90 }),
        after: JSON.stringify({ retentionDays: 365 }),
        widens: true,
        proposedById: rep.user.id,
        proposedAt: new Date(),
      },
    });
    const own = await cosignChange(rep.cookie, change.id);
    expect(own.status).toBe(403);
    expect(JSON.stringify(own.data)).toMatch(/another representative/);
    const admin = await person("Not A Rep", "ADMIN");
    expect((await cosignChange(admin.cookie, change.id)).status).toBe(403);
    const row = await policyRow();
    expect([row.retentionDays, row.version]).toEqual([90, before.version]);
    expect(
      (await prisma.policyChange.findUniqueOrThrow({ where: { id: change.id } })).appliedAt,
    ).toBeNull();
  });

  test("the admin withdraws a waiting change; it can no longer be co-signed", async () => {
    await resetPolicy();
    const admin = await person("Withdrawing Admin", "ADMIN");
    const rep = await person("Late Rep", "REPRESENTATIVE");
    await savePolicy(admin.cookie, { scheduleAheadDays: "7" });
    const pending = await prisma.policyChange.findFirstOrThrow({
      where: { appliedAt: null, withdrawnAt: null },
    });
    const res = await callRoute(
      policyAction,
      formRequest(
        "/admin/policy",
        { intent: "withdraw", changeId: pending.id },
        { cookie: admin.cookie },
      ),
    );
    expect(res.status).toBe(302);
    expect((await cosignChange(rep.cookie, pending.id)).status).toBe(409);
    expect((await policyRow()).scheduleAheadDays).toBe(14);
  });

  test("a change whose settings moved meanwhile is refused at co-signature", async () => {
    await resetPolicy();
    const admin = await person("Racing Admin", "ADMIN");
    const rep = await person("Racing Rep", "REPRESENTATIVE");
    await savePolicy(admin.cookie, { retentionDays: "200" });
    const pending = await prisma.policyChange.findFirstOrThrow({
      where: { appliedAt: null, withdrawnAt: null },
    });
    // Shortening retention does not widen: it applies at once.
    await savePolicy(admin.cookie, { retentionDays: "30" });
    expect((await policyRow()).retentionDays).toBe(30);
    expect((await cosignChange(rep.cookie, pending.id)).status).toBe(409);
    expect((await policyRow()).retentionDays).toBe(30);
  });
});

describe("purpose versions waiting for a co-signature", () => {
  test("a representative co-signs a new purpose; it is in force from then on", async () => {
    await resetPolicy();
    const admin = await person("Purpose Admin", "ADMIN");
    const rep = await person("Purpose Rep", "REPRESENTATIVE");
    const proposed = await proposePurposeVersion({
      actorId: admin.user.id,
      key: "ergonomics-study",
      isNew: true,
      settings: {
        name: "Ergonomics study",
        description: "Aggregate study of breaks and posture reminders.",
        legalBasis: "Consent (GDPR Art. 6(1)(a))",
        retentionDays: 30,
        prohibited: false,
        retired: false,
      },
      now: new Date(),
    });
    expect(proposed).toMatchObject({ ok: true, waits: true });
    const version = await prisma.purpose.findFirstOrThrow({ where: { key: "ergonomics-study" } });
    expect((await getCurrentPurposes(new Date())).some((p) => p.key === "ergonomics-study")).toBe(
      false,
    );
    const page = await callRoute(
      councilPurposesLoader,
      getRequest("/council/purposes", { cookie: rep.cookie }),
    );
    const listed = (
      page.data as { purposes: { key: string; versions: { id: string; pending: boolean }[] }[] }
    ).purposes.find((p) => p.key === "ergonomics-study");
    expect(listed?.versions).toMatchObject([{ id: version.id, pending: true }]);

    // The admin who wrote it cannot co-sign it, nor can an admin at all.
    const byAdmin = await callRoute(
      councilPurposesAction,
      formRequest("/council/purposes", { purposeId: version.id }, { cookie: admin.cookie }),
    );
    expect(byAdmin.status).toBe(403);

    // A form that names no version is a 400 with a message, and co-signs nothing.
    const empty = await callRoute(
      councilPurposesAction,
      formRequest("/council/purposes", {}, { cookie: rep.cookie }),
    );
    expect(empty.status).toBe(400);
    expect((empty.data as { message: string }).message).toBe(
      "Choose a purpose version to co-sign.",
    );
    expect(
      (await prisma.purpose.findUniqueOrThrow({ where: { id: version.id } })).cosignedById,
    ).toBeNull();

    const res = await callRoute(
      councilPurposesAction,
      formRequest("/council/purposes", { purposeId: version.id }, { cookie: rep.cookie }),
    );
    expect(res.status).toBe(302);
    const stored = await prisma.purpose.findUniqueOrThrow({ where: { id: version.id } });
    expect(stored.cosignedById).toBe(rep.user.id);
    expect(stored.effectiveAt).not.toBeNull();
    expect((await getCurrentPurposes(new Date())).some((p) => p.key === "ergonomics-study")).toBe(
      true,
    );
    expect(
      await prisma.auditEvent.count({ where: { action: "purpose.cosign", targetId: version.id } }),
    ).toBe(1);
    const again = await callRoute(
      councilPurposesAction,
      formRequest("/council/purposes", { purposeId: version.id }, { cookie: rep.cookie }),
    );
    expect(again.status).toBe(409);
  });
});

describe("the representative's pages", () => {
  test("co-signing a draft through /council/documents, which then lists it as co-signed", async () => {
    await resetPolicy();
    const admin = await person("Doc Admin", "ADMIN");
    const rep = await person("Doc Rep", "REPRESENTATIVE");
    const id = await draftNotice(admin.user.id, `notice-council-${randomUUID().slice(0, 6)}`);
    const overview = await callRoute(councilLoader, getRequest("/council", { cookie: rep.cookie }));
    expect(
      (overview.data as { waiting: { documents: { id: string }[] } }).waiting.documents.map(
        (d) => d.id,
      ),
    ).toContain(id);
    const draftPage = await callRoute(
      councilDocumentLoader,
      getRequest(`/council/documents/${id}`, { cookie: rep.cookie }),
      { params: { documentId: id } },
    );
    expect((draftPage.data as { document: { needsCosignature: boolean } }).document).toMatchObject({
      needsCosignature: true,
      cosignedBy: null,
    });
    const shown = (draftPage.data as { document: { fingerprint: string } }).document.fingerprint;
    const cosignAs = (fields: Record<string, string>) =>
      callRoute(
        councilDocumentAction,
        formRequest(`/council/documents/${id}`, fields, { cookie: rep.cookie }),
        { params: { documentId: id } },
      );
    // No fingerprint, or one of another text: nothing is co-signed.
    const wrong: Record<string, string>[] = [
      {},
      { fingerprint: "not-a-hash" },
      { fingerprint: "0".repeat(64) },
    ];
    for (const fields of wrong) {
      expect((await cosignAs(fields)).status, JSON.stringify(fields)).toBe(409);
    }
    // The privacy office edits the draft while the page is open: the old page co-signs nothing.
    const current = await prisma.policyDocument.findUniqueOrThrow({ where: { id } });
    const edited = { ...current, body: `${current.body}\n\nOne new paragraph.` };
    await updateDraft(
      id,
      {
        title: edited.title,
        body: edited.body,
        summaryOfChanges: edited.summaryOfChanges,
        requiresAcknowledgement: edited.requiresAcknowledgement,
      },
      new Date(),
      admin.user.id,
    );
    const stale = await cosignAs({ fingerprint: shown });
    expect(stale.status).toBe(409);
    expect(JSON.stringify(stale.data)).toContain("changed this draft after you opened it");
    expect(
      (await prisma.policyDocument.findUniqueOrThrow({ where: { id } })).cosignedById,
    ).toBeNull();
    expect(
      await prisma.auditEvent.count({ where: { action: "document.cosign", targetId: id } }),
    ).toBe(0);
    // Read again, co-signed as it stands.
    const reread = await callRoute(
      councilDocumentLoader,
      getRequest(`/council/documents/${id}`, { cookie: rep.cookie }),
      { params: { documentId: id } },
    );
    const res = await cosignAs({
      fingerprint: (reread.data as { document: { fingerprint: string } }).document.fingerprint,
    });
    expect(res.status).toBe(302);
    const list = await callRoute(
      councilDocumentsLoader,
      getRequest("/council/documents", { cookie: rep.cookie }),
    );
    expect(
      (list.data as { versions: { id: string; cosignedBy: string | null }[] }).versions.find(
        (v) => v.id === id,
      )?.cosignedBy,
    ).toBe("Doc Rep");
    expect((await publishByForm(admin.cookie, id)).status).toBe(302);
  });

  test("the overview shows no one's name or id: aggregates only", async () => {
    await resetPolicy();
    const rep = await person("Overview Rep", "REPRESENTATIVE");
    const manager = await person("Visible Manager", "REVIEWER");
    const workers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => person(`Team Worker ${i}`)),
    );
    await prisma.user.updateMany({
      where: { id: { in: workers.map((w) => w.user.id) } },
      data: { managerId: manager.user.id },
    });
    const now = Date.now();
    for (const w of workers) {
      await prisma.pause.create({
        data: {
          workerId: w.user.id,
          kind: "NOW",
          startsAt: new Date(now - 60 * 60_000),
          endsAt: new Date(now - 45 * 60_000),
          createdAt: new Date(now - 60 * 60_000),
        },
      });
    }
    const res = await callRoute(councilLoader, getRequest("/council", { cookie: rep.cookie }));
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.data);
    for (const p of [manager, ...workers]) {
      expect(text).not.toContain(p.user.name);
      expect(text).not.toContain(p.user.id);
      expect(text).not.toContain(p.user.email);
    }
    expect((res.data as { pauses: { total: number | null } }).pauses.total).toBeGreaterThanOrEqual(
      6,
    );
  });

  test("a representative is refused every staff area; everyone else is refused the council", async () => {
    const rep = await person("Gated Rep", "REPRESENTATIVE");
    for (const [fn, url] of [
      [adminLoader, "/admin"],
      [adminAuditLoader, "/admin/audit"],
      [policyLoader, "/admin/policy"],
      [adminDocumentLoader, "/admin/documents/x"],
      [reviewLoader, "/review/exemptions"],
    ] as const) {
      const res = await callRoute(fn, getRequest(url, { cookie: rep.cookie }), {
        params: { documentId: "x" },
      });
      expect([403, 404], url).toContain(res.status);
    }
    for (const role of ["WORKER", "ADMIN", "REVIEWER"] as const) {
      const other = await person(`Not council ${role}`, role);
      const res = await callRoute(
        councilLayoutLoader,
        getRequest("/council", { cookie: other.cookie }),
      );
      expect(res.status, role).toBe(403);
      const page = await callRoute(councilLoader, getRequest("/council", { cookie: other.cookie }));
      expect(page.status, role).toBe(403);
    }
  });
});
