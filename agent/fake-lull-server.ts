/**
 * A small in-memory stand-in for the Lull agent API, for the agent's own
 * tests: enroll, state (ETag, long-poll), state/stream (SSE), events (gzip,
 * idempotent per batchId), usage reports. It can also misbehave on request: go offline,
 * fail uploads, lose answers, revoke the device.
 *
 * Like the real ingestion, it discards events inside a pause, inside a forget window or of a
 * private application (`privateAppMatcher`, the shared rule), and counts each. Unlike the
 * real server, setting a forget window does not delete what it already stored: a test can
 * still see whether the agent uploaded anything inside it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { privateAppMatcher } from "../app/agent-protocol/private-apps.ts";
import {
  API_PREFIX,
  EventBatchSchema,
  UsageReportSchema,
  type AgentEvent,
  type AgentState,
  type EventBatchResult,
  type ForgetWindow,
  type UsageReport,
  type Window,
} from "../app/agent-protocol/v1.ts";

export type StoredEvent = AgentEvent & { batchId: string };

export class FakeLullServer {
  readonly token = "fake-token-" + randomUUID();
  readonly deviceId = "device-1";
  readonly code = "ABCD-2345";
  windows: Window[] = [];
  /** Spans the worker asked to forget, as listed in the state (setForgets). */
  forgets: ForgetWindow[] = [];
  /** Private-application patterns, as listed in the state (setPrivateApps). */
  privateApps: string[] = [];
  version = 1;
  revoked = false;
  /** Answer the stream with this status instead of SSE (e.g. 404: no stream endpoint). */
  streamStatus: number | undefined;
  /** Answer `collecting: false` whatever the windows say (a server rule the agent does not know). */
  holdCollection = false;
  /** Fail this many upcoming event uploads with 503 and Retry-After: 0. */
  failUploads = 0;
  /** Store this many upcoming batches but drop the connection before answering. */
  loseAnswers = 0;
  readonly batches = new Map<string, EventBatchResult>();
  readonly events: StoredEvent[] = [];
  readonly uploadAttempts: string[] = [];
  readonly usageReports: UsageReport[] = [];
  /** Answer this many upcoming usage reports with 503. */
  failUsageReports = 0;
  readonly requests: { path: string; headers: IncomingMessage["headers"] }[] = [];

  private server: Server;
  private port = 0;
  private streams = new Set<ServerResponse>();
  private waiters = new Set<() => void>();

  constructor() {
    this.server = this.createHttpServer();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops answering and cuts every open connection, as a network outage would. */
  async goOffline(): Promise<void> {
    for (const response of this.streams) response.destroy();
    this.streams.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.server = this.createHttpServer();
  }

  async comeBack(): Promise<void> {
    await this.start(this.port);
  }

  async stop(): Promise<void> {
    await this.goOffline();
  }

  state(now = new Date()): AgentState {
    const inWindow = this.windows.find(
      (w) => Date.parse(w.startsAt) <= now.getTime() && now.getTime() < Date.parse(w.endsAt),
    );
    return {
      stateVersion: String(this.version),
      serverTime: now.toISOString(),
      collecting: !inWindow && !this.holdCollection,
      reason: inWindow ? (inWindow.kind === "pause" ? "paused" : "exempt") : "active",
      exemptTypes: [],
      windows: this.windows,
      validUntil: new Date(now.getTime() + 24 * 3600_000).toISOString(),
      refreshAfterSeconds: 300,
      forgets: this.forgets,
      privateApps: this.privateApps,
    };
  }

  /** Changes the windows and tells every listening agent. */
  setWindows(windows: Window[]): void {
    this.windows = windows;
    this.publish();
  }

  /** Changes the forget windows (a worker forgot the last minutes) and tells every listening agent. */
  setForgets(forgets: ForgetWindow[]): void {
    this.forgets = forgets;
    this.publish();
  }

  /** Changes the private-application patterns and tells every listening agent. */
  setPrivateApps(patterns: string[]): void {
    this.privateApps = patterns;
    this.publish();
  }

  /** A new state version, pushed to open streams and answered to waiting long-polls. */
  private publish(): void {
    this.version += 1;
    const state = this.state();
    for (const response of this.streams) {
      response.write(`event: state\nid: ${state.stateVersion}\ndata: ${JSON.stringify(state)}\n\n`);
    }
    for (const wake of this.waiters) wake();
  }

  revoke(): void {
    this.revoked = true;
    for (const response of this.streams) response.end();
    this.streams.clear();
    for (const wake of this.waiters) wake();
  }

  private createHttpServer(): Server {
    return createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  }

  private json(response: ServerResponse, status: number, body: unknown, headers = {}): void {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(body));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname.slice(API_PREFIX.length);
    this.requests.push({ path: url.pathname + url.search, headers: request.headers });
    const body = await readBody(request);

    if (path === "/enroll" && request.method === "POST") {
      const json = JSON.parse(body.toString("utf8")) as { code?: string };
      if (json.code !== this.code) {
        return this.json(response, 400, {
          error: { code: "invalid_code", message: "Wrong code." },
        });
      }
      return this.json(response, 201, { deviceId: this.deviceId, token: this.token });
    }
    if (this.revoked || request.headers.authorization !== `Bearer ${this.token}`) {
      return this.json(response, 401, { error: { code: "unauthorized", message: "Revoked." } });
    }
    if (path === "/state/stream") return this.stream(request, response);
    if (path === "/state")
      return this.longPoll(request, response, Number(url.searchParams.get("wait") ?? 0));
    if (path === "/events" && request.method === "POST")
      return this.ingest(request, response, body);
    if (path === "/usage" && request.method === "POST") return this.usage(response, body);
    return this.json(response, 404, { error: { code: "not_found", message: "No such route." } });
  }

  private stream(request: IncomingMessage, response: ServerResponse): void {
    if (this.streamStatus !== undefined) {
      return this.json(response, this.streamStatus, {
        error: { code: "not_found", message: "No stream." },
      });
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    response.write(": connected\n\n");
    const state = this.state();
    if (request.headers["last-event-id"] !== state.stateVersion) {
      response.write(`event: state\nid: ${state.stateVersion}\ndata: ${JSON.stringify(state)}\n\n`);
    }
    this.streams.add(response);
    response.on("close", () => this.streams.delete(response));
  }

  private async longPoll(
    request: IncomingMessage,
    response: ServerResponse,
    wait: number,
  ): Promise<void> {
    const current = () => `"${this.version}"`;
    if (request.headers["if-none-match"] === current() && wait > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, wait * 1000);
        this.waiters.add(done);
        request.on("close", done);
      });
    }
    if (this.revoked) {
      return this.json(response, 401, { error: { code: "unauthorized", message: "Revoked." } });
    }
    if (request.headers["if-none-match"] === current()) {
      response.writeHead(304, { etag: current() });
      response.end();
      return;
    }
    this.json(response, 200, this.state(), { etag: current() });
  }

  private usage(response: ServerResponse, raw: Buffer): void {
    const parsed = UsageReportSchema.safeParse(JSON.parse(raw.toString("utf8")));
    if (!parsed.success) {
      return this.json(response, 400, {
        error: { code: "invalid_request", message: "Bad usage report." },
      });
    }
    if (this.failUsageReports > 0) {
      this.failUsageReports -= 1;
      return this.json(response, 503, { error: { code: "rate_limited", message: "Busy." } });
    }
    this.usageReports.push(parsed.data);
    this.json(response, 200, { periodEnd: parsed.data.periodEnd, duplicate: false });
  }

  private ingest(request: IncomingMessage, response: ServerResponse, raw: Buffer): void {
    const text = (request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString(
      "utf8",
    );
    const parsed = EventBatchSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      return this.json(response, 400, {
        error: { code: "invalid_request", message: "Bad batch." },
      });
    }
    const { batchId, events } = parsed.data;
    this.uploadAttempts.push(batchId);
    if (this.failUploads > 0) {
      this.failUploads -= 1;
      return this.json(
        response,
        503,
        { error: { code: "rate_limited", message: "Busy." } },
        { "retry-after": "0" },
      );
    }
    const first = this.batches.get(batchId);
    if (first) return this.json(response, 200, { ...first, duplicate: true });
    let stored = 0;
    let discardedPaused = 0;
    let discardedForgotten = 0;
    let discardedPrivateApp = 0;
    const within = (span: { startsAt: string; endsAt: string }, t: number) =>
      Date.parse(span.startsAt) <= t && t < Date.parse(span.endsAt);
    const isPrivateApp = privateAppMatcher(this.privateApps);
    for (const event of events) {
      const t = Date.parse(event.at);
      // The real ingestion's order: a pause, then a forget window, then a private application.
      if (this.windows.some((w) => within(w, t))) {
        discardedPaused += 1;
      } else if (this.forgets.some((f) => within(f, t))) {
        discardedForgotten += 1;
      } else if (isPrivateApp(event.app)) {
        discardedPrivateApp += 1;
      } else {
        stored += 1;
        this.events.push({ ...event, batchId });
      }
    }
    const result: EventBatchResult = {
      batchId,
      stored,
      discardedPaused,
      discardedExempt: 0,
      discardedUnacknowledged: 0,
      rejectedFuture: 0,
      discardedForgotten,
      discardedPrivateApp,
      duplicate: false,
    };
    this.batches.set(batchId, result);
    if (this.loseAnswers > 0) {
      this.loseAnswers -= 1;
      request.socket.destroy();
      return;
    }
    this.json(response, 200, result);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
