import type { ActionFunctionArgs } from "@remix-run/node";
import { EventBatchSchema, LIMITS } from "#app/agent-protocol/v1.ts";
import { firstEventBeforeEnrollment } from "#app/domain/ingest-rules.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import {
  agentError,
  readLimitedBodyCounted,
  requireDevice,
  zodIssues,
} from "#app/web/agent-http.server.ts";

export async function loader() {
  return agentError(405, "invalid_request", "Use POST to upload a batch of events.");
}

/** POST /api/agent/v1/events: one idempotent batch of events. */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST")
    return agentError(405, "invalid_request", "Use POST to upload a batch of events.");
  const device = await requireDevice(request, "events");
  const { text, wireBytes } = await readLimitedBodyCounted(request);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return agentError(400, "invalid_request", "The body must be JSON.");
  }
  if (
    typeof body === "object" &&
    body !== null &&
    Array.isArray((body as { events?: unknown }).events) &&
    (body as { events: unknown[] }).events.length > LIMITS.maxEventsPerBatch
  ) {
    return agentError(
      413,
      "payload_too_large",
      `A batch may hold at most ${LIMITS.maxEventsPerBatch} events.`,
    );
  }
  const parsed = EventBatchSchema.safeParse(body);
  if (!parsed.success) {
    return agentError(400, "invalid_request", "The batch is not valid; nothing was stored.", {
      issues: zodIssues(parsed.error).slice(0, 20),
    });
  }
  const tooOld = firstEventBeforeEnrollment(parsed.data.events, device.enrolledAt);
  if (tooOld) {
    return agentError(
      400,
      "invalid_request",
      `Event ${tooOld.index} is dated ${tooOld.at}, more than a day before this device was enrolled (${device.enrolledAt.toISOString()}); check the device's clock. Nothing was stored.`,
    );
  }
  const result = await ingestBatch(device, parsed.data, new Date(), { bodyBytes: wireBytes });
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
}
