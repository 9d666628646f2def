/**
 * HTTP to the bench server on 127.0.0.1, on plain node:http so every byte
 * and millisecond is the wire's: one request timed from sending it to the
 * last byte of the body, a browser's headers, sign-in, and a page session
 * (one keep-alive connection with the session cookie, as a browser tab).
 */
import http from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";

export const HOST = "127.0.0.1";

const BROWSER_HEADERS = {
  "User-Agent":
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Accept-Encoding": "gzip, deflate, br, zstd",
  "Accept-Language": "en-GB,en;q=0.9",
} as const;

/** What a browser sends when it navigates to a page (document request). */
export const DOCUMENT_HEADERS: Record<string, string> = {
  ...BROWSER_HEADERS,
  Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
  "Sec-Fetch-Dest": "document",
  "Sec-Fetch-Mode": "navigate",
  "Sec-Fetch-Site": "same-origin",
};

/** What Remix's single fetch sends for a client-side navigation or submission (`….data`). */
export const SINGLE_FETCH_HEADERS: Record<string, string> = {
  ...BROWSER_HEADERS,
  Accept: "*/*",
  "Sec-Fetch-Dest": "empty",
  "Sec-Fetch-Mode": "cors",
  "Sec-Fetch-Site": "same-origin",
};

export type HttpResult = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Request sent → last body byte received, in ms. */
  ms: number;
  /** The body as sent (after Content-Encoding); its length is the wire size. */
  raw: Buffer;
  /** The raw body as UTF-8 (for uncompressed answers; see decodeBody). */
  readonly body: string;
};

/** One HTTP request to the bench server; the body is read in full. Never throws on status. */
export function httpRequest(opts: {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent;
  timeoutMs: number;
  ledger?: { track(socket: Socket): void };
}): Promise<HttpResult> {
  const method = opts.method ?? "GET";
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers["Content-Length"] = Buffer.byteLength(opts.body);
    const req = http.request(
      { host: HOST, port: opts.port, method, path: opts.path, headers, agent: opts.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const ms = performance.now() - started;
          clearTimeout(timer);
          const raw = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            ms,
            raw,
            get body() {
              return raw.toString("utf8");
            },
          });
        });
        res.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`${method} ${opts.path} timed out after ${opts.timeoutMs} ms`)),
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

/** The body as text, undoing Content-Encoding. */
export function decodeBody(response: HttpResult): string {
  const encoding = String(response.headers["content-encoding"] ?? "identity");
  const body =
    encoding === "br"
      ? zlib.brotliDecompressSync(response.raw)
      : encoding === "gzip"
        ? zlib.gunzipSync(response.raw)
        : encoding === "deflate"
          ? zlib.inflateSync(response.raw)
          : response.raw;
  return body.toString("utf8");
}

/** Signs in through POST /login as the web form does; returns the session cookie. */
export async function signIn(port: number, email: string, password: string): Promise<string> {
  const res = await httpRequest({
    port,
    method: "POST",
    path: "/login",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, redirectTo: "" }).toString(),
    timeoutMs: 15_000,
  });
  const cookies = res.headers["set-cookie"] ?? [];
  if (res.status !== 302 || cookies.length === 0) {
    throw new Error(`Sign-in of ${email} answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
  return cookies.map((c) => c.split(";")[0]).join("; ");
}

/**
 * A signed-in browser tab: GETs one at a time over one keep-alive
 * connection (the server closes idle ones after 5 s). When the server
 * closes the connection as a request goes out, the GET is sent again once
 * on a new one, as a browser does, and noted in `retried`. Every request's
 * wall-clock start and duration is kept in `requests`.
 */
export class PageSession {
  readonly retried: string[] = [];
  readonly requests: { path: string; startedAt: number; ms: number }[] = [];
  private agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    readonly port: number,
    readonly cookie: string,
  ) {}

  async get(path: string, headers: Record<string, string>): Promise<HttpResult> {
    const once = async () => {
      const startedAt = Date.now();
      const res = await httpRequest({
        port: this.port,
        path,
        headers: { ...headers, Cookie: this.cookie },
        agent: this.agent,
        timeoutMs: 60_000,
      });
      this.requests.push({ path, startedAt, ms: res.ms });
      return res;
    };
    try {
      return await once();
    } catch (error) {
      if (!/socket hang up|ECONNRESET/.test(String(error))) throw error;
      this.retried.push(`${new Date().toISOString().slice(11, 23)} ${path.slice(0, 40)}`);
      this.reconnect();
      return once();
    }
  }

  /** A new connection for what follows. */
  reconnect(): void {
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  close(): void {
    this.agent.destroy();
  }
}
