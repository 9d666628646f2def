import { parseWithZod } from "@conform-to/zod";
import { data } from "@remix-run/node";
import { formatDay, localToUtc } from "#app/domain/local-time.ts";
import {
  ForgetFormSchema,
  PauseChangeSchema,
  pauseNowSchema,
  schedulePauseSchema,
} from "#app/domain/pause-forms.ts";
import { forgetRecent } from "#app/models/forget.server.ts";
import { countOf } from "#app/domain/formatting.ts";
import { ABSOLUTE_MAX_PAUSE_MINUTES } from "#app/domain/pause-policy.ts";
import { describeSpan, timeWithZone } from "#app/domain/pause-presenter.ts";
import { safeRedirect } from "#app/domain/safe-redirect.ts";
import type { Refusal } from "#app/domain/refusal.ts";
import { confirmStep, needsConfirmation } from "#app/domain/confirmation.ts";
import { pauseChangeKey } from "#app/domain/pause-forms.ts";
import { changePause, checkPauseChange, createPause } from "#app/models/pause.server.ts";
import type { SessionUser } from "./auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalData, refusalReply } from "./refusal-response.server.ts";
import { readForm } from "./request-body.server.ts";

/** Starting now: the duration rules on the duration, every other rule above the form. */
function startField(issue: Refusal): string | undefined {
  return issue.field === "durationMinutes" ? "durationMinutes" : undefined;
}

/** Scheduling: which form field shows each rule's message. */
function scheduleField(issue: Refusal): string {
  if (issue.field === "durationMinutes") return "durationMinutes";
  return issue.code === "too_far_ahead" ? "date" : "time";
}

/**
 * The pause form actions (start, schedule, end, cancel, and forgetting the
 * last minutes, ADR 0041) behind /pauses and
 * the home page: guard done by the caller → parse → rules → one transaction
 * → audit → redirect with a confirmation, or 400 with the rule's words.
 * The server's schemas allow up to the absolute 30-minute limit; the policy's
 * own maximum is a rule in pause-policy.ts, so its message is the same everywhere.
 */
export async function handlePauseAction(request: Request, user: SessionUser, now = new Date()) {
  const formData = await readForm(request);
  const intent = formData.get("intent");
  const returnTo = safeRedirect(formData.get("returnTo"), "/pauses");
  const tz = user.timezone;

  if (intent === "start") {
    const submission = parseWithZod(formData, {
      schema: pauseNowSchema(ABSOLUTE_MAX_PAUSE_MINUTES),
    });
    if (submission.status !== "success") {
      return data({ intent: "start" as const, result: submission.reply() }, { status: 400 });
    }
    const result = await createPause({
      workerId: user.id,
      timeZone: tz,
      request: { kind: "NOW", durationMinutes: submission.value.durationMinutes },
      now,
    });
    if (!result.ok) {
      return refusalReply(submission, result.refusal, {
        extra: { intent: "start" as const },
        fieldFor: startField,
      });
    }
    return redirectWithToast(returnTo, {
      kind: "success",
      message: `Tracking paused until ${timeWithZone(result.pause.endsAt, tz)}.`,
    });
  }

  if (intent === "forget") {
    const parsed = ForgetFormSchema.safeParse(Object.fromEntries(formData));
    if (!parsed.success) {
      return data(
        {
          intent: "forget" as const,
          message: "Choose how many minutes to forget, then try again.",
        },
        { status: 400 },
      );
    }
    const result = await forgetRecent({
      workerId: user.id,
      timeZone: tz,
      minutes: parsed.data.minutes,
      now,
    });
    if (!result.ok) {
      return refusalData(result.refusal, {
        intent: "forget" as const,
        message: result.refusal.message,
      });
    }
    const events = countOf(result.events, "event");
    return redirectWithToast(returnTo, {
      kind: "success",
      message: `Forgot ${describeSpan(result.forget.startsAt, result.forget.endsAt, tz)}: ${events} deleted from every device, and anything your agents still held from then will not be kept. The signed receipt is in your data history.`,
    });
  }

  if (intent === "schedule") {
    const submission = parseWithZod(formData, {
      schema: schedulePauseSchema(ABSOLUTE_MAX_PAUSE_MINUTES),
    });
    if (submission.status !== "success") {
      return data({ intent: "schedule" as const, result: submission.reply() }, { status: 400 });
    }
    const { date, time, durationMinutes } = submission.value;
    const start = localToUtc(date, time, tz);
    if (!start.ok) {
      const fieldErrors: Record<string, string[]> =
        start.reason === "invalid"
          ? { date: ["That date does not exist. Choose another."] }
          : {
              time: [
                `${time} on ${formatDay(new Date(`${date}T12:00:00Z`), "UTC")} does not exist in ${tz}: the clocks skip it that night. Choose another time.`,
              ],
            };
      return data(
        { intent: "schedule" as const, result: submission.reply({ fieldErrors }) },
        { status: 400 },
      );
    }
    const result = await createPause({
      workerId: user.id,
      timeZone: tz,
      request: { kind: "SCHEDULED", startsAt: start.instant, durationMinutes },
      now,
    });
    if (!result.ok) {
      return refusalReply(submission, result.refusal, {
        extra: { intent: "schedule" as const },
        fieldFor: scheduleField,
      });
    }
    return redirectWithToast(returnTo, {
      kind: "success",
      message: `Pause scheduled for ${describeSpan(result.pause.startsAt, result.pause.endsAt, tz)}.`,
    });
  }

  const submission = parseWithZod(formData, { schema: PauseChangeSchema });
  if (submission.status !== "success") {
    return data(
      { intent: "change" as const, message: "Choose a pause to end or cancel, then try again." },
      { status: 400 },
    );
  }
  const { intent: change, pauseId } = submission.value;
  const check = await checkPauseChange({ workerId: user.id, pauseId, change, now });
  if (!check.ok) {
    return refusalData(check.refusal, {
      intent: "change" as const,
      message: check.refusal.message,
    });
  }
  const key = pauseChangeKey(change, pauseId);
  if (needsConfirmation(formData, key))
    return data({ intent: "confirm" as const, ...confirmStep(key) });
  const result = await changePause({ workerId: user.id, pauseId, change, now });
  if (!result.ok) {
    return refusalData(result.refusal, {
      intent: "change" as const,
      message: result.refusal.message,
    });
  }
  return redirectWithToast(returnTo, {
    kind: "success",
    message: change === "end" ? "Pause ended. Tracking is on again." : "Scheduled pause cancelled.",
  });
}
