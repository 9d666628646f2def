/**
 * The agents' state stream as agents reach it: over real HTTP, from a
 * server on 127.0.0.1 started once per test file that hands every request
 * to `serveStateStream`, as server.ts does (ADR 0029). `callStateStream`
 * sends a Request's headers and abort signal there and returns the Response.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";
import { serveStateStream } from "#app/web/state-stream.server.ts";

let listening: Promise<string> | null = null;
let server: http.Server | null = null;

function origin(): Promise<string> {
  listening ??= new Promise((resolve) => {
    server = http.createServer((req, res) => void serveStateStream(req, res));
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`);
    });
  });
  return listening;
}

afterAll(async () => {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server!.close(resolve));
});

export async function callStateStream(request: Request): Promise<Response> {
  const url = new URL(request.url);
  return fetch(`${await origin()}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
  });
}
