/**
 * Issue 21, point 3 (ADR 0043): AI-training datasets. A prohibited purpose is
 * refused by the form and by a direct request, and nothing is written; the
 * build holds only workers who acknowledged the notice in force and who do
 * not object; the manifest verifies offline and names the file's SHA-256;
 * each included worker gets one access-log entry and sees the dataset in
 * their lineage, nobody else's; workers cannot reach the steward's pages.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import {
  buildDataset,
  claimNextDataset,
  DATASET_LEASE_MS,
  drainDatasetQueue,
} from "#app/jobs/dataset-builder.server.ts";
import { datasetFilePath, requestDataset, sweepDatasetFiles } from "#app/models/dataset.server.ts";
import { verifyReceiptFile, type DatasetManifestPayload } from "#app/receipts/receipt.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import {
  action as datasetsAction,
  loader as datasetsLoader,
} from "#app/routes/datasets._index.tsx";
import { loader as datasetLoader } from "#app/routes/datasets.$datasetId.tsx";
import { loader as downloadLoader } from "#app/routes/datasets.$datasetId.download.ts";
import { loader as manifestLoader } from "#app/routes/datasets.$datasetId.manifest[.json].ts";
import { loader as lineageLoader } from "#app/routes/datasets.lineage.tsx";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";
import { datasetWorker, publishNotice, storeEvents } from "#test/dataset-fixtures.ts";

const DAY = "2026-11-20";
const at = (time: string) => new Date(`${DAY}T${time}:00.000Z`);

let steward: { id: string; cookie: string };
let signer: Awaited<ReturnType<typeof datasetWorker>>;
let unsigned: Awaited<ReturnType<typeof datasetWorker>>;
let objector: Awaited<ReturnType<typeof datasetWorker>>;

beforeAll(async () => {
  const noticeId = await publishNotice(new Date("2026-11-01T00:00:00.000Z"));
  const s = await createUser({ role: "DATA_STEWARD", name: "Dana Steward", timezone: "UTC" });
  steward = { id: s.id, cookie: await sessionCookieFor(s.id) };
  signer = await datasetWorker(noticeId, "Signed Person");
  unsigned = await datasetWorker(null, "Unsigned Person");
  objector = await datasetWorker(noticeId, "Objecting Person");
  for (const w of [signer, unsigned, objector]) {
    await storeEvents(w, [
      { at: at("09:00"), type: "keystroke", app: "Editor" },
      { at: at("09:05"), type: "click", app: "Browser" },
      { at: at("10:00"), type: "click", app: "Editor" },
    ]);
  }
  // An event outside the range is never held.
  await storeEvents(signer, [
    { at: new Date("2026-11-22T09:00:00.000Z"), type: "click", app: "X" },
  ]);
  await prisma.rightsRequest.create({
    data: {
      workerId: objector.id,
      kind: "OBJECTION",
      status: "ACCEPTED",
      purposeKey: "ai-training",
      details: "I do not want my typing used to train models.",
      timeZone: "UTC",
      createdAt: new Date("2026-11-02T00:00:00.000Z"),
      dueAt: new Date("2026-12-02T23:59:59.999Z"),
      firstDueAt: new Date("2026-12-02T23:59:59.999Z"),
      decidedAt: new Date("2026-11-03T00:00:00.000Z"),
      outcome: "Accepted.",
    },
  });
});

function ask(fields: Record<string, string>, cookie = steward.cookie) {
  return callRoute(datasetsAction, formRequest("/datasets", fields, { cookie }));
}

describe("asking for a dataset", () => {
  test.each([
    ["performance-evaluation", "prohibited"],
    ["discipline", "prohibited"],
    ["made-up", "not a purpose"],
    // Permitted elsewhere, but not a use a dataset is built for: objections to training would not reach it.
    ["security-investigation", "not a purpose for this kind of access"],
    ["exemption-review", "not a purpose for this kind of access"],
  ])("naming %s is refused (400) and nothing is written", async (purpose, words) => {
    const before = await prisma.dataset.count();
    const res = await ask({ name: "Refused", from: DAY, to: DAY, purpose });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.data)).toContain(words);
    expect(await prisma.dataset.count()).toBe(before);
  });

  test("no purpose, a backwards range or one ending in the future is refused", async () => {
    const before = await prisma.dataset.count();
    expect((await ask({ name: "No purpose", from: DAY, to: DAY })).status).toBe(400);
    expect(
      (await ask({ name: "Backwards", from: DAY, to: "2026-11-01", purpose: "ai-training" }))
        .status,
    ).toBe(400);
    expect(
      (await ask({ name: "Future", from: DAY, to: "2999-01-01", purpose: "ai-training" })).status,
    ).toBe(400);
    expect(await prisma.dataset.count()).toBe(before);
  });

  test("a worker, a reviewer and a representative get 403 on the steward's pages", async () => {
    for (const role of ["WORKER", "REVIEWER", "REPRESENTATIVE"] as const) {
      const u = await createUser({ role });
      const cookie = await sessionCookieFor(u.id);
      expect((await callRoute(datasetsLoader, getRequest("/datasets", { cookie }))).status).toBe(
        403,
      );
      const res = await ask({ name: "Mine", from: DAY, to: DAY, purpose: "ai-training" }, cookie);
      expect(res.status).toBe(403);
    }
  });
});

describe("a built dataset", () => {
  let id: string;
  let lines: { pseudonym: string; at: string; type: string; app: string }[];

  beforeAll(async () => {
    const res = await ask({ name: "November typing", from: DAY, to: DAY, purpose: "ai-training" });
    expect(res.status).toBe(302);
    const row = await prisma.dataset.findFirstOrThrow({ where: { name: "November typing" } });
    id = row.id;
    await drainDatasetQueue();
    lines = readFileSync(datasetFilePath(id), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as (typeof lines)[number]);
  });

  test("holds the acknowledged worker's events of the range, and no one else's", async () => {
    const row = await prisma.dataset.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("COMPLETE");
    const members = await prisma.datasetMember.findMany({ where: { datasetId: id } });
    const mine = members.filter((m) => [signer.id, unsigned.id, objector.id].includes(m.workerId));
    expect(mine.map((m) => m.workerId)).toEqual([signer.id]);
    const pseudonym = mine[0]!.pseudonym;
    const theirs = lines.filter((l) => l.pseudonym === pseudonym);
    expect(theirs.map((l) => l.at)).toEqual([
      at("09:00").toISOString(),
      at("09:05").toISOString(),
      at("10:00").toISOString(),
    ]);
    // No name, email or id of anyone in the file.
    const text = readFileSync(datasetFilePath(id), "utf8");
    for (const w of [signer, unsigned, objector]) {
      expect(text).not.toContain(w.id);
      expect(text).not.toContain(w.email);
      expect(text).not.toContain(w.name);
    }
  });

  test("its manifest verifies offline, names the file's SHA-256 and the rules in force", async () => {
    const res = await callRoute(
      manifestLoader,
      getRequest(`/datasets/${id}/manifest.json`, { cookie: steward.cookie }),
      { params: { datasetId: id } },
    );
    expect(res.status).toBe(200);
    const text = `${JSON.stringify(res.data, null, 2)}\n`;
    const verified = verifyReceiptFile(text, receiptPublicKey().publicKeyPem);
    expect(verified.ok).toBe(true);
    const payload = (res.data as { payload: DatasetManifestPayload }).payload;
    const file = readFileSync(datasetFilePath(id));
    expect(payload.file.sha256).toBe(createHash("sha256").update(file).digest("hex"));
    expect(payload.file.bytes).toBe(file.length);
    expect(payload.rows.events).toBe(lines.length);
    expect(payload.purpose.key).toBe("ai-training");
    expect(payload.notice?.version).toBe(1);
    expect(payload.policyVersion).toBeGreaterThanOrEqual(1);
    // One changed byte and it no longer verifies.
    const forged = text.replace(payload.file.sha256, "0".repeat(64));
    expect(verifyReceiptFile(forged, receiptPublicKey().publicKeyPem).ok).toBe(false);
  });

  test("each included worker gets exactly one access-log entry, in words, with the purpose", async () => {
    const entries = await prisma.auditEvent.findMany({
      where: { action: "dataset.include", targetId: id },
    });
    const bySubject = new Map<string, number>();
    for (const e of entries)
      bySubject.set(e.subjectUserId!, (bySubject.get(e.subjectUserId!) ?? 0) + 1);
    expect(bySubject.get(signer.id)).toBe(1);
    expect(bySubject.has(unsigned.id)).toBe(false);
    expect(bySubject.has(objector.id)).toBe(false);
    const cookie = await sessionCookieFor(signer.id);
    const page = await callRoute(accessLoader, getRequest("/data/access", { cookie }));
    const data = page.data as {
      events: { what: string; purpose: string | null }[];
      datasets: { name: string; events: number }[];
    };
    const entry = data.events.find((e) => e.what.includes("were included in dataset"));
    expect(entry?.what).toMatch(
      /^Your events from 20 Nov 2026, 09:00 UTC to 20 Nov 2026, 10:00 UTC \(3 events\) were included in dataset "November typing" for training AI models$/,
    );
    expect(entry?.purpose).toBe("Training AI models");
    expect(data.datasets).toEqual([
      expect.objectContaining({ name: "November typing", events: 3 }),
    ]);
  });

  test("a worker sees only their own lineage", async () => {
    for (const w of [unsigned, objector]) {
      const cookie = await sessionCookieFor(w.id);
      const page = await callRoute(accessLoader, getRequest("/data/access", { cookie }));
      expect((page.data as { datasets: unknown[] }).datasets).toEqual([]);
    }
  });

  test("the steward's page shows the counts; the file downloads, audited with the purpose", async () => {
    const page = await callRoute(
      datasetLoader,
      getRequest(`/datasets/${id}`, { cookie: steward.cookie }),
      { params: { datasetId: id } },
    );
    expect((page.data as { dataset: { events: number } }).dataset.events).toBe(lines.length);
    const before = await prisma.auditEvent.count({ where: { action: "dataset.download" } });
    const file = await callRoute(
      downloadLoader,
      getRequest(`/datasets/${id}/download`, { cookie: steward.cookie }),
      { params: { datasetId: id } },
    );
    expect(file.status).toBe(200);
    const download = await prisma.auditEvent.findMany({ where: { action: "dataset.download" } });
    expect(download).toHaveLength(before + 1);
    expect(download.at(-1)?.purposeId).toBe("purpose-ai-training-1");
    const worker = await sessionCookieFor(signer.id);
    const refused = await callRoute(
      downloadLoader,
      getRequest(`/datasets/${id}/download`, { cookie: worker }),
      { params: { datasetId: id } },
    );
    expect(refused.status).toBe(403);
  });

  test("the privacy office's lineage view names a purpose, refuses a prohibited one, and is recorded", async () => {
    const admin = await createUser({ role: "ADMIN", timezone: "UTC" });
    const cookie = await sessionCookieFor(admin.id);
    const url = (purpose?: string) =>
      `/datasets/lineage?email=${encodeURIComponent(signer.email)}${purpose ? `&purpose=${purpose}` : ""}`;
    const views = () =>
      prisma.auditEvent.findMany({
        where: { action: "dataset.lineage_view", subjectUserId: signer.id },
      });
    for (const refused of [undefined, "performance-evaluation", "discipline"]) {
      const res = await callRoute(lineageLoader, getRequest(url(refused), { cookie }));
      expect(res.status).toBe(400);
      expect((res.data as { result: unknown }).result).toBeNull();
    }
    expect(await views()).toHaveLength(0);
    // Without a purpose, nothing tells whether an address belongs to someone.
    const answers = [];
    for (const email of [signer.email, "nobody-here@example.test"]) {
      const res = await callRoute(
        lineageLoader,
        getRequest(`/datasets/lineage?email=${encodeURIComponent(email)}`, { cookie }),
      );
      answers.push({ status: res.status, errors: (res.data as { errors: unknown }).errors });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.errors).toEqual({ purpose: expect.any(String) });
    const res = await callRoute(lineageLoader, getRequest(url("rights-request"), { cookie }));
    expect(res.status).toBe(200);
    const result = (res.data as { result: { datasets: { name: string; pseudonym: string }[] } })
      .result;
    expect(result.datasets.map((d) => d.name)).toContain("November typing");
    const recorded = await views();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.purposeId).toBe("purpose-rights-request-1");
  });

  test("past its purpose's retention the hourly sweep deletes the file; the lineage stays", async () => {
    const finished = (await prisma.dataset.findUniqueOrThrow({ where: { id } })).finishedAt!;
    expect(await sweepDatasetFiles(new Date(finished.getTime() + 364 * 86_400_000))).toBe(0);
    expect(existsSync(datasetFilePath(id))).toBe(true);
    expect(await sweepDatasetFiles(new Date(finished.getTime() + 366 * 86_400_000))).toBe(1);
    expect(existsSync(datasetFilePath(id))).toBe(false);
    const download = await callRoute(
      downloadLoader,
      getRequest(`/datasets/${id}/download`, { cookie: steward.cookie }),
      { params: { datasetId: id } },
    );
    expect(download.status).toBe(404);
    const cookie = await sessionCookieFor(signer.id);
    const page = await callRoute(accessLoader, getRequest("/data/access", { cookie }));
    expect((page.data as { datasets: { fileDeleted: boolean }[] }).datasets).toEqual([
      expect.objectContaining({ fileDeleted: true }),
    ]);
  });
});

test("a build whose lease ran out is finished by the next claim; the first attempt cannot complete it", async () => {
  const now = new Date();
  const asked = await requestDataset({
    requesterId: steward.id,
    name: "Taken over",
    start: at("00:00"),
    end: at("23:59"),
    purposeKey: "ai-training",
    now,
  });
  if (!asked.ok) throw new Error(asked.refusal.message);
  const first = await claimNextDataset(now);
  expect(first).toEqual({ datasetId: asked.id, attempt: 1 });
  // Its node went quiet: past the lease, another node claims it.
  expect(await claimNextDataset(new Date(now.getTime() + 1000))).toBeNull();
  const second = await claimNextDataset(new Date(now.getTime() + DATASET_LEASE_MS + 1000));
  expect(second).toEqual({ datasetId: asked.id, attempt: 2 });
  await expect(buildDataset(first!)).rejects.toThrow(/taken over/);
  expect((await prisma.dataset.findUniqueOrThrow({ where: { id: asked.id } })).status).toBe(
    "RUNNING",
  );
  await buildDataset(second!);
  const row = await prisma.dataset.findUniqueOrThrow({ where: { id: asked.id } });
  expect(row.status).toBe("COMPLETE");
  expect(
    await prisma.datasetMember.count({ where: { datasetId: asked.id, workerId: signer.id } }),
  ).toBe(1);
  expect(
    await prisma.auditEvent.count({
      where: { action: "dataset.include", targetId: asked.id, subjectUserId: signer.id },
    }),
  ).toBe(1);
});
