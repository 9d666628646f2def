/**
 * Simulated agents for the agent benchmark, on plain node:http so every byte
 * can be counted at the socket: one SSE connection per agent, or one
 * long-poll loop per agent (each with its own keep-alive socket).
 * Everything talks to 127.0.0.1 only.
 */
import http from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import type { AgentState } from "#app/agent-protocol/v1.ts";

export const HOST = "127.0.0.1";

export type BenchDevice = { deviceId: string; token: string; workerId: string; index: number };

export type HttpResult = {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
};

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

  get socketCount(): number {
    return this.sockets.size;
  }
}

/** One HTTP request to the bench server; the body is read in full. Never throws on status. */
export function httpRequest(opts: {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent;
  timeoutMs: number;
  ledger?: SocketLedger;
}): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers["Content-Length"] = Buffer.byteLength(opts.body);
    const req = http.request(
      {
        host: HOST,
        port: opts.port,
        method: opts.method,
        path: opts.path,
        headers,
        agent: opts.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          });
        });
        res.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(
      () =>
        req.destroy(new Error(`${opts.method} ${opts.path} timed out after ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    if (opts.ledger) req.on("socket", (s) => opts.ledger!.track(s));
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(opts.body);
  });
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
        if (!this.closing) this.closedByServer = true;
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
          if (!this.closing) this.closedByServer = true;
          settle(new Error("SSE stream closed before the first state"));
        });
      });
      req.end();
    });
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
