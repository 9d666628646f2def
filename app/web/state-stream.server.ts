/**
 * GET /api/agent/v1/state/stream: Server-Sent Events. The current state on
 * connect (unless Last-Event-ID already names it), then one `state` event
 * within a second of every change, and a comment heartbeat every 60 seconds,
 * nothing else: an idle agent costs a few hundred bytes an hour.
 *
 * Served on the Node response itself, not through a Remix route (ADR 0029):
 * a stream stays open for hours, and the web Request, AbortSignal and
 * ReadableStream a route keeps for it cost about 30 KB of heap a stream and
 * a chain of promises per event. The server (server.ts) hands the request
 * here after its security middleware, through the app build's entry module.
 * The state hub reads each change once for all of the worker's agents.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { agentError, requireDeviceToken } from "./agent-http.server.ts";
import { openStateStream } from "./agent-state-hub.server.ts";

export const STATE_STREAM_PATH = "/api/agent/v1/state/stream";

/** Bytes a stream may have waiting for a client that does not read: past that it closes. */
const MAX_UNSENT_BYTES = 64 * 1024;

const STREAM_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Accel-Buffering": "no",
};

async function sendResponse(res: ServerResponse, response: Response) {
  const body = await response.text();
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

export async function serveStateStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method !== "GET" && req.method !== "HEAD") {
      const refused = agentError(405, "invalid_request", "Open the state stream with GET.");
      refused.headers.set("Allow", "GET");
      return await sendResponse(res, refused);
    }
    const device = await requireDeviceToken(req.headers.authorization, "state");
    if (res.destroyed) return;
    if (req.method === "HEAD") {
      res.writeHead(200, STREAM_HEADERS);
      return void res.end();
    }
    let open = true;
    let close = () => {};
    const opened = await openStateStream(
      device,
      {
        write: (bytes) => {
          if (!open) return;
          if (!res.headersSent) res.writeHead(200, STREAM_HEADERS);
          res.write(bytes);
          if (res.writableLength > MAX_UNSENT_BYTES) close();
        },
        close: () => {
          if (!open) return;
          open = false;
          if (!res.headersSent) res.writeHead(200, STREAM_HEADERS);
          res.end();
        },
      },
      headerValue(req.headers["last-event-id"]),
    );
    if (!opened.ok) {
      return await sendResponse(
        res,
        agentError(401, "unauthorized", "This device's worker is no longer active."),
      );
    }
    close = opened.close;
    res.once("close", close);
    // The agent knows it is connected even when it already had the state.
    if (!res.headersSent) {
      res.writeHead(200, STREAM_HEADERS);
      res.flushHeaders();
    }
    if (res.destroyed) close();
  } catch (error) {
    if (error instanceof Response) return sendResponse(res, error);
    console.error("state stream:", error instanceof Error ? error.message : error);
    if (res.headersSent || res.destroyed) return void res.end();
    res.writeHead(500, {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
    });
    res.end("The state could not be read. Reconnect in a moment.");
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}
