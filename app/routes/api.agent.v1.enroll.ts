import type { ActionFunctionArgs } from "@remix-run/node";
import { EnrollRequestSchema, LIMITS, type EnrollResponse } from "#app/agent-protocol/v1.ts";
import { enrollDevice } from "#app/models/device.server.ts";
import { agentError, readLimitedBody, zodIssues } from "#app/web/agent-http.server.ts";
import { agentRefusal } from "#app/web/refusal-response.server.ts";
import { createRateLimiter } from "#app/utils/rate-limit.server.ts";

/**
 * Failed enrollment attempts per client address: with 40-bit single-use codes,
 * 10 guesses a minute make guessing hopeless, while an office behind one
 * address can enroll as many machines as it likes.
 */
const failedEnrollments = createRateLimiter({
  name: "agent.failed-enrollment",
  limit: 10,
  windowMs: 60_000,
});

export async function loader() {
  return agentError(405, "invalid_request", "Use POST to enroll a device.");
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST")
    return agentError(405, "invalid_request", "Use POST to enroll a device.");
  const verdict = await failedEnrollments.check(context.clientIp);
  if (!verdict.allowed) {
    return agentError(
      429,
      "rate_limited",
      `Too many enrollment attempts. Try again in ${verdict.retryAfterSeconds} seconds.`,
      {
        headers: { "Retry-After": String(verdict.retryAfterSeconds) },
      },
    );
  }
  const text = await readLimitedBody(request, {
    limit: LIMITS.maxEnrollBytes,
    tooLargeMessage: `An enrollment request may be at most ${LIMITS.maxEnrollBytes} bytes.`,
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    await failedEnrollments.hit(context.clientIp);
    return agentError(400, "invalid_request", "The body must be JSON.");
  }
  const parsed = EnrollRequestSchema.safeParse(body);
  if (!parsed.success) {
    await failedEnrollments.hit(context.clientIp);
    return agentError(400, "invalid_request", "The enrollment request is not valid.", {
      issues: zodIssues(parsed.error),
    });
  }
  const result = await enrollDevice(parsed.data, new Date());
  if (!result.ok) {
    await failedEnrollments.hit(context.clientIp);
    return agentRefusal(result.refusal);
  }
  const response: EnrollResponse = { deviceId: result.deviceId, token: result.token };
  return Response.json(response, { status: 201, headers: { "Cache-Control": "no-store" } });
}
