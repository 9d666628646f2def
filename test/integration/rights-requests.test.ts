/**
 * Issue 21, point 4 (ADR 0042): rights requests with deadlines. A worker files
 * each kind from My data; bad input is a 400 that writes nothing; nobody sees
 * or acts on someone else's request; a reviewer opens one only naming a
 * permitted purpose, which is recorded; the deadline is extended once only;
 * an accepted erasure deletes its span with a verifiable erasure receipt; an
 * accepted restriction or objection changes what datasets may use; nobody
 * decides their own request; overdue requests are flagged to the privacy office.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { getRightsExclusions } from "#app/models/rights-exclusions.server.ts";
import { listRightsQueue, rightsDeadlineCounts } from "#app/models/rights.server.ts";
import { loader as overviewLoader } from "#app/routes/admin._index.tsx";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { loader as eventLoader } from "#app/routes/data.events_.$eventId.tsx";
import {
  action as requestAction,
  loader as requestLoader,
} from "#app/routes/data.rights.$requestId.tsx";
import { action as fileAction, loader as listLoader } from "#app/routes/data.rights._index.tsx";
import {
  action as reviewAction,
  loader as reviewLoader,
} from "#app/routes/review.rights.$requestId.tsx";
import { loader as queueLoader } from "#app/routes/review.rights._index.tsx";
import { formatReceipt, verifyReceiptFile, type Receipt } from "#app/receipts/receipt.ts";
import { localDateKey, localTimeKey } from "#app/domain/local-time.ts";
import { prisma } from "#app/utils/db.server.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

type Person = { id: string; name: string; cookie: string };

async function person(
  role: "WORKER" | "REVIEWER" | "ADMIN" = "WORKER",
  name = "Test Person",
  timezone = "UTC",
): Promise<Person> {
  const user = await createUser({ role, name, timezone });
  return { id: user.id, name: user.name, cookie: await sessionCookieFor(user.id) };
}

/** One event a minute on two devices over the last `minutes` before `now`. */
async function withEvents(workerId: string, now: Date, minutes = 180) {
  for (const name of ["Laptop", "Desktop"]) {
    const device = await createDevice(workerId, { name });
    const events = [];
    for (let i = minutes; i > 0; i--) {
      events.push({
        type: i % 2 ? ("click" as const) : ("keystroke" as const),
        app: i % 3 ? "Editor" : "Browser",
        at: new Date(now.getTime() - i * MINUTE).toISOString(),
        data: {},
      });
    }
    await ingestBatch({ id: device.id, workerId }, { batchId: randomUUID(), events }, now);
  }
}

/** The local (UTC) date and time fields of a span. */
function spanFields(start: Date, end: Date, tz = "UTC") {
  return {
    startDate: localDateKey(start, tz),
    startTime: localTimeKey(start, tz),
    endDate: localDateKey(end, tz),
    endTime: localTimeKey(end, tz),
  };
}

async function file(worker: Person, fields: Record<string, string>) {
  return callRoute(fileAction, formRequest("/data/rights", fields, { cookie: worker.cookie }));
}

async function fileOk(worker: Person, fields: Record<string, string>) {
  const res = await file(worker, fields);
  expect(res.status, JSON.stringify(res.data)).toBe(302);
  const id = res.headers.get("Location")!.split("/").at(-1)!;
  return id;
}

function review(staff: Person, id: string, purpose: string | null) {
  const url = `/review/rights/${id}${purpose === null ? "" : `?purpose=${purpose}`}`;
  return callRoute(reviewLoader, getRequest(url, { cookie: staff.cookie }), {
    params: { requestId: id },
  });
}

function act(staff: Person, id: string, fields: Record<string, string>) {
  return callRoute(
    reviewAction,
    formRequest(`/review/rights/${id}`, fields, { cookie: staff.cookie }),
    { params: { requestId: id } },
  );
}

async function purposeId(key: string) {
  const row = await prisma.purpose.findFirstOrThrow({
    where: { key, effectiveAt: { not: null } },
    orderBy: { version: "desc" },
    select: { id: true },
  });
  return row.id;
}

/** Minutes truncated: the form takes HH:MM. */
const minuteOf = (d: Date) => new Date(Math.floor(d.getTime() / MINUTE) * MINUTE);

describe("a worker files each kind", () => {
  test("correction of a record, correction and erasure and restriction of a span, objection to a purpose", async () => {
    const worker = await person("WORKER", "Lena Ortiz", "Pacific/Auckland");
    const now = new Date();
    await withEvents(worker.id, now, 30);
    const event = await prisma.event.findFirstOrThrow({ where: { workerId: worker.id } });
    const end = minuteOf(new Date(now.getTime() - 5 * MINUTE));
    const start = new Date(end.getTime() - 20 * MINUTE);
    const span = spanFields(start, end, "Pacific/Auckland");

    const record = await fileOk(worker, {
      kind: "CORRECTION",
      eventId: String(event.id),
      details: "This click was my colleague using my laptop.",
    });
    const correction = await fileOk(worker, {
      kind: "CORRECTION",
      ...span,
      details: "I was in a meeting, not typing: the app is wrong.",
    });
    const erasure = await fileOk(worker, {
      kind: "ERASURE",
      ...span,
      details: "Please erase this: a private call.",
    });
    const restriction = await fileOk(worker, {
      kind: "RESTRICTION",
      ...span,
      details: "I dispute these records: freeze them.",
    });
    const objection = await fileOk(worker, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "I do not want my data used to train models.",
    });

    const rows = await prisma.rightsRequest.findMany({ where: { workerId: worker.id } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(record)).toMatchObject({
      kind: "CORRECTION",
      eventId: String(event.id),
      spanStart: null,
      status: "OPEN",
      timeZone: "Pacific/Auckland",
    });
    for (const id of [correction, erasure, restriction]) {
      expect(byId.get(id)).toMatchObject({ spanStart: start, spanEnd: end, eventId: null });
    }
    expect(byId.get(objection)).toMatchObject({ purposeKey: "ai-training", spanStart: null });
    for (const r of rows) {
      // One month in the worker's zone at filing, and the first due date kept.
      expect(r.dueAt.getTime()).toBeGreaterThan(r.createdAt.getTime() + 27 * DAY);
      expect(r.dueAt.getTime()).toBeLessThanOrEqual(r.createdAt.getTime() + 33 * DAY);
      expect(r.firstDueAt).toEqual(r.dueAt);
    }
    expect(
      await prisma.auditEvent.count({
        where: { action: "rights.request", actorId: worker.id, subjectUserId: worker.id },
      }),
    ).toBe(5);

    // The list shows each with its clock.
    const list = await callRoute(listLoader, getRequest("/data/rights", { cookie: worker.cookie }));
    const requests = (list.data as { requests: { id: string; clock: { label: string } }[] })
      .requests;
    expect(requests).toHaveLength(5);
    expect(requests[0]!.clock.label).toMatch(/^due in \d+ days$/);

    // The record's page links to the form, prefilled.
    const page = await callRoute(
      listLoader,
      getRequest(`/data/rights?eventId=${event.id}`, { cookie: worker.cookie }),
    );
    expect((page.data as { defaults: unknown }).defaults).toMatchObject({
      kind: "CORRECTION",
      eventId: String(event.id),
    });
  });

  test("bad input is a 400 with a message, and nothing is written", async () => {
    const worker = await person();
    const other = await person();
    const now = new Date();
    await withEvents(other.id, now, 5);
    const othersEvent = await prisma.event.findFirstOrThrow({ where: { workerId: other.id } });
    const end = minuteOf(new Date(now.getTime() - MINUTE));
    const cases: Record<string, string>[] = [
      {},
      { kind: "ERASURE", details: "short" },
      { kind: "SOMETHING", details: "Please do something about it." },
      { kind: "ERASURE", details: "Please erase the span given." },
      { kind: "OBJECTION", details: "I object to something or other." },
      { kind: "OBJECTION", purposeKey: "performance-evaluation", details: "No evaluation please." },
      { kind: "OBJECTION", purposeKey: "no-such-purpose", details: "I object to this purpose." },
      { kind: "OBJECTION", purposeKey: "DROP TABLE", details: "I object to this purpose." },
      {
        kind: "CORRECTION",
        eventId: String(othersEvent.id),
        details: "Someone else's record, not mine.",
      },
      { kind: "CORRECTION", eventId: "-3", details: "A record number that is not one." },
      // Beyond the 32-bit record ids: refused by the form, never handed to the database.
      { kind: "CORRECTION", eventId: "3000000000", details: "A record number past the last." },
      {
        kind: "ERASURE",
        ...spanFields(new Date(now.getTime() - 10 * MINUTE), new Date(now.getTime() + DAY)),
        details: "A span that ends in the future.",
      },
      {
        kind: "ERASURE",
        ...spanFields(end, new Date(end.getTime() - 10 * MINUTE)),
        details: "A span that ends before it starts.",
      },
      {
        kind: "RESTRICTION",
        ...spanFields(new Date(end.getTime() - 400 * DAY), end),
        details: "Longer than the retention period.",
      },
      {
        kind: "ERASURE",
        startDate: "2026-02-30",
        startTime: "10:00",
        endDate: "2026-03-01",
        endTime: "10:00",
        details: "A day that does not exist.",
      },
      {
        kind: "ERASURE",
        startDate: "2026-11-01",
        startTime: "25:00",
        endDate: "2026-11-02",
        endTime: "10:00",
        details: "An hour that does not exist.",
      },
      { kind: "CORRECTION", eventId: "1", details: "x".repeat(2001) },
    ];
    for (const fields of cases) {
      const res = await file(worker, fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      const error = (res.data as { result: { error: Record<string, string[]> } }).result.error;
      expect(Object.values(error).flat().length, JSON.stringify(fields)).toBeGreaterThan(0);
    }
    expect(await prisma.rightsRequest.count({ where: { workerId: worker.id } })).toBe(0);
    expect(await prisma.auditEvent.count({ where: { actorId: worker.id } })).toBe(0);
  });

  test("objecting twice to the same purpose is refused while the first stands", async () => {
    const worker = await person();
    await fileOk(worker, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
    });
    const again = await file(worker, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
    });
    expect(again.status).toBe(409);
    expect(await prisma.rightsRequest.count({ where: { workerId: worker.id } })).toBe(1);
  });
});

describe("someone else's request", () => {
  test("a worker can neither see nor act on it (404), and it stays as it was", async () => {
    const owner = await person();
    const stranger = await person();
    const id = await fileOk(owner, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
    });
    const seen = await callRoute(
      requestLoader,
      getRequest(`/data/rights/${id}`, { cookie: stranger.cookie }),
      { params: { requestId: id } },
    );
    expect(seen.status).toBe(404);
    const withdrawn = await callRoute(
      requestAction,
      formRequest(`/data/rights/${id}`, { intent: "withdraw" }, { cookie: stranger.cookie }),
      { params: { requestId: id } },
    );
    expect(withdrawn.status).toBe(404);
    expect((await prisma.rightsRequest.findUniqueOrThrow({ where: { id } })).status).toBe("OPEN");
    // The owner sees it and may withdraw it.
    const own = await callRoute(
      requestLoader,
      getRequest(`/data/rights/${id}`, { cookie: owner.cookie }),
      { params: { requestId: id } },
    );
    expect(own.status).toBe(200);
    const bad = await callRoute(
      requestAction,
      formRequest(`/data/rights/${id}`, { intent: "explode" }, { cookie: owner.cookie }),
      { params: { requestId: id } },
    );
    expect(bad.status).toBe(400);
    const ok = await callRoute(
      requestAction,
      formRequest(`/data/rights/${id}`, { intent: "withdraw" }, { cookie: owner.cookie }),
      { params: { requestId: id } },
    );
    expect(ok.status).toBe(302);
    expect((await prisma.rightsRequest.findUniqueOrThrow({ where: { id } })).status).toBe(
      "WITHDRAWN",
    );
    // Withdrawn: nothing more to withdraw.
    const twice = await callRoute(
      requestAction,
      formRequest(`/data/rights/${id}`, { intent: "withdraw" }, { cookie: owner.cookie }),
      { params: { requestId: id } },
    );
    expect(twice.status).toBe(409);
  });
});

describe("the reviewer's page asks for a purpose", () => {
  test("without one: the gate, no data, nothing recorded; prohibited: 400; permitted: shown and recorded", async () => {
    const worker = await person("WORKER", "Lena Ortiz");
    const reviewer = await person("REVIEWER", "Rae Reviewer");
    const now = new Date();
    await withEvents(worker.id, now, 30);
    const end = minuteOf(new Date(now.getTime() - 5 * MINUTE));
    const id = await fileOk(worker, {
      kind: "RESTRICTION",
      ...spanFields(new Date(end.getTime() - 10 * MINUTE), end),
      details: "I dispute these records: freeze them.",
    });
    const views = () =>
      prisma.auditEvent.findMany({
        where: { subjectUserId: worker.id, actorId: reviewer.id },
        select: { action: true, purposeId: true },
      });

    const gated = await review(reviewer, id, null);
    expect(gated.status).toBe(200);
    expect(gated.data).toMatchObject({ gate: { defaultKey: "rights-request", error: null } });
    expect((gated.data as { details?: string }).details).toBeUndefined();
    for (const bad of ["performance-evaluation", "discipline", "no-such-purpose"]) {
      const refused = await review(reviewer, id, bad);
      expect(refused.status, bad).toBe(400);
      expect((refused.data as { gate: { error: string } }).gate.error).toBeTruthy();
    }
    expect(await views()).toEqual([]);

    const opened = await review(reviewer, id, "rights-request");
    expect(opened.status).toBe(200);
    expect(opened.data).toMatchObject({
      gate: null,
      details: "I dispute these records: freeze them.",
      purpose: { key: "rights-request" },
      records: { total: 20 },
    });
    expect(await views()).toEqual([
      { action: "rights.view", purposeId: await purposeId("rights-request") },
    ]);

    // A direct POST with no purpose or a prohibited one changes nothing.
    for (const purpose of [null, "performance-evaluation"]) {
      const fields: Record<string, string> = { intent: "reject", outcome: "Not a valid request." };
      if (purpose) fields.purpose = purpose;
      const res = await act(reviewer, id, fields);
      expect(res.status, String(purpose)).toBe(400);
    }
    expect((await prisma.rightsRequest.findUniqueOrThrow({ where: { id } })).status).toBe("OPEN");

    // A note, recorded with its purpose; the worker's access log shows the view and the note.
    const note = await act(reviewer, id, {
      intent: "note",
      body: "Checked with IT: the laptop was shared that day.",
      purpose: "rights-request",
    });
    expect(note.status).toBe(302);
    const access = await callRoute(
      accessLoader,
      getRequest("/data/access", { cookie: worker.cookie }),
    );
    const log = (access.data as { events: { what: string; purpose: string | null }[] }).events;
    expect(log.map((e) => e.purpose)).toContain("Handling data-rights requests");
    expect(JSON.stringify(log)).not.toContain("laptop was shared");
    // The worker's own status page has no staff notes.
    const own = await callRoute(
      requestLoader,
      getRequest(`/data/rights/${id}`, { cookie: worker.cookie }),
      { params: { requestId: id } },
    );
    expect(JSON.stringify(own.data)).not.toContain("laptop was shared");
  });

  test("a worker cannot open the review page (403)", async () => {
    const worker = await person();
    const id = await fileOk(worker, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
    });
    const res = await review(worker, id, "rights-request");
    expect(res.status).toBe(403);
  });
});

describe("the deadline", () => {
  test("is extended once only, by one or two months, with a reason the worker sees", async () => {
    const worker = await person("WORKER", "Lena Ortiz", "Europe/Berlin");
    const reviewer = await person("REVIEWER");
    const id = await fileOk(worker, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
    });
    const before = await prisma.rightsRequest.findUniqueOrThrow({ where: { id } });
    for (const fields of [
      { intent: "extend", months: "3", reason: "We need longer to check." },
      { intent: "extend", months: "1", reason: "" },
      { intent: "extend", months: "x", reason: "We need longer to check." },
    ]) {
      const res = await act(reviewer, id, { ...fields, purpose: "rights-request" });
      expect(res.status, JSON.stringify(fields)).toBe(400);
    }
    const extended = await act(reviewer, id, {
      intent: "extend",
      months: "2",
      reason: "The dataset team is checking which builds hold your data.",
      purpose: "rights-request",
    });
    expect(extended.status).toBe(302);
    const after = await prisma.rightsRequest.findUniqueOrThrow({ where: { id } });
    expect(after.firstDueAt).toEqual(before.dueAt);
    expect(after.dueAt.getTime()).toBeGreaterThan(before.dueAt.getTime() + 58 * DAY);
    expect(after.extensionReason).toBe("The dataset team is checking which builds hold your data.");

    const again = await act(reviewer, id, {
      intent: "extend",
      months: "1",
      reason: "Still more time, please.",
      purpose: "rights-request",
    });
    expect(again.status).toBe(409);
    expect((await prisma.rightsRequest.findUniqueOrThrow({ where: { id } })).dueAt).toEqual(
      after.dueAt,
    );

    const page = await callRoute(
      requestLoader,
      getRequest(`/data/rights/${id}`, { cookie: worker.cookie }),
      { params: { requestId: id } },
    );
    expect(page.data).toMatchObject({
      extensionReason: "The dataset team is checking which builds hold your data.",
    });
    expect(
      await prisma.notification.findFirst({
        where: { userId: worker.id, href: `/data/rights/${id}` },
      }),
    ).toMatchObject({ title: "Your rights request needs more time" });
    expect(
      await prisma.auditEvent.count({
        where: { action: "rights.extend", subjectUserId: worker.id, actorId: reviewer.id },
      }),
    ).toBe(1);
  });

  test("an overdue request is flagged in the queue and counted on the overview", async () => {
    const worker = await person("WORKER", "Overdue Owen");
    const admin = await person("ADMIN");
    const now = new Date();
    const base = {
      workerId: worker.id,
      kind: "OBJECTION" as const,
      purposeKey: "ai-training",
      details: "No training on my data, please.",
      timeZone: "UTC",
    };
    const before = await rightsDeadlineCounts(now);
    const overdue = await prisma.rightsRequest.create({
      data: {
        ...base,
        createdAt: new Date(now.getTime() - 40 * DAY),
        dueAt: new Date(now.getTime() - 9 * DAY),
        firstDueAt: new Date(now.getTime() - 9 * DAY),
      },
    });
    const soon = await prisma.rightsRequest.create({
      data: {
        ...base,
        kind: "RESTRICTION",
        purposeKey: null,
        spanStart: new Date(now.getTime() - 2 * DAY),
        spanEnd: new Date(now.getTime() - DAY),
        createdAt: new Date(now.getTime() - 28 * DAY),
        dueAt: new Date(now.getTime() + 3 * DAY),
        firstDueAt: new Date(now.getTime() + 3 * DAY),
      },
    });
    // Overdue but closed: not flagged.
    await prisma.rightsRequest.create({
      data: {
        ...base,
        status: "REJECTED",
        createdAt: new Date(now.getTime() - 60 * DAY),
        dueAt: new Date(now.getTime() - 29 * DAY),
        firstDueAt: new Date(now.getTime() - 29 * DAY),
      },
    });

    const counts = await rightsDeadlineCounts(now);
    expect(counts).toEqual({
      open: before.open + 2,
      dueSoon: before.dueSoon + 1,
      overdue: before.overdue + 1,
    });
    const queue = await listRightsQueue(now);
    expect(queue.open.find((r) => r.id === overdue.id)).toMatchObject({ overdue: true });
    expect(queue.open.find((r) => r.id === soon.id)).toMatchObject({ overdue: false });
    // By due date: the overdue one before the one due soon.
    const order = queue.open.map((r) => r.id);
    expect(order.indexOf(overdue.id)).toBeLessThan(order.indexOf(soon.id));

    const page = await callRoute(
      queueLoader,
      getRequest("/review/rights", { cookie: admin.cookie }),
    );
    const row = (
      page.data as { open: { id: string; overdue: boolean; clock: string }[] }
    ).open.find((r) => r.id === overdue.id);
    expect(row).toMatchObject({ overdue: true, clock: "9 days overdue" });

    const overview = await callRoute(
      overviewLoader,
      getRequest("/admin", { cookie: admin.cookie }),
    );
    expect((overview.data as { rights: unknown }).rights).toEqual(counts);
    // Counts only: no name on the overview.
    expect(JSON.stringify(overview.data)).not.toContain("Overdue Owen");
  });
});

describe("outcomes applied by code", () => {
  test("an accepted erasure deletes the span on every device and in the rollups, with an erasure receipt that verifies", async () => {
    const worker = await person("WORKER", "Lena Ortiz");
    const reviewer = await person("REVIEWER");
    const now = new Date();
    await withEvents(worker.id, now, 180);
    const end = minuteOf(new Date(now.getTime() - 10 * MINUTE));
    const start = new Date(end.getTime() - 150 * MINUTE);
    const id = await fileOk(worker, {
      kind: "ERASURE",
      ...spanFields(start, end),
      details: "Please erase this afternoon: a private matter.",
    });
    // Open, it freezes the span.
    expect((await getRightsExclusions("ai-training")).get(worker.id)?.frozen).toEqual([
      { start, end },
    ]);
    const inSpan = await prisma.event.count({
      where: { workerId: worker.id, at: { gte: start, lt: end } },
    });
    const total = await prisma.event.count({ where: { workerId: worker.id } });
    expect(inSpan).toBe(2 * 150);

    const accepted = await act(reviewer, id, {
      intent: "accept",
      outcome: "Erased, as you asked. The receipt is attached.",
      purpose: "rights-request",
    });
    expect(accepted.status).toBe(302);
    expect(
      await prisma.event.count({ where: { workerId: worker.id, at: { gte: start, lt: end } } }),
    ).toBe(0);
    expect(await prisma.event.count({ where: { workerId: worker.id } })).toBe(total - inSpan);

    // The rollups count exactly what is left.
    const left = await prisma.event.findMany({
      where: { workerId: worker.id },
      select: { at: true },
    });
    const hourly = await prisma.eventRollup.aggregate({
      where: { workerId: worker.id },
      _sum: { count: true },
    });
    const daily = await prisma.eventRollupDay.aggregate({
      where: { workerId: worker.id },
      _sum: { count: true },
    });
    expect(hourly._sum.count ?? 0).toBe(left.length);
    expect(daily._sum.count ?? 0).toBe(left.length);
    expect(
      await prisma.eventRollup.count({ where: { workerId: worker.id, count: { lte: 0 } } }),
    ).toBe(0);

    const row = await prisma.rightsRequest.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "ACCEPTED", decidedById: reviewer.id });
    const stored = await prisma.deletionReceipt.findUniqueOrThrow({
      where: { id: row.deletionReceiptId! },
    });
    expect(stored).toMatchObject({ kind: "ERASURE", workerId: worker.id, events: inSpan });
    const check = verifyReceiptFile(
      formatReceipt(JSON.parse(stored.receipt) as Receipt),
      receiptPublicKey().publicKeyPem,
    );
    expect(check).toMatchObject({
      ok: true,
      payload: {
        worker: { id: worker.id },
        deletion: {
          kind: "erasure",
          from: start.toISOString(),
          to: end.toISOString(),
          events: inSpan,
        },
      },
    });
    // Accepted, the erasure no longer freezes anything: the span is gone.
    expect((await getRightsExclusions("ai-training")).get(worker.id)).toBeUndefined();
    // The worker reads the outcome, is told, and finds the receipt in Data history.
    const page = await callRoute(
      requestLoader,
      getRequest(`/data/rights/${id}`, { cookie: worker.cookie }),
      { params: { requestId: id } },
    );
    expect(page.data).toMatchObject({
      outcome: "Erased, as you asked. The receipt is attached.",
      receiptId: stored.id,
    });
    const history = await callRoute(
      accessLoader,
      getRequest("/data/access", { cookie: worker.cookie }),
    );
    expect(JSON.stringify(history.data)).toContain(stored.id);
    expect(
      await prisma.notification.count({
        where: { userId: worker.id, title: "Your rights request was accepted" },
      }),
    ).toBe(1);
    // Closed: it cannot be decided again.
    const again = await act(reviewer, id, {
      intent: "reject",
      outcome: "Changed my mind about it.",
      purpose: "rights-request",
    });
    expect(again.status).toBe(409);
  });

  test("restriction and objection change getRightsExclusions, until lifted", async () => {
    const worker = await person();
    const reviewer = await person("REVIEWER");
    const now = new Date();
    const end = minuteOf(new Date(now.getTime() - 60 * MINUTE));
    const start = new Date(end.getTime() - 60 * MINUTE);
    const restriction = await fileOk(worker, {
      kind: "RESTRICTION",
      ...spanFields(start, end),
      details: "I dispute these records: freeze them.",
    });
    const objection = await fileOk(worker, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
    });
    // Filed: the restriction freezes at once; the objection waits to be accepted.
    expect((await getRightsExclusions("ai-training")).get(worker.id)).toEqual({
      frozen: [{ start, end }],
      objects: false,
    });
    for (const id of [restriction, objection]) {
      const res = await act(reviewer, id, {
        intent: "accept",
        outcome: "Accepted: it applies from now on.",
        purpose: "rights-request",
      });
      expect(res.status).toBe(302);
    }
    expect((await getRightsExclusions("ai-training")).get(worker.id)).toEqual({
      frozen: [{ start, end }],
      objects: true,
    });
    // Another purpose is not objected to.
    expect((await getRightsExclusions("security-investigation")).get(worker.id)?.objects).toBe(
      false,
    );
    for (const id of [restriction, objection]) {
      const res = await callRoute(
        requestAction,
        formRequest(`/data/rights/${id}`, { intent: "lift" }, { cookie: worker.cookie }),
        { params: { requestId: id } },
      );
      expect(res.status).toBe(302);
    }
    expect((await getRightsExclusions("ai-training")).get(worker.id)).toBeUndefined();
    expect(
      await prisma.auditEvent.count({ where: { action: "rights.lift", actorId: worker.id } }),
    ).toBe(2);
  });

  test("a rejected restriction no longer freezes its span, and the worker reads why", async () => {
    const worker = await person();
    const reviewer = await person("REVIEWER");
    const end = minuteOf(new Date(Date.now() - 60 * MINUTE));
    const id = await fileOk(worker, {
      kind: "RESTRICTION",
      ...spanFields(new Date(end.getTime() - 30 * MINUTE), end),
      details: "I dispute these records: freeze them.",
    });
    const empty = await act(reviewer, id, {
      intent: "reject",
      outcome: "",
      purpose: "rights-request",
    });
    expect(empty.status).toBe(400);
    const res = await act(reviewer, id, {
      intent: "reject",
      outcome: "The records match the agent's logs.",
      purpose: "rights-request",
    });
    expect(res.status).toBe(302);
    expect((await getRightsExclusions("ai-training")).get(worker.id)).toBeUndefined();
    expect(await prisma.rightsRequest.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "REJECTED",
      outcome: "The records match the agent's logs.",
    });
  });

  test("an accepted correction is shown with the record it concerns", async () => {
    const worker = await person();
    const reviewer = await person("REVIEWER");
    const now = new Date();
    await withEvents(worker.id, now, 10);
    const event = await prisma.event.findFirstOrThrow({ where: { workerId: worker.id } });
    const id = await fileOk(worker, {
      kind: "CORRECTION",
      eventId: String(event.id),
      details: "This click was my colleague using my laptop.",
    });
    await act(reviewer, id, {
      intent: "accept",
      outcome: "Annotated: a colleague used the laptop at this time.",
      purpose: "rights-request",
    });
    const page = await callRoute(
      eventLoader,
      getRequest(`/data/events/${event.id}`, { cookie: worker.cookie }),
      { params: { eventId: String(event.id) } },
    );
    expect((page.data as { annotations: { outcome: string }[] }).annotations).toEqual([
      expect.objectContaining({ outcome: "Annotated: a colleague used the laptop at this time." }),
    ]);
  });

  test("nobody decides their own request", async () => {
    const reviewer = await person("REVIEWER");
    const id = await fileOk(reviewer, {
      kind: "OBJECTION",
      purposeKey: "ai-training",
      details: "No training on my data, please.",
    });
    // Their own request needs no purpose to open (not someone else's data), and offers no action.
    const own = await review(reviewer, id, null);
    expect(own.data).toMatchObject({ gate: null, own: true, canAct: false });
    const attempts: Record<string, string>[] = [
      { intent: "accept", outcome: "Accepting my own request." },
      { intent: "extend", months: "1", reason: "More time for myself." },
      { intent: "note", body: "A note on my own request." },
    ];
    for (const fields of attempts) {
      const res = await act(reviewer, id, { ...fields, purpose: "rights-request" });
      expect(res.status, fields.intent).toBe(403);
    }
    expect(await prisma.rightsRequest.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "OPEN",
      extendedAt: null,
    });
    // Another reviewer's note about it stays with staff: its subject does not read it.
    const colleague = await person("REVIEWER");
    const noted = await act(colleague, id, {
      intent: "note",
      body: "Check the training manifest.",
      purpose: "rights-request",
    });
    expect(noted.status).toBe(302);
    const theirs = await review(colleague, id, "rights-request");
    expect(theirs.data).toMatchObject({ notes: [{ body: "Check the training manifest." }] });
    const again = await review(reviewer, id, null);
    expect(again.data).toMatchObject({ own: true, notes: [] });
    expect(JSON.stringify(again.data)).not.toContain("training manifest");
  });
});
