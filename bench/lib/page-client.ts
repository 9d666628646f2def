/**
 * A browser-like page client for the page benchmarks: GET over one
 * keep-alive socket with a session cookie and a browser's headers
 * (Accept-Encoding: gzip, deflate, br, zstd), timed from sending the
 * request to the last byte of the body. Bodies are kept as bytes (the wire
 * size) and decoded afterwards, outside the timing.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import { HOST } from "./agent-clients.ts";

export const BROWSER_HEADERS = {
  "User-Agent":
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Accept-Encoding": "gzip, deflate, br, zstd",
  "Accept-Language": "en-GB,en;q=0.9",
} as const;

/** What a browser sends when it navigates to a page (document request). */
export const DOCUMENT_HEADERS = {
  ...BROWSER_HEADERS,
  Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
  "Sec-Fetch-Dest": "document",
  "Sec-Fetch-Mode": "navigate",
  "Sec-Fetch-Site": "same-origin",
} as const;

/** What Remix's single fetch sends for a client-side navigation (`….data`). */
export const SINGLE_FETCH_HEADERS = {
  ...BROWSER_HEADERS,
  Accept: "*/*",
  "Sec-Fetch-Dest": "empty",
  "Sec-Fetch-Mode": "cors",
  "Sec-Fetch-Site": "same-origin",
} as const;

export type PageResponse = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Request sent → last body byte received, in ms. */
  ms: number;
  /** Body bytes as sent (after Content-Encoding). */
  wireBytes: number;
  raw: Buffer;
};

export function getPage(opts: {
  port: number;
  path: string;
  headers: Record<string, string>;
  agent: http.Agent;
  timeoutMs: number;
}): Promise<PageResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: HOST,
        port: opts.port,
        method: "GET",
        path: opts.path,
        headers: opts.headers,
        agent: opts.agent,
      },
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
            wireBytes: raw.length,
            raw,
          });
        });
        res.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`GET ${opts.path} timed out after ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/** The body as text, undoing Content-Encoding. */
export function decodeBody(response: PageResponse): string {
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
