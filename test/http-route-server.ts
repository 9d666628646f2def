/**
 * Serves route actions (or Remix's own handler) over real HTTP, the way the
 * production server hands them requests: Express, with the Remix adapter
 * turning the Node request into a fetch Request whose body streams from the
 * socket (`createRemixRequest`) and writing the answer back
 * (`sendRemixResponse`). `serveRoutes` leaves Remix's routing out: each path
 * names its action. For tests of what happens on the wire (a body larger than
 * allowed, sent chunked or not).
 */
import type { AddressInfo } from "node:net";
import http from "node:http";
import express from "express";
// The adapter's own request and response conversion (not re-exported by its index).
import { createRemixRequest, sendRemixResponse } from "@remix-run/express/dist/server.js";
import { TEST_CONTEXT } from "./route-harness.ts";
import type { LullLoadContext } from "#app/load-context.ts";

type RouteFn = (args: {
  request: Request;
  params: Record<string, string>;
  context: LullLoadContext;
}) => unknown;

export type RouteServer = {
  url: string;
  /** Bytes the server read from the socket of each request, by path, once answered. */
  bytesRead: Map<string, number>;
  close(): Promise<void>;
};

function toResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  if (
    typeof result === "object" &&
    result !== null &&
    (result as { type?: unknown }).type === "DataWithResponseInit"
  ) {
    const { data, init } = result as { data: unknown; init: ResponseInit | null };
    return Response.json(data, init ?? undefined);
  }
  return Response.json(result);
}

export async function serveRoutes(routes: Record<string, RouteFn>): Promise<RouteServer> {
  return serveFetch(async (request) => {
    const action = routes[new URL(request.url).pathname];
    if (!action) return new Response(null, { status: 404 });
    try {
      return toResponse(await action({ request, params: {}, context: TEST_CONTEXT }));
    } catch (error) {
      if (error instanceof Response) return error;
      throw error;
    }
  });
}

/** Serves a fetch handler (e.g. Remix's own, test/remix-handler.ts) the same way. */
export async function serveFetch(
  handle: (request: Request) => Promise<Response>,
): Promise<RouteServer> {
  const bytesRead = new Map<string, number>();
  const app = express();
  app.all("*", async (req, res, next) => {
    const socket = req.socket;
    const before = socket.bytesRead;
    res.once("finish", () => bytesRead.set(req.path, socket.bytesRead - before));
    try {
      await sendRemixResponse(res, await handle(createRemixRequest(req, res)));
    } catch (error) {
      next(error);
    }
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesRead,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WireAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * POSTs `prefix`, then `size` bytes of `fill` in 64 KiB chunks, then `suffix`:
 * chunked (no Content-Length) unless `declareLength`. Stops sending once the
 * server has answered or hung up, and resolves with the answer.
 */
export function postBody(
  url: string,
  {
    prefix = "",
    size,
    fill = "a",
    suffix = "",
    headers = {},
    declareLength = false,
  }: {
    prefix?: string;
    size: number;
    fill?: string;
    suffix?: string;
    headers?: Record<string, string>;
    declareLength?: boolean;
  },
): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, fill);
    const head = Buffer.from(prefix);
    const tail = Buffer.from(suffix);
    const total = head.length + size + tail.length;
    let answered = false;
    const req = http.request(url, {
      method: "POST",
      headers: { ...headers, ...(declareLength ? { "Content-Length": String(total) } : {}) },
    });
    req.on("response", (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", (error) => {
      // Writing into a connection the server closed after answering is expected.
      if (!answered) reject(error);
    });
    req.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < size && !answered && !req.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) {
          req.once("drain", pump);
          return;
        }
      }
      if (sent >= size) req.end(tail);
    };
    pump();
  });
}
