import { parseWithZod } from "@conform-to/zod";
import { data } from "@remix-run/node";
import { ExemptionRequestSchema } from "#app/domain/exemption-forms.ts";
import type { Weekday } from "#app/domain/exemption.ts";
import { normalizeScope, type DraftField } from "#app/domain/exemption-draft.ts";
import { localToUtc } from "#app/domain/local-time.ts";
import { fileExemptionRequest } from "#app/models/exemption.server.ts";
import type { SessionUser } from "./auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalReply } from "./refusal-response.server.ts";
import { readForm } from "./request-body.server.ts";

/** Which form field shows each rule's message. */
const FIELD_FOR: Partial<Record<string, string>> = {
  start: "startDate",
  end: "endDate",
  recurrenceDays: "days",
  recurrenceEnd: "toTime",
  scopeTypes: "scopeTypes",
} satisfies Record<DraftField, string>;

/**
 * Files a worker's exemption request: parse (the form's own schema) →
 * local times to UTC in the worker's zone → the rules → one transaction.
 * Errors come back on the fields they concern, and nothing is stored.
 */
export async function handleFileExemption(request: Request, user: SessionUser, now = new Date()) {
  const submission = parseWithZod(await readForm(request), { schema: ExemptionRequestSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const value = submission.value;
  const tz = user.timezone;
  const start = localToUtc(value.startDate, value.startTime, tz);
  const end = localToUtc(value.endDate, value.endTime, tz);
  const fieldErrors: Record<string, string[]> = {};
  if (!start.ok)
    fieldErrors.startTime = [`That time does not exist on that day in ${tz} (the clocks change).`];
  if (!end.ok)
    fieldErrors.endTime = [`That time does not exist on that day in ${tz} (the clocks change).`];
  if (!start.ok || !end.ok) {
    return data({ result: submission.reply({ fieldErrors }) }, { status: 400 });
  }
  const result = await fileExemptionRequest({
    workerId: user.id,
    input: {
      reason: value.reason,
      justification: value.justification,
      scopeTypes: value.scope === "all" ? null : normalizeScope(value.scopeTypes ?? []),
      startsAt: start.instant,
      endsAt: end.instant,
      recurrence:
        value.repeat === "weekly"
          ? {
              days: [...new Set(value.days ?? [])].sort() as Weekday[],
              startTime: value.fromTime!,
              endTime: value.toTime!,
            }
          : null,
      timeZone: tz,
    },
    now,
  });
  if (!result.ok) {
    return refusalReply(submission, result.refusal, {
      fieldFor: (issue) => FIELD_FOR[issue.field ?? ""],
    });
  }
  return redirectWithToast(`/exemptions/${result.id}`, {
    kind: "success",
    message:
      "Request sent. A reviewer will decide it; you will see the decision here and by email.",
  });
}
