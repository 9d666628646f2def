import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import type { AgentState, EventBatchResult } from "#app/agent-protocol/v1.ts";
import { createEnrollmentCode, revokeDevice } from "#app/models/device.server.ts";
import { createPause } from "#app/models/pause.server.ts";
import { action as enrollAction } from "#app/routes/api.agent.v1.enroll.ts";
import { action as eventsAction } from "#app/routes/api.agent.v1.events.ts";
import { loader as stateLoader } from "#app/routes/api.agent.v1.state.ts";
import { callStateStream } from "#test/state-stream-server.ts";
import { flushDevicesSeen } from "#app/web/device-seen.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { enrollThroughApi } from "#test/agent-enrollment.ts";
import { TEST_CONTEXT, callRoute } from "#test/route-harness.ts";

const BASE = "http://127.0.0.1/api/agent/v1";

function enrollRequest(body: unknown) {
  return new Request(`${BASE}/enroll`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

const enrolledDevice = enrollThroughApi;

function stateRequest(
  token: string,
  { query = "", headers = {} }: { query?: string; headers?: Record<string, string> } = {},
) {
  return new Request(`${BASE}/state${query}`, {
    headers: { Authorization: `Bearer ${token}`, ...headers },
  });
}

function eventsRequest(token: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return new Request(`${BASE}/events`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : new Blob([new Uint8Array(body)]),
  });
}

function events(count: number, at: (i: number) => Date) {
  return Array.from({ length: count }, (_, i) => ({
    type: (["keystroke", "click", "scroll", "app_focus"] as const)[i % 4],
    at: at(i).toISOString(),
    app: i % 2 ? "Editor" : "Browser",
    data: { n: i },
  }));
}

describe("POST /enroll", () => {
  test("a valid code gives a device and a token once; only the token's hash is stored", async () => {
    const { worker, deviceId, token } = await enrolledDevice();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const device = await prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device.workerId).toBe(worker.id);
    expect(device.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(device.tokenHash).not.toContain(token);
    expect(
      await prisma.auditEvent.count({
        where: { subjectUserId: worker.id, action: "device.enroll" },
      }),
    ).toBe(1);
  });

  test("a used, expired or wrong code is refused with 400 invalid_code", async () => {
    const worker = await createUser();
    const { code } = await createEnrollmentCode(worker.id, new Date());
    const body = { code, deviceName: "A", platform: "linux", agentVersion: "1" };
    expect((await callRoute(enrollAction, enrollRequest(body))).status).toBe(201);
    const reused = await callRoute(enrollAction, enrollRequest(body));
    expect(reused.status).toBe(400);
    expect(reused.data).toMatchObject({ error: { code: "invalid_code" } });

    const old = await createEnrollmentCode(worker.id, new Date(Date.now() - 16 * 60_000));
    expect(
      (await callRoute(enrollAction, enrollRequest({ ...body, code: old.code }))).data,
    ).toMatchObject({ error: { code: "invalid_code" } });
    expect(
      (await callRoute(enrollAction, enrollRequest({ ...body, code: "ZZZZ-ZZZZ" }))).status,
    ).toBe(400);
    expect(await prisma.device.count({ where: { workerId: worker.id } })).toBe(1);
  });

  test("a malformed body names the fields", async () => {
    const res = await callRoute(enrollAction, enrollRequest({ code: "x", platform: "amiga" }));
    expect(res.status).toBe(400);
    const issues = (res.data as { error: { code: string; issues: { path: string }[] } }).error;
    expect(issues.code).toBe("invalid_request");
    expect(issues.issues.map((i) => i.path).sort()).toEqual([
      "agentVersion",
      "code",
      "deviceName",
      "platform",
    ]);
  });

  test("too many attempts from one address get 429 with Retry-After", async () => {
    const context = { ...TEST_CONTEXT, clientIp: "203.0.113.99" };
    let last;
    for (let i = 0; i < 11; i++) {
      last = await callRoute(
        enrollAction,
        enrollRequest({ code: "AAAA-AAAA", deviceName: "x", platform: "linux", agentVersion: "1" }),
        { context },
      );
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

describe("POST /enroll from one office address", () => {
  test("successful enrollments are not limited, only failed ones", async () => {
    const worker = await createUser();
    const context = { ...TEST_CONTEXT, clientIp: "198.51.100.200" };
    for (let i = 0; i < 12; i++) {
      const { code } = await createEnrollmentCode(worker.id, new Date());
      const res = await callRoute(
        enrollAction,
        enrollRequest({ code, deviceName: `PC ${i}`, platform: "windows", agentVersion: "1" }),
        { context },
      );
      expect(res.status).toBe(201);
    }
  });
});

describe("GET /state", () => {
  test("returns the state with an ETag, then 304 for the same version", async () => {
    const { token, deviceId } = await enrolledDevice();
    const res = await callRoute(stateLoader, stateRequest(token));
    expect(res.status).toBe(200);
    const state = res.data as AgentState;
    expect(state).toMatchObject({ collecting: true, reason: "active", windows: [] });
    expect(res.headers.get("ETag")).toBe(`"${state.stateVersion}"`);
    const again = await callRoute(
      stateLoader,
      stateRequest(token, { headers: { "If-None-Match": `"${state.stateVersion}"` } }),
    );
    expect(again.status).toBe(304);
    expect(again.data).toBe("");
    await flushDevicesSeen();
    const device = await prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device.lastSeenAt).not.toBeNull();
    expect(device.lastStateVersion).toBe(Number(state.stateVersion));
  });

  test("a pause changes the version and shows as a window, collecting false", async () => {
    const { token, worker } = await enrolledDevice();
    const before = (await callRoute(stateLoader, stateRequest(token))).data as AgentState;
    await createPause({
      workerId: worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 20 },
      now: new Date(),
    });
    const res = await callRoute(
      stateLoader,
      stateRequest(token, { headers: { "If-None-Match": `"${before.stateVersion}"` } }),
    );
    expect(res.status).toBe(200);
    const state = res.data as AgentState;
    expect(state.stateVersion).not.toBe(before.stateVersion);
    expect(state).toMatchObject({ collecting: false, reason: "paused" });
    expect(state.windows).toHaveLength(1);
    // On the server's own clock, not against the test's: valid for at least a day.
    expect(Date.parse(state.validUntil) - Date.parse(state.serverTime)).toBeGreaterThanOrEqual(
      24 * 3600_000,
    );
  });

  test("long-poll answers as soon as the state changes", async () => {
    const { token, worker } = await enrolledDevice();
    const first = (await callRoute(stateLoader, stateRequest(token))).data as AgentState;
    // No head start: the handler subscribes before it reads, so the pause may land at any point.
    const waiting = callRoute(
      stateLoader,
      stateRequest(token, {
        query: "?wait=30",
        headers: { "If-None-Match": `"${first.stateVersion}"` },
      }),
    );
    await createPause({
      workerId: worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 10 },
      now: new Date(),
    });
    // A 30 s wait longer than the test's own timeout: answering at all means answering on the change.
    const res = await waiting;
    expect(res.status).toBe(200);
    expect((res.data as AgentState).collecting).toBe(false);
  });

  test("long-poll answers 304 when nothing changed in time; a bad wait is 400", async () => {
    const { token } = await enrolledDevice();
    const first = (await callRoute(stateLoader, stateRequest(token))).data as AgentState;
    const res = await callRoute(
      stateLoader,
      stateRequest(token, {
        query: "?wait=1",
        headers: { "If-None-Match": `"${first.stateVersion}"` },
      }),
    );
    expect(res.status).toBe(304);
    expect((await callRoute(stateLoader, stateRequest(token, { query: "?wait=61" }))).status).toBe(
      400,
    );
  });

  test("a missing, unknown or revoked token is 401", async () => {
    const { token, worker, deviceId } = await enrolledDevice();
    expect((await callRoute(stateLoader, new Request(`${BASE}/state`))).status).toBe(401);
    expect((await callRoute(stateLoader, stateRequest("A".repeat(43)))).status).toBe(401);
    await revokeDevice({ workerId: worker.id, deviceId, now: new Date() });
    const res = await callRoute(stateLoader, stateRequest(token));
    expect(res.status).toBe(401);
    expect(res.data).toMatchObject({ error: { code: "unauthorized" } });
  });

  test("worker A's token never yields worker B's state", async () => {
    const a = await enrolledDevice();
    const b = await enrolledDevice();
    await createPause({
      workerId: b.worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 30 },
      now: new Date(),
    });
    const stateA = (await callRoute(stateLoader, stateRequest(a.token))).data as AgentState;
    const stateB = (await callRoute(stateLoader, stateRequest(b.token))).data as AgentState;
    expect(stateA.collecting).toBe(true);
    expect(stateA.windows).toEqual([]);
    expect(stateB.collecting).toBe(false);
  });

  test("more than 120 requests a minute from one device get 429 with Retry-After", async () => {
    const { token } = await enrolledDevice();
    let last;
    for (let i = 0; i < 121; i++) last = await callRoute(stateLoader, stateRequest(token));
    expect(last!.status).toBe(429);
    expect(last!.headers.get("Retry-After")).toMatch(/^\d+$/);
  });
});

describe("GET /state/stream", () => {
  /**
   * The next event's text. No deadline of its own: the test's timeout (20 s) bounds the wait,
   * and it is shorter than the stream's heartbeat (60 s) and the outbox's retry (30 s), so an
   * event read here was sent on connect or on a push, never because time passed.
   */
  async function readEvent(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error("stream closed");
      text += decoder.decode(chunk.value);
    }
    return text;
  }

  function parseEvent(text: string): { id: string; state: AgentState } {
    return {
      id: /^id: (\d+)$/m.exec(text)![1]!,
      state: JSON.parse(text.split("data: ")[1]!) as AgentState,
    };
  }

  async function stateVersionOf(workerId: string): Promise<string> {
    return String((await prisma.user.findUniqueOrThrow({ where: { id: workerId } })).stateVersion);
  }

  test("sends the state on connect and a new event pushed by a pause", async () => {
    const { token, worker } = await enrolledDevice();
    const controller = new AbortController();
    const res = await callStateStream(
      new Request(`${BASE}/state/stream`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: controller.signal,
      }),
    );
    expect(res.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const first = await readEvent(reader);
    expect(first).toMatch(/^event: state\nid: \d+\ndata: \{/);
    expect(parseEvent(first).state).toMatchObject({ collecting: true });

    await createPause({
      workerId: worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 15 },
      now: new Date(),
    });
    // Causal, not timed: the push left at commit (no state change waits in the outbox for its
    // retry), and the event carries the state version the pause moved to.
    expect(await prisma.outboxMessage.count({ where: { kind: "state.changed" } })).toBe(0);
    const second = parseEvent(await readEvent(reader));
    expect(second.id).toBe(await stateVersionOf(worker.id));
    expect(Number(second.id)).toBeGreaterThan(Number(parseEvent(first).id));
    expect(second.state).toMatchObject({ collecting: false, reason: "paused" });
    controller.abort();
  });

  test("resumes with Last-Event-ID: no repeat of a state the agent already has", async () => {
    const { token, worker } = await enrolledDevice();
    const version = await stateVersionOf(worker.id);
    const controller = new AbortController();
    const res = await callStateStream(
      new Request(`${BASE}/state/stream`, {
        headers: { Authorization: `Bearer ${token}`, "Last-Event-ID": version },
        signal: controller.signal,
      }),
    );
    const reader = res.body!.getReader();
    await createPause({
      workerId: worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 15 },
      now: new Date(),
    });
    // Ordering, not a quiet period: the first event is the pause's, so the held state was not resent.
    const next = parseEvent(await readEvent(reader));
    expect(next.id).not.toBe(version);
    expect(next.id).toBe(await stateVersionOf(worker.id));
    expect(next.state).toMatchObject({ collecting: false, reason: "paused" });
    controller.abort();
  });

  test("answers like the other agent endpoints: 401 without a device token (a session is not one), 405 for other methods", async () => {
    const { token } = await enrolledDevice();
    const url = `${BASE}/state/stream`;
    expect((await callStateStream(new Request(url))).status).toBe(401);
    const worker = await createUser();
    const withCookie = await callStateStream(
      new Request(url, { headers: { Cookie: await sessionCookieFor(worker.id) } }),
    );
    expect(withCookie.status).toBe(401);
    expect(await withCookie.json()).toMatchObject({ error: { code: "unauthorized" } });
    const posted = await callStateStream(
      new Request(url, { method: "POST", headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(posted.status).toBe(405);
    expect(posted.headers.get("Allow")).toBe("GET");
    const head = await callStateStream(
      new Request(url, { method: "HEAD", headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
  });

  test("revoking the device closes its stream", async () => {
    const { token, worker, deviceId } = await enrolledDevice();
    const res = await callStateStream(
      new Request(`${BASE}/state/stream`, {
        headers: { Authorization: `Bearer ${token}` },
      }),
    );
    const reader = res.body!.getReader();
    await readEvent(reader);
    await revokeDevice({ workerId: worker.id, deviceId, now: new Date() });
    expect((await reader.read()).done).toBe(true);
  });
});

describe("POST /events", () => {
  test("stores a batch, with rollups and device counters", async () => {
    const { token, deviceId, worker } = await enrolledDevice();
    const now = Date.now();
    const batch = {
      batchId: randomUUID(),
      events: events(40, (i) => new Date(now - 3600_000 + i * 1000)),
    };
    const res = await callRoute(eventsAction, eventsRequest(token, JSON.stringify(batch)));
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      batchId: batch.batchId,
      stored: 40,
      discardedPaused: 0,
      discardedExempt: 0,
      discardedUnacknowledged: 0,
      rejectedFuture: 0,
      discardedForgotten: 0,
      discardedPrivateApp: 0,
      duplicate: false,
    });
    expect(await prisma.event.count({ where: { deviceId } })).toBe(40);
    const rollups = await prisma.eventRollup.aggregate({
      where: { workerId: worker.id },
      _sum: { count: true },
    });
    expect(rollups._sum.count).toBe(40);
    expect((await prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).storedEvents).toBe(
      40,
    );
  });

  test("a retried batch is stored once and answered with the same result", async () => {
    const { token, deviceId } = await enrolledDevice();
    const batch = {
      batchId: randomUUID(),
      events: events(10, (i) => new Date(Date.now() - i * 1000)),
    };
    const first = await callRoute(eventsAction, eventsRequest(token, JSON.stringify(batch)));
    const [second, third] = await Promise.all([
      callRoute(eventsAction, eventsRequest(token, JSON.stringify(batch))),
      callRoute(
        eventsAction,
        eventsRequest(token, gzipSync(JSON.stringify(batch)), { "Content-Encoding": "gzip" }),
      ),
    ]);
    expect(second.data).toEqual({ ...(first.data as EventBatchResult), duplicate: true });
    expect(third.data).toEqual({ ...(first.data as EventBatchResult), duplicate: true });
    expect(await prisma.event.count({ where: { deviceId } })).toBe(10);
  });

  test("events inside a pause are discarded and counted; future ones rejected", async () => {
    const { token, deviceId, worker } = await enrolledDevice();
    const now = new Date();
    await createPause({
      workerId: worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 30 },
      now: new Date(now.getTime() - 10 * 60_000),
    });
    const batch = {
      batchId: randomUUID(),
      events: [
        ...events(3, (i) => new Date(now.getTime() - 5 * 60_000 + i * 1000)), // inside the pause
        ...events(2, (i) => new Date(now.getTime() - 60 * 60_000 + i * 1000)), // before it
        ...events(1, () => new Date(now.getTime() + 10 * 60_000)), // 10 minutes ahead
      ],
    };
    const res = await callRoute(eventsAction, eventsRequest(token, JSON.stringify(batch)));
    expect(res.data).toMatchObject({
      stored: 2,
      discardedPaused: 3,
      discardedExempt: 0,
      rejectedFuture: 1,
    });
    expect(await prisma.event.count({ where: { deviceId } })).toBe(2);
    const device = await prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ storedEvents: 2, discardedPaused: 3, rejectedFuture: 1 });
  });

  test("an oversize body is refused with 413 and nothing stored", async () => {
    const { token, deviceId } = await enrolledDevice();
    const tooMany = {
      batchId: randomUUID(),
      events: events(5001, (i) => new Date(Date.now() - i)),
    };
    expect(
      (await callRoute(eventsAction, eventsRequest(token, JSON.stringify(tooMany)))).status,
    ).toBe(413);
    const huge = {
      batchId: randomUUID(),
      events: events(10, () => new Date()).map((e) => ({
        ...e,
        data: { blob: "x".repeat(120_000) },
      })),
    };
    const raw = JSON.stringify(huge);
    expect(raw.length).toBeGreaterThan(1024 * 1024);
    expect((await callRoute(eventsAction, eventsRequest(token, raw))).status).toBe(413);
    // A gzip bomb: small on the wire, over the limit once inflated.
    const bomb = gzipSync(raw);
    expect(bomb.length).toBeLessThan(100_000);
    expect(
      (await callRoute(eventsAction, eventsRequest(token, bomb, { "Content-Encoding": "gzip" })))
        .status,
    ).toBe(413);
    expect(await prisma.event.count({ where: { deviceId } })).toBe(0);
    expect(await prisma.eventBatch.count({ where: { deviceId } })).toBe(0);
  });

  test("a malformed batch is 400 with the issues and stores nothing; other encodings are 415", async () => {
    const { token, deviceId } = await enrolledDevice();
    const res = await callRoute(
      eventsAction,
      eventsRequest(token, JSON.stringify({ batchId: "nope", events: [{ type: "scream" }] })),
    );
    expect(res.status).toBe(400);
    const paths = (res.data as { error: { issues: { path: string }[] } }).error.issues.map(
      (i) => i.path,
    );
    expect(paths).toContain("batchId");
    expect(paths).toContain("events.0.type");
    expect((await callRoute(eventsAction, eventsRequest(token, "{", {}))).status).toBe(400);
    expect(
      (await callRoute(eventsAction, eventsRequest(token, "{}", { "Content-Encoding": "br" })))
        .status,
    ).toBe(415);
    expect(await prisma.event.count({ where: { deviceId } })).toBe(0);
  });

  test("a revoked device cannot upload", async () => {
    const { token, worker, deviceId } = await enrolledDevice();
    await revokeDevice({ workerId: worker.id, deviceId, now: new Date() });
    const res = await callRoute(
      eventsAction,
      eventsRequest(token, JSON.stringify({ batchId: randomUUID(), events: [] })),
    );
    expect(res.status).toBe(401);
  });
});

describe("GET /openapi.json", () => {
  test("serves the OpenAPI 3.1 document of the protocol", async () => {
    const { loader } = await import("#app/routes/api.agent.v1.openapi[.]json.ts");
    const res = await callRoute(loader, new Request(`${BASE}/openapi.json`));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.data).toMatchObject({ openapi: "3.1.0", info: { title: "Lull agent protocol" } });
  });
});
