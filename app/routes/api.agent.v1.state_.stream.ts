import type { LoaderFunctionArgs } from "@remix-run/node";
import { LIMITS, type AgentState } from "#app/agent-protocol/v1.ts";
import { getAgentState } from "#app/models/agent-state.server.ts";
import { markDeviceSeen } from "#app/models/device.server.ts";
import { agentError, requireDevice } from "#app/web/agent-http.server.ts";
import { streamOpened } from "#app/web/open-streams.server.ts";
import { subscribeToWorker } from "#app/utils/state-bus.server.ts";

/**
 * GET /api/agent/v1/state/stream: Server-Sent Events. The current state on
 * connect (unless Last-Event-ID already names it), then one `state` event
 * within a second of every change, and a comment heartbeat every 60 seconds,
 * nothing else: an idle agent costs a few hundred bytes an hour.
 *
 * It subscribes to changes *before* it reads the first state, so a change
 * committed in between is sent rather than lost (ADR 0013).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const device = await requireDevice(request, "state");

  // Until the stream is open, a change only marks that the state must be read again.
  let onChange: (revoked: boolean) => void;
  let missed: { changed: boolean; revoked: boolean } = { changed: false, revoked: false };
  onChange = (revoked) => {
    missed = { changed: true, revoked: missed.revoked || revoked };
  };
  const unsubscribe = subscribeToWorker(device.workerId, (change) => {
    if (!change.revokedDeviceId) onChange(false);
    else if (change.revokedDeviceId === device.id) onChange(true);
  });

  let initial: AgentState | null;
  try {
    initial = await getAgentState(device.workerId, new Date());
  } catch (error) {
    unsubscribe();
    throw error;
  }
  if (!initial) {
    unsubscribe();
    return agentError(401, "unauthorized", "This device's worker is no longer active.");
  }
  const lastEventId = request.headers.get("Last-Event-ID");
  const encoder = new TextEncoder();
  let cleanup = () => unsubscribe();

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let lastSent = lastEventId ?? "";
      let sending = Promise.resolve();
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const send = (state: AgentState) => {
        if (state.stateVersion === lastSent) return false;
        lastSent = state.stateVersion;
        write(`event: state\nid: ${state.stateVersion}\ndata: ${JSON.stringify(state)}\n\n`);
        return true;
      };
      const sendCurrent = async () => {
        const state = await getAgentState(device.workerId, new Date());
        if (closed) return;
        if (!state) return close();
        if (send(state)) await markDeviceSeen(device.id, Number(state.stateVersion), new Date());
      };
      const close = () => {
        if (closed) return;
        cleanup();
        closed = true;
        controller.close();
      };
      // Changes are sent one after another, each with the state as it is when sent.
      const queue = () => {
        sending = sending.then(sendCurrent).catch((error: unknown) => {
          console.error("state stream:", error instanceof Error ? error.message : error);
          close();
        });
      };
      const heartbeat = setInterval(() => write(":\n\n"), LIMITS.heartbeatSeconds * 1000);
      const onAbort = () => close();
      request.signal.addEventListener("abort", onAbort);
      // At most a few streams per device (and per worker): past that, the oldest closes.
      const forget = streamOpened(device.id, device.workerId, () => close());
      cleanup = () => {
        unsubscribe();
        forget();
        clearInterval(heartbeat);
        request.signal.removeEventListener("abort", onAbort);
      };
      onChange = (revoked) => (revoked ? close() : queue());

      if (missed.revoked) return close();
      send(initial);
      void markDeviceSeen(device.id, Number(initial.stateVersion), new Date());
      // A change committed after we subscribed may or may not be in `initial`: read again.
      if (missed.changed) queue();
    },
    cancel() {
      cleanup();
    },
  });

  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    },
  });
}
