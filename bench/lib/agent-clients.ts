/**
 * Simulated agents for the benchmarks, on plain node:http so every byte can
 * be counted at the socket: enrollment through the real API, one SSE
 * connection per agent or one long-poll loop per agent (each with its own
 * keep-alive socket), and batches of events to upload.
 * Everything talks to 127.0.0.1 only.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import type { AgentEvent, AgentState } from "#app/agent-protocol/v1.ts";
import { HOST, httpRequest, type HttpResult } from "./http.ts";
import { mapPool } from "./stats.ts";

export type BenchDevice = { deviceId: string; token: string; workerId: string; index: number };

/**
 * Enrolls one device per slot through POST /enroll, `concurrency` at a
 * time, each from its own documentation-range address (the server, started
 * with TRUST_PROXY=loopback, limits enrollment per client address; the
 * bench stands in for many machines behind a proxy, as the e2e suite does).
 */
export function enrollAgents(
  port: number,
  slots: readonly { workerId: string; code: string }[],
  concurrency = 8,
): Promise<BenchDevice[]> {
  return mapPool(slots, concurrency, async ({ workerId, code }, index) => {
    const res = await httpRequest({
      port,
      method: "POST",
      path: "/api/agent/v1/enroll",
      headers: {
        "Content-Type": "application/json",
        "X-Forwarded-For": `198.18.${(index >> 8) & 255}.${index & 255}`,
      },
      body: JSON.stringify({
        code,
        deviceName: `bench-device-${index}`,
        platform: "linux",
        agentVersion: "bench-1",
      }),
      timeoutMs: 15_000,
    });
    if (res.status !== 201) {
      throw new Error(`Enrollment ${index} answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const body = JSON.parse(res.body) as { deviceId: string; token: string };
    return { ...body, workerId, index };
  });
}

const APPS = "code firefox slack terminal libreoffice-writer thunderbird figma zoom".split(" ");

function randomEvent(atMs: number): AgentEvent {
  const r = Math.random();
  const type: AgentEvent["type"] =
    r < 0.5 ? "keystroke" : r < 0.75 ? "click" : r < 0.95 ? "scroll" : "app_focus";
  const data: Record<string, unknown> =
    type === "keystroke"
      ? { count: 1 + Math.floor(Math.random() * 40) }
      : type === "click"
        ? { button: Math.random() < 0.9 ? "left" : "right" }
        : type === "scroll"
          ? { lines: Math.floor(Math.random() * 30) - 15 }
          : { windowCount: 1 + Math.floor(Math.random() * 5) };
  return {
    type,
    at: new Date(atMs).toISOString(),
    app: APPS[Math.floor(Math.random() * APPS.length)]!,
    data,
  };
}

/** `size` events spread over the hour before `nowMs` (5 s to 60 min ago), in time order. */
export function buildEvents(size: number, nowMs: number): AgentEvent[] {
  const times = Array.from({ length: size }, () => nowMs - 5_000 - Math.random() * 3_595_000);
  times.sort((a, b) => a - b);
  return times.map(randomEvent);
}

/** POST /events of one batch (`body` as JSON.stringify({ batchId, events })). */
export function uploadBatch(
  port: number,
  device: BenchDevice,
  body: string,
  agent?: http.Agent,
): Promise<HttpResult> {
  return httpRequest({
    port,
    method: "POST",
    path: "/api/agent/v1/events",
    headers: { Authorization: `Bearer ${device.token}`, "Content-Type": "application/json" },
    body,
    agent,
    timeoutMs: 60_000,
  });
}

/** A new batch body of `size` events from the last hour. */
export function batchBody(size: number): string {
  return JSON.stringify({ batchId: randomUUID(), events: buildEvents(size, Date.now()) });
}

/**
 * Every socket the simulated agents used, so bytes can be summed over a
 * window: socket.bytesRead + socket.bytesWritten are TCP payload (HTTP
 * headers, bodies and chunk framing), kept after the socket closes.
 */
export class SocketLedger {
  private sockets = new Set<Socket>();
  /** 'data' events seen on the sockets: roughly the TCP segments received. */
  readChunks = 0;

  track(socket: Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.on("data", () => {
      this.readChunks++;
    });
  }

  totalBytes(): number {
    return this.readBytes() + this.writtenBytes();
  }

  readBytes(): number {
    let total = 0;
    for (const s of this.sockets) total += s.bytesRead;
    return total;
  }

  writtenBytes(): number {
    let total = 0;
    for (const s of this.sockets) total += s.bytesWritten;
    return total;
  }
}

export type StateListener = (device: BenchDevice, state: AgentState, receivedAt: number) => void;

/**
 * One agent's `GET /state/stream`. Parses just enough SSE: `event:`/`data:`
 * blocks and `:` comments (heartbeats). Resolves `connected` on the first
 * state event.
 */
export class SseConnection {
  heartbeats = 0;
  stateEvents = 0;
  lastState: AgentState | undefined;
  closedByServer = false;
  /** Why and when (performance.now()) the stream ended without this client closing it. */
  ended: { reason: string; at: number } | undefined;
  /** Content-Encoding the server answered with ("identity" when none). */
  encoding = "";
  private req: http.ClientRequest | undefined;
  private closing = false;

  constructor(
    readonly device: BenchDevice,
    private readonly port: number,
    private readonly agent: http.Agent,
    private readonly ledger: SocketLedger,
    private readonly onState: StateListener,
    private readonly gzip: boolean,
  ) {}

  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(new Error(`SSE connect timed out after ${timeoutMs} ms`));
        this.close();
      }, timeoutMs);
      const headers: Record<string, string> = {
        Authorization: `Bearer ${this.device.token}`,
        Accept: "text/event-stream",
      };
      if (this.gzip) headers["Accept-Encoding"] = "gzip";
      const req = http.request({
        host: HOST,
        port: this.port,
        method: "GET",
        path: "/api/agent/v1/state/stream",
        headers,
        agent: this.agent,
      });
      this.req = req;
      req.on("socket", (s) => this.ledger.track(s));
      req.on("error", (error) => {
        if (!this.closing) this.serverEnded(`error: ${error.message}`);
        settle(error);
      });
      req.on("response", (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          settle(new Error(`SSE answered ${res.statusCode}`));
          return;
        }
        this.encoding = res.headers["content-encoding"] ?? "identity";
        const source =
          this.encoding === "gzip"
            ? res.pipe(zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH }))
            : res;
        source.setEncoding("utf8");
        let buffer = "";
        source.on("data", (chunk: string) => {
          const receivedAt = performance.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            this.handleBlock(block, receivedAt);
            if (this.stateEvents > 0) settle();
          }
        });
        source.on("error", () => {});
        res.on("close", () => {
          if (!this.closing) this.serverEnded(res.complete ? "ended by the server" : "aborted");
          settle(new Error("SSE stream closed before the first state"));
        });
      });
      req.end();
    });
  }

  private serverEnded(reason: string): void {
    if (this.closedByServer) return;
    this.closedByServer = true;
    this.ended = { reason, at: performance.now() };
  }

  private handleBlock(block: string, receivedAt: number): void {
    let event = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) {
        this.heartbeats++;
      } else if (line.startsWith("event:")) {
        event = line.slice(6).trim();
      } else if (line.startsWith("data:")) {
        data += line.slice(5).trimStart();
      }
    }
    if (event === "state" && data) {
      const state = JSON.parse(data) as AgentState;
      this.stateEvents++;
      this.lastState = state;
      this.onState(this.device, state, receivedAt);
    }
  }

  close(): void {
    this.closing = true;
    this.req?.destroy();
  }
}

export type LongPollCounters = {
  ok: number;
  notModified: number;
  errors: number;
  lastError: string;
};

/**
 * One agent looping `GET /state?wait=60` with If-None-Match, on its own
 * keep-alive socket. `ready` resolves after the first (immediate) answer.
 */
export class LongPollAgent {
  etag: string | undefined;
  readonly counters: LongPollCounters = { ok: 0, notModified: 0, errors: 0, lastError: "" };
  private running = false;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private loop: Promise<void> | undefined;
  private readyResolve: (() => void) | undefined;
  readonly ready: Promise<void>;

  constructor(
    readonly device: BenchDevice,
    private readonly port: number,
    private readonly ledger: SocketLedger,
    private readonly onState: StateListener,
    private readonly waitSeconds: number,
    /** Safety bound on the loop: no agent makes more requests than this. */
    private readonly maxRequests: number,
  ) {
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    for (let i = 0; i < this.maxRequests && this.running; i++) {
      const headers: Record<string, string> = { Authorization: `Bearer ${this.device.token}` };
      if (this.etag) headers["If-None-Match"] = this.etag;
      try {
        const res = await httpRequest({
          port: this.port,
          method: "GET",
          path: `/api/agent/v1/state?wait=${this.waitSeconds}`,
          headers,
          agent: this.agent,
          timeoutMs: (this.waitSeconds + 15) * 1000,
          ledger: this.ledger,
        });
        const receivedAt = performance.now();
        if (!this.running) return;
        if (res.status === 200) {
          const state = JSON.parse(res.body) as AgentState;
          this.counters.ok++;
          this.etag = res.headers.etag ?? `"${state.stateVersion}"`;
          this.onState(this.device, state, receivedAt);
          this.readyResolve?.();
        } else if (res.status === 304) {
          this.counters.notModified++;
          this.readyResolve?.();
        } else {
          this.counters.errors++;
          this.counters.lastError = `${res.status} ${res.body.slice(0, 200)}`;
          await new Promise((r) => setTimeout(r, 1000));
        }
      } catch (error) {
        if (!this.running) return;
        this.counters.errors++;
        this.counters.lastError = error instanceof Error ? error.message : String(error);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.agent.destroy();
    await this.loop;
  }
}
