import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { getAgentState } from "#app/models/agent-state.server.ts";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import { callStateStream } from "#test/state-stream-server.ts";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { loader as dataLoader } from "#app/routes/data._index.tsx";
import { action as ownAction, loader as ownLoader } from "#app/routes/exemptions.$exemptionId.tsx";
import { loader as listLoader } from "#app/routes/exemptions._index.tsx";
import { action as fileAction } from "#app/routes/exemptions.new.tsx";
import {
  action as reviewAction,
  loader as reviewLoader,
} from "#app/routes/review.exemptions.$exemptionId.tsx";
import { loader as queueLoader } from "#app/routes/review.exemptions._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { hashToken } from "#app/web/agent-http.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const H = 3_600_000;

async function person(role: "WORKER" | "REVIEWER" | "ADMIN" = "WORKER") {
  const user = await createUser({ role, timezone: "UTC" });
  return { user, cookie: await sessionCookieFor(user.id) };
}

/** "2026-11-27" and "09:05" for an instant, in UTC (the test people's zone). */
function local(ms: number) {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

function requestFields(overrides: Record<string, string> = {}) {
  const start = local(Date.now() + 2 * 60_000);
  const end = local(Date.now() + 4 * H);
  return {
    reason: "MEDICAL",
    justification: "Physiotherapy appointments after my knee surgery.",
    scope: "all",
    startDate: start.date,
    startTime: start.time,
    endDate: end.date,
    endTime: end.time,
    repeat: "once",
    ...overrides,
  };
}

async function file(cookie: string, overrides: Record<string, string> = {}) {
  return callRoute(
    fileAction,
    formRequest("/exemptions/new", requestFields(overrides), { cookie }),
  );
}

/** Posts the form with repeated fields (checkbox groups), as a browser does. */
function fileForm(cookie: string, form: URLSearchParams) {
  return callRoute(
    fileAction,
    new Request("http://127.0.0.1/exemptions/new", {
      method: "POST",
      body: form,
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );
}

/** Files a request and returns its id. */
async function filed(worker: { user: { id: string }; cookie: string }, overrides = {}) {
  const res = await file(worker.cookie, overrides);
  expect(res.status).toBe(302);
  const row = await prisma.exemptionRequest.findFirstOrThrow({
    where: { workerId: worker.user.id },
    orderBy: { createdAt: "desc" },
  });
  return row.id;
}

function review(cookie: string, id: string, fields: Record<string, string>) {
  return callRoute(reviewAction, formRequest(`/review/exemptions/${id}`, fields, { cookie }), {
    params: { exemptionId: id },
  });
}

/** The worker's withdraw or end, confirmed as the dialog (or the no-JS step) confirms it. */
function own(cookie: string, id: string, intent: string, confirmed = `${intent}-exemption:${id}`) {
  return callRoute(ownAction, formRequest(`/exemptions/${id}`, { intent, confirmed }, { cookie }), {
    params: { exemptionId: id },
  });
}

type Reply = { result?: { error?: Record<string, string[]> } };
const errorsOf = (data: unknown) => (data as Reply).result?.error ?? {};

async function status(id: string) {
  return (await prisma.exemptionRequest.findUniqueOrThrow({ where: { id } })).status;
}

describe("filing a request", () => {
  test("stores a pending request with its first history entry and an audit event", async () => {
    const worker = await person();
    const id = await filed(worker);
    const row = await prisma.exemptionRequest.findUniqueOrThrow({
      where: { id },
      include: { history: true },
    });
    expect(row).toMatchObject({ status: "PENDING", reason: "MEDICAL", scopeTypes: null });
    expect(row.history).toMatchObject([{ fromStatus: null, toStatus: "PENDING" }]);
    expect(
      await prisma.auditEvent.count({ where: { action: "exemption.request", targetId: id } }),
    ).toBe(1);
    const list = await callRoute(listLoader, getRequest("/exemptions", { cookie: worker.cookie }));
    expect(list.data).toMatchObject({ requests: [{ id, status: "PENDING" }] });
  });

  test("a weekly request for some kinds of data stores its days, window and scope", async () => {
    const worker = await person();
    const start = local(Date.now() + 60_000);
    const end = local(Date.now() + 30 * 24 * H);
    const form = new URLSearchParams(
      requestFields({
        scope: "types",
        repeat: "weekly",
        startDate: start.date,
        startTime: start.time,
        endDate: end.date,
        endTime: end.time,
        fromTime: "14:00",
        toTime: "16:00",
      }),
    );
    form.append("scopeTypes", "keystroke");
    form.append("scopeTypes", "click");
    form.append("days", "4");
    form.append("days", "2");
    expect((await fileForm(worker.cookie, form)).status).toBe(302);
    const row = await prisma.exemptionRequest.findFirstOrThrow({
      where: { workerId: worker.user.id, recurrenceDays: { not: null } },
    });
    expect(row).toMatchObject({
      scopeTypes: "keystroke,click",
      recurrenceDays: "2,4",
      recurrenceStart: "14:00",
      recurrenceEnd: "16:00",
      timeZone: "UTC",
    });
  });

  test("bad input is refused with errors on the fields, and nothing is stored", async () => {
    const worker = await person();
    const cases: [Record<string, string>, string][] = [
      [{ justification: "too short" }, "justification"],
      [{ reason: "BORED" }, "reason"],
      [{ endDate: local(Date.now() + 400 * 24 * H).date }, "endDate"],
      [{ startDate: local(Date.now() - 48 * H).date }, "startDate"],
      [{ repeat: "weekly" }, "days"],
      [{ scope: "types" }, "scopeTypes"],
      [{ startTime: "25:00" }, "startTime"],
    ];
    for (const [fields, field] of cases) {
      const res = await file(worker.cookie, fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(Object.keys(errorsOf(res.data)), JSON.stringify(fields)).toContain(field);
    }
    expect(await prisma.exemptionRequest.count({ where: { workerId: worker.user.id } })).toBe(0);
  });
});

describe("reviewing", () => {
  test("a worker cannot reach the review pages (403), not even by posting a decision", async () => {
    const worker = await person();
    const other = await person();
    const id = await filed(other);
    const queue = await callRoute(
      queueLoader,
      getRequest("/review/exemptions", { cookie: worker.cookie }),
    );
    expect(queue.status).toBe(403);
    const res = await review(worker.cookie, id, { intent: "approve" });
    expect(res.status).toBe(403);
    expect(await status(id)).toBe("PENDING");
  });

  test("the queue lists pending requests oldest first and filters by reason", async () => {
    const reviewer = await person("REVIEWER");
    const a = await person();
    const b = await person();
    const first = await filed(a, { reason: "LEGAL_OR_HR" });
    const second = await filed(b, { reason: "UNION_ACTIVITY" });
    const all = await callRoute(
      queueLoader,
      getRequest("/review/exemptions", { cookie: reviewer.cookie }),
    );
    const ids = (all.data as { rows: { id: string }[] }).rows.map((r) => r.id);
    expect(ids.indexOf(first)).toBeLessThan(ids.indexOf(second));
    const union = await callRoute(
      queueLoader,
      getRequest("/review/exemptions?reason=UNION_ACTIVITY", { cookie: reviewer.cookie }),
    );
    const unionIds = (union.data as { rows: { id: string }[] }).rows.map((r) => r.id);
    expect(unionIds).toContain(second);
    expect(unionIds).not.toContain(first);
  });

  test("approval: status, history, audit, notification, mail and a new state for the agents", async () => {
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const id = await filed(worker);
    const versionBefore = (await prisma.user.findUniqueOrThrow({ where: { id: worker.user.id } }))
      .stateVersion;
    const res = await review(reviewer.cookie, id, { intent: "approve", note: "Get well soon." });
    expect(res.status).toBe(302);
    const row = await prisma.exemptionRequest.findUniqueOrThrow({
      where: { id },
      include: { history: { orderBy: { at: "asc" } } },
    });
    expect(row).toMatchObject({
      status: "APPROVED",
      reviewerId: reviewer.user.id,
      decisionNote: "Get well soon.",
    });
    expect(row.history.at(-1)).toMatchObject({
      fromStatus: "PENDING",
      toStatus: "APPROVED",
      actorId: reviewer.user.id,
    });
    expect(
      await prisma.auditEvent.findFirst({
        where: { action: "exemption.approve", targetId: id, actorId: reviewer.user.id },
      }),
    ).toMatchObject({ subjectUserId: worker.user.id });
    const user = await prisma.user.findUniqueOrThrow({ where: { id: worker.user.id } });
    expect(user.stateVersion).toBe(versionBefore + 1);
    expect(await prisma.outboundEmail.findFirst({ where: { to: user.email } })).toMatchObject({
      subject: "Lull: Your exemption request was approved",
    });
    // The worker's home page shows the decision, unread, until they open the request.
    const home = await callRoute(homeLoader, getRequest("/", { cookie: worker.cookie }));
    expect(home.data).toMatchObject({ notifications: { unread: 1 } });
    await callRoute(ownLoader, getRequest(`/exemptions/${id}`, { cookie: worker.cookie }), {
      params: { exemptionId: id },
    });
    const after = await callRoute(homeLoader, getRequest("/", { cookie: worker.cookie }));
    expect(after.data).toMatchObject({ notifications: { unread: 0 } });
  });

  test("a denial needs a note: without one it is refused on the note field and nothing changes", async () => {
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const id = await filed(worker);
    const audits = await prisma.auditEvent.count({ where: { targetId: id } });
    const res = await review(reviewer.cookie, id, { intent: "deny", note: "   " });
    expect(res.status).toBe(400);
    expect(errorsOf(res.data)).toHaveProperty("note");
    expect(await status(id)).toBe("PENDING");
    expect(await prisma.auditEvent.count({ where: { targetId: id } })).toBe(audits);
    const ok = await review(reviewer.cookie, id, { intent: "deny", note: "Please use pauses." });
    expect(ok.status).toBe(302);
    expect(await status(id)).toBe("DENIED");
  });

  test("a reviewer can never decide their own request; the page says who can", async () => {
    const reviewer = await person("REVIEWER");
    const id = await filed(reviewer);
    const page = await callRoute(
      reviewLoader,
      getRequest(`/review/exemptions/${id}?purpose=exemption-review`, { cookie: reviewer.cookie }),
      { params: { exemptionId: id } },
    );
    expect(page.data).toMatchObject({ own: true, canDecide: false });
    const res = await review(reviewer.cookie, id, { intent: "approve" });
    expect(res.status).toBe(403);
    expect(await status(id)).toBe("PENDING");
  });

  test("forbidden moves are refused and change nothing", async () => {
    const reviewer = await person("ADMIN");
    const worker = await person();
    // Approving a withdrawn request.
    const withdrawn = await filed(worker);
    // Unconfirmed, withdrawing asks first and changes nothing.
    const asked = await own(worker.cookie, withdrawn, "withdraw", "");
    expect(asked.data).toEqual({ kind: "confirm", confirm: `withdraw-exemption:${withdrawn}` });
    expect(await status(withdrawn)).toBe("PENDING");
    expect((await own(worker.cookie, withdrawn, "withdraw")).status).toBe(302);
    // A move the request's status does not allow is a conflict (409), for reviewers and workers alike.
    const res = await review(reviewer.cookie, withdrawn, { intent: "approve" });
    expect(res.status).toBe(409);
    expect(await status(withdrawn)).toBe("WITHDRAWN");
    // Denying an approved one, revoking a pending one, withdrawing an approved one.
    const approved = await filed(worker);
    await review(reviewer.cookie, approved, { intent: "approve" });
    expect((await review(reviewer.cookie, approved, { intent: "deny", note: "x" })).status).toBe(
      409,
    );
    expect((await own(worker.cookie, approved, "withdraw")).status).toBe(409);
    const pending = await filed(worker);
    expect((await review(reviewer.cookie, pending, { intent: "revoke", note: "x" })).status).toBe(
      409,
    );
    expect(await status(approved)).toBe("APPROVED");
    expect(await status(pending)).toBe("PENDING");
  });

  // On PostgreSQL these run side by side on the pool's connections, as on several nodes: the
  // lock on the worker (ADR 0035) makes each read the status the one before it left.
  test("simultaneous decisions on one request: exactly one applies, once", async () => {
    const reviewers = await Promise.all([person("REVIEWER"), person("ADMIN")]);
    const worker = await person();
    const id = await filed(worker);
    const versionBefore = (await prisma.user.findUniqueOrThrow({ where: { id: worker.user.id } }))
      .stateVersion;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        if (i % 4 === 3) return own(worker.cookie, id, "withdraw");
        const { cookie } = reviewers[i % 2]!;
        return i % 4 === 2
          ? review(cookie, id, { intent: "deny", note: "Not covered." })
          : review(cookie, id, { intent: "approve" });
      }),
    );
    expect(results.filter((r) => r.status === 302)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(39);
    const row = await prisma.exemptionRequest.findUniqueOrThrow({
      where: { id },
      include: { history: true },
    });
    expect(row.status).not.toBe("PENDING");
    expect(row.history.map((h) => h.toStatus).sort()).toEqual(["PENDING", row.status].sort());
    expect(
      await prisma.auditEvent.count({
        where: {
          targetId: id,
          action: { in: ["exemption.approve", "exemption.deny", "exemption.withdraw"] },
        },
      }),
    ).toBe(1);
    const after = (await prisma.user.findUniqueOrThrow({ where: { id: worker.user.id } }))
      .stateVersion;
    // Approving and withdrawing move the worker's state once; denying does not move it.
    expect(after).toBe(row.status === "DENIED" ? versionBefore : versionBefore + 1);
  });

  test("simultaneous ends of one approved exemption: one ends it, the rest are refused", async () => {
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const id = await filed(worker);
    expect((await review(reviewer.cookie, id, { intent: "approve" })).status).toBe(302);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? own(worker.cookie, id, "end")
          : review(reviewer.cookie, id, { intent: "revoke", note: "Project ended." }),
      ),
    );
    expect(results.filter((r) => r.status === 302)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(29);
    const row = await prisma.exemptionRequest.findUniqueOrThrow({
      where: { id },
      include: { history: true },
    });
    expect(row.history).toHaveLength(3);
    expect(
      await prisma.auditEvent.count({
        where: { targetId: id, action: { in: ["exemption.end", "exemption.revoke"] } },
      }),
    ).toBe(1);
  });

  test("every decision and change is audited with the worker as subject", async () => {
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const a = await filed(worker);
    const b = await filed(worker);
    const c = await filed(worker);
    const d = await filed(worker);
    await review(reviewer.cookie, a, { intent: "approve" });
    await review(reviewer.cookie, a, { intent: "revoke", note: "Project ended." });
    await review(reviewer.cookie, b, { intent: "deny", note: "Not covered." });
    await own(worker.cookie, c, "withdraw");
    await review(reviewer.cookie, d, { intent: "approve" });
    await own(worker.cookie, d, "end");
    const actions = (
      await prisma.auditEvent.findMany({
        where: { subjectUserId: worker.user.id, action: { startsWith: "exemption." } },
        orderBy: { at: "asc" },
      })
    ).map((e) => e.action);
    for (const action of [
      "exemption.approve",
      "exemption.revoke",
      "exemption.deny",
      "exemption.withdraw",
      "exemption.end",
    ]) {
      expect(actions).toContain(action);
    }
    expect(await status(a)).toBe("REVOKED");
    expect(await status(d)).toBe("EXPIRED");
  });
});

describe("a worker's own requests", () => {
  test("another worker's request is 404 to read and to change", async () => {
    const owner = await person();
    const stranger = await person();
    const id = await filed(owner);
    const read = await callRoute(
      ownLoader,
      getRequest(`/exemptions/${id}`, { cookie: stranger.cookie }),
      { params: { exemptionId: id } },
    );
    expect(read.status).toBe(404);
    expect((await own(stranger.cookie, id, "withdraw")).status).toBe(404);
    expect((await own(stranger.cookie, id, "withdraw", "")).status).toBe(404);
    expect(await status(id)).toBe("PENDING");
  });

  test("a request whose end passed reads as expired, with no job having run", async () => {
    const worker = await person();
    const row = await prisma.exemptionRequest.create({
      data: {
        workerId: worker.user.id,
        reason: "OTHER",
        justification: "An old request that nobody decided in time.",
        startsAt: new Date(Date.now() - 3 * H),
        endsAt: new Date(Date.now() - H),
        timeZone: "UTC",
        createdAt: new Date(Date.now() - 4 * H),
      },
    });
    const page = await callRoute(
      ownLoader,
      getRequest(`/exemptions/${row.id}`, { cookie: worker.cookie }),
      { params: { exemptionId: row.id } },
    );
    expect(page.data).toMatchObject({ exemption: { status: "EXPIRED" }, canWithdraw: false });
    expect((page.data as { timeline: { label: string }[] }).timeline.at(-1)!.label).toBe("Expired");
  });
});

describe("access log", () => {
  test("a reviewer opening a request and deciding it shows in the worker's access log; the worker's own visits do not", async () => {
    const reviewer = await person("REVIEWER");
    const worker = await person();
    const id = await filed(worker);
    await callRoute(ownLoader, getRequest(`/exemptions/${id}`, { cookie: worker.cookie }), {
      params: { exemptionId: id },
    });
    await callRoute(
      reviewLoader,
      getRequest(`/review/exemptions/${id}?purpose=exemption-review`, { cookie: reviewer.cookie }),
      { params: { exemptionId: id } },
    );
    await review(reviewer.cookie, id, { intent: "approve" });
    const log = await callRoute(
      accessLoader,
      getRequest("/data/access", { cookie: worker.cookie }),
    );
    // The access log (others' accesses); the worker's own request is in their own actions.
    const entries = JSON.stringify((log.data as { events: unknown }).events);
    expect(entries).toContain("Viewed an exemption request");
    expect(entries).toContain("Approved an exemption request");
    expect(entries).not.toContain("Asked for an exemption");
  });
});

describe("effect on the agents", () => {
  async function approvedFor(
    worker: { user: { id: string }; cookie: string },
    overrides: Record<string, string> = {},
  ) {
    const reviewer = await person("REVIEWER");
    const id = await filed(worker, overrides);
    // Start it now (the form's start is a minute or two ahead).
    await prisma.exemptionRequest.update({
      where: { id },
      data: { startsAt: new Date(Date.now() - 10 * 60_000) },
    });
    return { id, approve: () => review(reviewer.cookie, id, { intent: "approve" }) };
  }

  test("approval pushes collecting: false, reason exempt to a connected agent", async () => {
    const worker = await person();
    const token = randomUUID();
    await prisma.device.create({
      data: {
        workerId: worker.user.id,
        name: "Laptop",
        platform: "linux",
        agentVersion: "1",
        tokenHash: hashToken(token),
      },
    });
    const { approve } = await approvedFor(worker);
    const controller = new AbortController();
    const res = await callStateStream(
      new Request("http://127.0.0.1/api/agent/v1/state/stream", {
        headers: { Authorization: `Bearer ${token}` },
        signal: controller.signal,
      }),
    );
    const reader = (res as Response).body!.getReader();
    const decoder = new TextDecoder();
    // No deadline of its own: the test's timeout (20 s) is shorter than the stream's heartbeat
    // (60 s) and the outbox's retry (30 s), so an event read here was sent on connect or on a push.
    const next = async () => {
      let text = "";
      while (!text.includes("\n\n")) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error("stream closed");
        text += decoder.decode(chunk.value);
      }
      return {
        id: /^id: (\d+)$/m.exec(text)![1]!,
        ...(JSON.parse(text.split("data: ")[1]!.split("\n")[0]!) as {
          collecting: boolean;
          reason: string;
          windows: { kind: string }[];
        }),
      };
    };
    const first = await next();
    expect(first).toMatchObject({ collecting: true });
    await approve();
    // Causal, not timed: the push left at commit (no state change waits in the outbox for its
    // retry), and the event carries the state version the approval moved to.
    expect(await prisma.outboxMessage.count({ where: { kind: "state.changed" } })).toBe(0);
    const pushed = await next();
    const { stateVersion } = await prisma.user.findUniqueOrThrow({ where: { id: worker.user.id } });
    expect(pushed.id).toBe(String(stateVersion));
    expect(Number(pushed.id)).toBeGreaterThan(Number(first.id));
    expect(pushed).toMatchObject({ collecting: false, reason: "exempt" });
    expect(pushed.windows.map((w) => w.kind)).toContain("exemption");
    controller.abort();
  });

  test("events inside an approved exemption are discarded at ingestion and counted", async () => {
    const worker = await person();
    const device = await createDevice(worker.user.id);
    const { approve } = await approvedFor(worker);
    await approve();
    const now = new Date();
    const result = await ingestBatch(
      { id: device.id, workerId: worker.user.id },
      {
        batchId: randomUUID(),
        events: [
          {
            type: "keystroke",
            at: new Date(now.getTime() - 5 * 60_000).toISOString(),
            app: "Editor",
            data: {},
          },
          {
            type: "click",
            at: new Date(now.getTime() - 60_000).toISOString(),
            app: "Editor",
            data: {},
          },
          {
            type: "click",
            at: new Date(now.getTime() - 2 * H).toISOString(),
            app: "Editor",
            data: {},
          },
        ],
      },
      now,
    );
    expect(result).toMatchObject({ stored: 1, discardedExempt: 2, discardedPaused: 0 });
    expect(await prisma.device.findUniqueOrThrow({ where: { id: device.id } })).toMatchObject({
      discardedExempt: 2,
      storedEvents: 1,
    });
  });

  test("an exemption for keystrokes only discards keystrokes; agents keep collecting the rest", async () => {
    const worker = await person();
    const device = await createDevice(worker.user.id);
    const form = new URLSearchParams(requestFields({ scope: "types" }));
    form.append("scopeTypes", "keystroke");
    expect((await fileForm(worker.cookie, form)).status).toBe(302);
    const row = await prisma.exemptionRequest.findFirstOrThrow({
      where: { workerId: worker.user.id },
    });
    await prisma.exemptionRequest.update({
      where: { id: row.id },
      data: { startsAt: new Date(Date.now() - 10 * 60_000) },
    });
    const reviewer = await person("REVIEWER");
    await review(reviewer.cookie, row.id, { intent: "approve" });
    const now = new Date();
    const state = await getAgentState(worker.user.id, now);
    expect(state).toMatchObject({ collecting: true, exemptTypes: ["keystroke"] });
    expect(state!.windows).toMatchObject([{ kind: "exemption", scope: ["keystroke"] }]);
    const at = new Date(now.getTime() - 60_000).toISOString();
    const result = await ingestBatch(
      { id: device.id, workerId: worker.user.id },
      {
        batchId: randomUUID(),
        events: [
          { type: "keystroke", at, app: "Editor", data: {} },
          { type: "click", at, app: "Editor", data: {} },
        ],
      },
      now,
    );
    expect(result).toMatchObject({ stored: 1, discardedExempt: 1 });
  });

  test("revoking and ending early give collection back, and push a new version", async () => {
    const worker = await person();
    const { id, approve } = await approvedFor(worker);
    await approve();
    expect(await getAgentState(worker.user.id, new Date())).toMatchObject({ collecting: false });
    const reviewer = await person("REVIEWER");
    await review(reviewer.cookie, id, { intent: "revoke", note: "Project finished." });
    const after = await getAgentState(worker.user.id, new Date());
    expect(after).toMatchObject({ collecting: true, windows: [] });

    const second = await approvedFor(worker);
    await second.approve();
    expect(await getAgentState(worker.user.id, new Date())).toMatchObject({ collecting: false });
    expect((await own(worker.cookie, second.id, "end")).status).toBe(302);
    expect(await getAgentState(worker.user.id, new Date())).toMatchObject({ collecting: true });
  });

  test("the data overview shades an approved exemption next to pauses, and a pending one not", async () => {
    const worker = await person();
    const { approve } = await approvedFor(worker);
    await filed(worker, { reason: "OTHER" });
    await approve();
    const res = await callRoute(
      dataLoader,
      getRequest("/data?period=today", { cookie: worker.cookie }),
    );
    const series = (
      res.data as {
        series: { windows: { kind: string }[]; windowLabels: string[] };
      }
    ).series;
    expect(series.windows).toHaveLength(1);
    expect(series.windows[0]).toMatchObject({ kind: "exemption" });
    expect(series.windowLabels).toHaveLength(1);
    expect(series.windowLabels[0]).toMatch(/^Exempt .*\(all collection\)$/);
  });
});
