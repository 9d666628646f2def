/**
 * The reviewer's flow (issue 16, item 10): times in the worker's zone with the
 * reviewer's beside them, "…and next", and the "Decided" tab.
 */
import { beforeEach, describe, expect, test } from "vitest";
import type { ExemptionReason, ExemptionStatus } from "#app/domain/exemption.ts";
import {
  action as reviewAction,
  loader as reviewLoader,
} from "#app/routes/review.exemptions.$exemptionId.tsx";
import { loader as queueLoader } from "#app/routes/review.exemptions._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { takeToast } from "#app/utils/toast.server.ts";
import { cookieHeaderFrom, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const H = 3_600_000;
const DAY = 24 * H;

async function person(
  role: "WORKER" | "REVIEWER" | "ADMIN" = "WORKER",
  timezone = "UTC",
  name = "Test Person",
) {
  const user = await createUser({ role, timezone, name });
  return { user, cookie: await sessionCookieFor(user.id) };
}

/** A request filed `filedAgo` ms ago, in the worker's zone; pending unless `status` says otherwise. */
async function request(
  workerId: string,
  {
    filedAgo = H,
    startsIn = DAY,
    endsIn = 2 * DAY,
    timeZone = "UTC",
    status = "PENDING" as ExemptionStatus,
    reason = "MEDICAL" as ExemptionReason,
    decided = null as { by: string; at: Date } | null,
  } = {},
) {
  const now = Date.now();
  const createdAt = new Date(now - filedAgo);
  const row = await prisma.exemptionRequest.create({
    data: {
      workerId,
      reason,
      justification: "Physiotherapy appointments after my knee surgery.",
      startsAt: new Date(now + startsIn),
      endsAt: new Date(now + endsIn),
      timeZone,
      createdAt,
      status,
      ...(decided ? { reviewerId: decided.by, decidedAt: decided.at } : {}),
      history: { create: { toStatus: "PENDING", actorId: workerId, at: createdAt } },
    },
  });
  return row.id;
}

/** Nothing from an earlier test waits in the queue (the file has one database). */
beforeEach(async () => {
  await prisma.exemptionRequest.updateMany({
    where: { status: "PENDING" },
    data: { status: "WITHDRAWN" },
  });
});

function decide(cookie: string, id: string, fields: Record<string, string>) {
  return callRoute(reviewAction, formRequest(`/review/exemptions/${id}`, fields, { cookie }), {
    params: { exemptionId: id },
  });
}

async function toastOf(res: { headers: Headers }) {
  const setCookie = res.headers.get("Set-Cookie");
  expect(setCookie).toMatch(/lull_toast/);
  const { toast } = await takeToast(
    new Request("http://127.0.0.1/", { headers: { Cookie: cookieHeaderFrom(setCookie!) } }),
  );
  return toast;
}

async function status(id: string) {
  return (await prisma.exemptionRequest.findUniqueOrThrow({ where: { id } })).status;
}

describe("times in the worker's zone, the reviewer's beside them", () => {
  test("the queue and the request page name the worker's zone, with the reviewer's clock on its own line", async () => {
    const reviewer = await person("REVIEWER", "America/Sao_Paulo");
    const worker = await person("WORKER", "Europe/Berlin", "Berlin Worker");
    const id = await request(worker.user.id, { timeZone: "Europe/Berlin" });
    const queue = await callRoute(
      queueLoader,
      getRequest("/review/exemptions", { cookie: reviewer.cookie }),
    );
    type Row = {
      id: string;
      period: string;
      periodYours: string;
      filed: string;
      filedYours: string;
    };
    const row = (queue.data as { rows: Row[] }).rows.find((r) => r.id === id)!;
    expect(row.period).toMatch(/^\w{3} \d{1,2} \w{3}, \d\d:\d\d.*\(Europe\/Berlin\)$/);
    expect(row.period).not.toMatch(/Sao_Paulo|GMT/);
    expect(row.periodYours).toMatch(/ your time, America\/Sao_Paulo$/);
    expect(row.periodYours).not.toContain("Berlin");
    expect(row.filed).toMatch(/\(Europe\/Berlin\)$/);
    expect(row.filedYours).toMatch(/your time, America\/Sao_Paulo$/);

    const page = await callRoute(
      reviewLoader,
      getRequest(`/review/exemptions/${id}?purpose=exemption-review`, { cookie: reviewer.cookie }),
      { params: { exemptionId: id } },
    );
    const data = page.data as {
      exemption: Row;
      requestZone: string;
      timeline: { when: string; whenYours: string | null }[];
    };
    expect(data.requestZone).toBe("Europe/Berlin");
    expect(data.exemption.period).toBe(row.period);
    expect(data.exemption.periodYours).toBe(row.periodYours);
    expect(data.timeline[0]!.when).toMatch(/\(Europe\/Berlin\)$/);
    expect(data.timeline[0]!.whenYours).toMatch(/your time, America\/Sao_Paulo$/);
  });

  test("a reviewer in the worker's zone sees one line", async () => {
    const reviewer = await person("REVIEWER", "Europe/Berlin");
    const worker = await person("WORKER", "Europe/Berlin");
    const id = await request(worker.user.id, { timeZone: "Europe/Berlin" });
    const page = await callRoute(
      reviewLoader,
      getRequest(`/review/exemptions/${id}?purpose=exemption-review`, { cookie: reviewer.cookie }),
      { params: { exemptionId: id } },
    );
    expect(page.data).toMatchObject({
      exemption: { period: expect.stringMatching(/\(Europe\/Berlin\)$/), periodYours: null },
    });
  });
});

describe("…and next", () => {
  test("goes to the next request in queue order, skipping the reviewer's own and run-out ones, then back to the queue when none is left", async () => {
    const reviewer = await person("REVIEWER");
    const [w1, w2, w3, w4] = await Promise.all([person(), person(), person(), person()]);
    const oldest = await request(w1.user.id, { filedAgo: 5 * DAY });
    const own = await request(reviewer.user.id, { filedAgo: 4 * DAY });
    const middle = await request(w2.user.id, { filedAgo: 3 * DAY });
    await request(w4.user.id, { filedAgo: 2.5 * DAY, startsIn: -2 * H, endsIn: -H }); // ran out
    const newest = await request(w3.user.id, { filedAgo: 2 * DAY });

    // From the middle of the queue: on to the next one after it.
    const first = await decide(reviewer.cookie, middle, { intent: "approve-next" });
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe(`/review/exemptions/${newest}`);
    expect(await toastOf(first)).toMatchObject({
      kind: "success",
      message: expect.stringMatching(/^Request approved\./),
    });
    expect(await status(middle)).toBe("APPROVED");

    // From the end: round to the oldest still waiting (past the reviewer's own).
    const second = await decide(reviewer.cookie, newest, {
      intent: "deny-next",
      note: "Please use pauses for this.",
    });
    expect(second.headers.get("Location")).toBe(`/review/exemptions/${oldest}`);
    expect(await status(newest)).toBe("DENIED");

    // The last one the reviewer may decide: back to the queue, which says so.
    const last = await decide(reviewer.cookie, oldest, { intent: "approve-next" });
    expect(last.status).toBe(302);
    expect(last.headers.get("Location")).toBe("/review/exemptions");
    expect((await toastOf(last))?.message).toMatch(/Queue is empty/);
    expect(await status(oldest)).toBe("APPROVED");
    expect(await status(own)).toBe("PENDING");
  });

  test("an admin is taken to a reviewer's own request, which the reviewer skipped", async () => {
    const admin = await person("ADMIN");
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const first = await request(worker.user.id, { filedAgo: 2 * DAY });
    const reviewersOwn = await request(reviewer.user.id, { filedAgo: DAY });
    const res = await decide(admin.cookie, first, { intent: "approve-next" });
    expect(res.headers.get("Location")).toBe(`/review/exemptions/${reviewersOwn}`);
  });

  test("decides exactly as the plain button: status, history, audit, notification, mail, agents' state", async () => {
    const reviewer = await person("REVIEWER");
    const plainWorker = await person();
    const nextWorker = await person();
    const plain = await request(plainWorker.user.id, { filedAgo: 2 * DAY });
    const withNext = await request(nextWorker.user.id, { filedAgo: DAY });
    expect(
      (await decide(reviewer.cookie, plain, { intent: "approve", note: "Fine." })).status,
    ).toBe(302);
    expect(
      (await decide(reviewer.cookie, withNext, { intent: "approve-next", note: "Fine." })).status,
    ).toBe(302);

    async function effects(id: string, workerId: string) {
      const row = await prisma.exemptionRequest.findUniqueOrThrow({
        where: { id },
        include: { history: { orderBy: { at: "asc" } } },
      });
      const worker = await prisma.user.findUniqueOrThrow({ where: { id: workerId } });
      return {
        row: {
          status: row.status,
          reviewerId: row.reviewerId,
          decisionNote: row.decisionNote,
          decided: row.decidedAt !== null,
        },
        history: row.history.map((h) => [
          h.fromStatus,
          h.toStatus,
          h.actorId === workerId ? "the worker" : h.actorId,
          h.note,
        ]),
        audit: (
          await prisma.auditEvent.findMany({
            where: { targetId: id },
            orderBy: { at: "asc" },
          })
        ).map((a) => [a.action, a.actorId, a.subjectUserId === workerId, a.metadata]),
        notifications: (await prisma.notification.findMany({ where: { userId: workerId } })).map(
          (n) => [n.title, n.body, n.href?.replace(id, "ID")],
        ),
        mail: (await prisma.outboundEmail.findMany({ where: { to: worker.email } })).map(
          (m) => m.subject,
        ),
        stateVersion: worker.stateVersion,
      };
    }
    const a = await effects(plain, plainWorker.user.id);
    const b = await effects(withNext, nextWorker.user.id);
    expect(b).toEqual(a);
    expect(a.audit.map(([action]) => action)).toEqual(["exemption.approve"]);
    expect(a.mail).toEqual(["Lull: Your exemption request was approved"]);
  });

  test("a refused decision goes nowhere and changes nothing", async () => {
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const id = await request(worker.user.id, { filedAgo: 2 * DAY });
    await request((await person()).user.id, { filedAgo: DAY });
    const noNote = await decide(reviewer.cookie, id, { intent: "deny-next" });
    expect(noNote.status).toBe(400);
    expect(noNote.headers.get("Location")).toBeNull();
    expect(await status(id)).toBe("PENDING");
    // The reviewer's own request: refused (403) however the button is worded.
    const own = await request(reviewer.user.id);
    const mine = await decide(reviewer.cookie, own, { intent: "approve-next" });
    expect(mine.status).toBe(403);
    expect(await status(own)).toBe("PENDING");
    expect(await prisma.auditEvent.count({ where: { targetId: { in: [id, own] } } })).toBe(0);
  });
});

describe("the Decided tab", () => {
  type Decided = {
    id: string;
    decision: string;
    decisionLabel: string;
    decidedBy: string;
    decidedAt: string;
    decidedAtYours: string | null;
  };

  test("lists decided requests, latest decision first, with the decision, who and when, paginated", async () => {
    const reviewer = await person("REVIEWER", "America/Sao_Paulo", "Rita Reviewer");
    const worker = await person("WORKER", "Europe/Berlin");
    const now = Date.now();
    // Only this test files confidential-work requests: the filter keeps out other tests' decisions.
    const reason = "CONFIDENTIAL_WORK";
    const pending = await request(worker.user.id, { reason });
    const withdrawn = await request(worker.user.id, { reason, status: "WITHDRAWN" });
    // 26 decisions, one a minute; the latest an approval the worker later ended early.
    const ids: string[] = [];
    for (let i = 0; i < 26; i++) {
      ids.push(
        await request(worker.user.id, {
          reason,
          timeZone: "Europe/Berlin",
          status: i === 25 ? "EXPIRED" : i % 2 === 0 ? "DENIED" : "APPROVED",
          decided: { by: reviewer.user.id, at: new Date(now - (26 - i) * 60_000) },
        }),
      );
    }
    const page1 = await callRoute(
      queueLoader,
      getRequest(`/review/exemptions?tab=decided&reason=${reason}`, { cookie: reviewer.cookie }),
    );
    const data = page1.data as {
      search: { tab: string };
      rows: unknown[];
      decided: Decided[];
      pageCount: number;
      total: number;
    };
    expect(data.search.tab).toBe("decided");
    expect(data.rows).toEqual([]);
    const listed = data.decided.map((d) => d.id);
    expect(listed).toEqual(ids.slice().reverse().slice(0, 25));
    expect(listed).not.toContain(pending);
    expect(listed).not.toContain(withdrawn);
    expect(data.decided[0]).toMatchObject({
      decision: "APPROVED",
      decisionLabel: "Approved",
      decidedBy: "Rita Reviewer",
      decidedAt: expect.stringMatching(/\(Europe\/Berlin\)$/),
      decidedAtYours: expect.stringMatching(/your time, America\/Sao_Paulo$/),
    });
    expect(data.decided[1]).toMatchObject({ decision: "DENIED", decisionLabel: "Denied" });
    expect(data.pageCount).toBe(2);
    const page2 = await callRoute(
      queueLoader,
      getRequest(`/review/exemptions?tab=decided&reason=${reason}&page=2`, {
        cookie: reviewer.cookie,
      }),
    );
    expect((page2.data as { decided: Decided[] }).decided.map((d) => d.id)).toEqual([ids[0]]);
  });

  test("'To decide' is the default, and an unknown tab falls back to it", async () => {
    const reviewer = await person("REVIEWER");
    const id = await request((await person()).user.id);
    for (const url of ["/review/exemptions", "/review/exemptions?tab=nonsense"]) {
      const res = await callRoute(queueLoader, getRequest(url, { cookie: reviewer.cookie }));
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({ search: { tab: "decide" }, decided: [] });
      expect((res.data as { rows: { id: string }[] }).rows.map((r) => r.id)).toContain(id);
    }
  });

  test("listing is not recorded per worker, as the queue is not; opening a decided request is", async () => {
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const id = await request(worker.user.id, {
      status: "DENIED",
      decided: { by: reviewer.user.id, at: new Date() },
    });
    const before = await prisma.auditEvent.count();
    for (const url of ["/review/exemptions", "/review/exemptions?tab=decided"]) {
      expect(
        (await callRoute(queueLoader, getRequest(url, { cookie: reviewer.cookie }))).status,
      ).toBe(200);
    }
    expect(await prisma.auditEvent.count()).toBe(before);
    await callRoute(
      reviewLoader,
      getRequest(`/review/exemptions/${id}?purpose=exemption-review`, { cookie: reviewer.cookie }),
      { params: { exemptionId: id } },
    );
    expect(
      await prisma.auditEvent.findMany({ where: { targetId: id }, select: { action: true } }),
    ).toEqual([{ action: "exemption.view" }]);
  });

  test("a worker cannot see the Decided tab", async () => {
    const worker = await person();
    const res = await callRoute(
      queueLoader,
      getRequest("/review/exemptions?tab=decided", { cookie: worker.cookie }),
    );
    expect(res.status).toBe(403);
  });
});
