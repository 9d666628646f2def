/**
 * Publishing a document asks first and says whose collection it stops
 * (ADR 0027). The other confirmed actions (revoke a device, end or cancel a
 * pause, withdraw or end an exemption, deactivate an account) are tested
 * beside their own features.
 */
import { describe, expect, test } from "vitest";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import { createDraft } from "#app/models/policy-document.server.ts";
import {
  action as documentAction,
  loader as documentLoader,
} from "#app/routes/admin.documents.$documentId.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

async function draftNotice(actorId: string, body: string) {
  const draft = await createDraft(
    {
      slug: MONITORING_NOTICE_SLUG,
      title: "Notice of electronic monitoring",
      body,
      summaryOfChanges: null,
      requiresAcknowledgement: true,
    },
    actorId,
    new Date(),
  );
  if (!draft.ok) throw new Error(draft.refusal.message);
  return draft.id;
}

function publish(cookie: string, id: string, confirmed?: string) {
  return callRoute(
    documentAction,
    formRequest(
      `/admin/documents/${id}`,
      confirmed === undefined ? { intent: "publish" } : { intent: "publish", confirmed },
      { cookie },
    ),
    { params: { documentId: id } },
  );
}

async function impactOf(cookie: string, id: string) {
  const page = await callRoute(documentLoader, getRequest(`/admin/documents/${id}`, { cookie }), {
    params: { documentId: id },
  });
  return (page.data as { publishImpact: unknown }).publishImpact;
}

describe("publishing a monitoring notice", () => {
  test("asks first, changes nothing until confirmed, and counts whose collection stops", async () => {
    await prisma.policy.update({
      where: { id: 1 },
      data: { requireAcknowledgementBeforeCollection: true },
    });
    const admin = await createUser({ role: "ADMIN" });
    const cookie = await sessionCookieFor(admin.id);
    const workers = await Promise.all([createUser(), createUser(), createUser()]);
    await createUser().then((gone) =>
      prisma.user.update({ where: { id: gone.id }, data: { deactivatedAt: new Date() } }),
    );
    const active = await prisma.user.count({ where: { deactivatedAt: null } });

    const v1 = await draftNotice(admin.id, "We collect keystroke counts.");
    // Nobody has signed a current notice yet, so every active person is held from now on...
    const before = await impactOf(cookie, v1);

    const asked = await publish(cookie, v1);
    expect(asked.status).toBe(200);
    expect(asked.data).toMatchObject({ kind: "confirm", confirm: `publish-document:${v1}` });
    expect((await prisma.policyDocument.findUniqueOrThrow({ where: { id: v1 } })).publishedAt).toBe(
      null,
    );
    expect((await publish(cookie, v1, `publish-document:${v1}`)).status).toBe(302);
    expect(
      (await prisma.policyDocument.findUniqueOrThrow({ where: { id: v1 } })).publishedAt,
    ).not.toBeNull();

    // ...unless an earlier notice already held them all.
    const currentBefore = await prisma.policyDocument.count({
      where: { slug: MONITORING_NOTICE_SLUG, publishedAt: { not: null }, id: { not: v1 } },
    });
    expect(before).toEqual(
      currentBefore === 0
        ? { newlyHeld: active, alreadyHeld: 0, activePeople: active }
        : expect.objectContaining({ activePeople: active }),
    );

    // Two of the three sign version 1: publishing version 2 stops their collection, and the
    // rest were on hold already.
    const v1Row = await prisma.policyDocument.findUniqueOrThrow({ where: { id: v1 } });
    for (const w of workers.slice(0, 2)) {
      await prisma.acknowledgement.create({
        data: {
          workerId: w.id,
          documentId: v1,
          contentSha256: v1Row.contentSha256!,
          signedName: w.name,
          signedAt: new Date(),
          receipt: "{}",
        },
      });
    }
    const v2 = await draftNotice(admin.id, "We collect keystroke counts and clicks.");
    expect(await impactOf(cookie, v2)).toEqual({
      newlyHeld: 2,
      alreadyHeld: active - 2,
      activePeople: active,
    });
  });

  test("a document that holds nobody has no count, and a missing one is not found", async () => {
    await prisma.policy.update({
      where: { id: 1 },
      data: { requireAcknowledgementBeforeCollection: false },
    });
    const admin = await createUser({ role: "ADMIN" });
    const cookie = await sessionCookieFor(admin.id);
    // The draft of version 2 left by the test above.
    const { id } = await prisma.policyDocument.findFirstOrThrow({
      where: { slug: MONITORING_NOTICE_SLUG, publishedAt: null },
    });
    expect(await impactOf(cookie, id)).toBeNull();
    expect((await publish(cookie, "no-such-document")).status).toBe(404);
  });
});
