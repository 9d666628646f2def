import type { ActionFunctionArgs } from "@remix-run/node";
import { LIMITS, UsageReportSchema, type UsageReportResult } from "#app/agent-protocol/v1.ts";
import { usageReportTimeProblem } from "#app/domain/device-footprint.ts";
import { EARLIEST_BEFORE_ENROLLMENT_MS } from "#app/domain/ingest-rules.ts";
import { recordUsageReport } from "#app/models/device-footprint.server.ts";
import {
  agentError,
  readLimitedBody,
  requireDevice,
  zodIssues,
} from "#app/web/agent-http.server.ts";
import { agentRefusal } from "#app/web/refusal-response.server.ts";

export async function loader() {
  return agentError(405, "invalid_request", "Use POST to report the agent's own resource use.");
}

/** POST /api/agent/v1/usage: the agent's own CPU time and memory since its previous report. */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST")
    return agentError(405, "invalid_request", "Use POST to report the agent's own resource use.");
  const device = await requireDevice(request, "usage");
  const text = await readLimitedBody(request, {
    limit: LIMITS.maxUsageReportBytes,
    tooLargeMessage: `A usage report may be at most ${LIMITS.maxUsageReportBytes} bytes.`,
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return agentError(400, "invalid_request", "The body must be JSON.");
  }
  const parsed = UsageReportSchema.safeParse(body);
  if (!parsed.success) {
    return agentError(
      400,
      "invalid_request",
      "The usage report is not valid; nothing was stored.",
      {
        issues: zodIssues(parsed.error).slice(0, 20),
      },
    );
  }
  const now = new Date();
  const problem = usageReportTimeProblem(
    parsed.data,
    { now, enrolledAt: device.enrolledAt },
    {
      futureToleranceMs: LIMITS.futureToleranceMs,
      earliestBeforeEnrollmentMs: EARLIEST_BEFORE_ENROLLMENT_MS,
    },
  );
  if (problem) {
    return agentError(400, "invalid_request", `${problem.message} Nothing was stored.`, {
      issues: [{ path: problem.field, message: problem.message }],
    });
  }
  const result = await recordUsageReport(device.id, parsed.data, now);
  if (!result.ok) return agentRefusal(result.refusal);
  const answer: UsageReportResult = {
    periodEnd: parsed.data.periodEnd,
    duplicate: result.value.duplicate,
  };
  return Response.json(answer, { headers: { "Cache-Control": "no-store" } });
}
