import type { LoaderFunctionArgs } from "@remix-run/node";
import { agentError, requireDevice } from "#app/web/agent-http.server.ts";
import { openStateStream, type StreamSink } from "#app/web/agent-state-hub.server.ts";

/**
 * GET /api/agent/v1/state/stream: Server-Sent Events. The current state on
 * connect (unless Last-Event-ID already names it), then one `state` event
 * within a second of every change, and a comment heartbeat every 60 seconds,
 * nothing else: an idle agent costs a few hundred bytes an hour. The state
 * hub (ADR 0029) reads each change once for all of the worker's agents.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const device = await requireDevice(request, "state");

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let close = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      cancel: () => close(),
    },
    { highWaterMark: 0 },
  );
  let open = true;
  const sink: StreamSink = {
    write: (bytes) => {
      if (open) controller.enqueue(bytes);
    },
    close: () => {
      if (!open) return;
      open = false;
      request.signal.removeEventListener("abort", onAbort);
      controller.close();
    },
  };
  const onAbort = () => close();
  request.signal.addEventListener("abort", onAbort);

  const opened = await openStateStream(device, sink, request.headers.get("Last-Event-ID"));
  if (!opened.ok) {
    return agentError(401, "unauthorized", "This device's worker is no longer active.");
  }
  close = opened.close;
  if (request.signal.aborted) close();

  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    },
  });
}
