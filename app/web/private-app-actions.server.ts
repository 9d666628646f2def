import { parseWithZod } from "@conform-to/zod";
import { data } from "@remix-run/node";
import { confirmStep, needsConfirmation } from "#app/domain/confirmation.ts";
import {
  AddPrivateAppSchema,
  PrivateAppIdSchema,
  purgePrivateAppKey,
} from "#app/domain/private-app-rules.ts";
import {
  addPrivateApp,
  findPrivateAppFor,
  purgePrivateApp,
  removePrivateApp,
  type PrivateAppScope,
} from "#app/models/private-app.server.ts";
import { countOf } from "#app/domain/formatting.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalData, refusalReply } from "./refusal-response.server.ts";
import { readForm } from "./request-body.server.ts";

/** A label in quotes, cut short so a confirmation stays a sentence (and inside a toast's 300 characters). */
const quoted = (label: string) => `"${label.length > 60 ? `${label.slice(0, 59)}…` : label}"`;

/**
 * The private-application forms (ADR 0041) behind /privacy (a worker's own
 * list, and deleting what an entry covers) and /admin/privacy (the
 * organisation's list): guard done by the caller → parse → command → redirect
 * with a confirmation, or 400 with the rule's words and nothing changed.
 * Another worker's entry, or the organisation's for a worker's removal, is 404.
 */
export async function handlePrivateAppAction(
  request: Request,
  scope: PrivateAppScope,
  returnTo: string,
  now = new Date(),
) {
  const formData = await readForm(request);
  if (formData.get("intent") === "add") {
    const submission = parseWithZod(formData, { schema: AddPrivateAppSchema });
    if (submission.status !== "success") {
      return data({ intent: "add" as const, result: submission.reply() }, { status: 400 });
    }
    const added = await addPrivateApp(scope, submission.value.app, now);
    if (!added.ok) {
      return refusalReply(submission, added.refusal, { extra: { intent: "add" as const } });
    }
    return redirectWithToast(returnTo, {
      kind: "success",
      message:
        scope.kind === "worker"
          ? `${quoted(submission.value.app)} is private: your agents stop recording it, and anything they still send from it is discarded.`
          : `${quoted(submission.value.app)} is private for everyone from now on.`,
    });
  }

  const submission = parseWithZod(formData, { schema: PrivateAppIdSchema });
  if (
    submission.status !== "success" ||
    (scope.kind === "organisation" && submission.value.intent !== "remove")
  ) {
    return data(
      { intent: "change" as const, message: "Choose an entry on the list, then try again." },
      { status: 400 },
    );
  }
  const { intent, id } = submission.value;

  if (intent === "remove") {
    const removed = await removePrivateApp(scope, id, now);
    if (!removed.ok) {
      return refusalData(removed.refusal, {
        intent: "change" as const,
        message: removed.refusal.message,
      });
    }
    return redirectWithToast(returnTo, {
      kind: "success",
      message:
        scope.kind === "worker"
          ? `${quoted(removed.label)} is no longer on your private list; it is recorded again from now on.`
          : `${quoted(removed.label)} is no longer private for everyone.`,
    });
  }

  if (scope.kind !== "worker") notFound();
  // Another worker's entry is not found before anything is asked (ADR 0027).
  if (!(await findPrivateAppFor(scope.workerId, id))) notFound();
  const key = purgePrivateAppKey(id);
  if (needsConfirmation(formData, key)) return data(confirmStep(key));
  const purged = await purgePrivateApp(scope.workerId, id, now);
  if (!purged.ok) {
    return refusalData(purged.refusal, {
      intent: "change" as const,
      message: purged.refusal.message,
    });
  }
  const url = new URL(returnTo, "http://lull.invalid");
  url.searchParams.set("receipt", purged.receiptId);
  return redirectWithToast(`${url.pathname}${url.search}`, {
    kind: "success",
    message: `Deleted ${countOf(purged.events, "stored event")} of ${quoted(purged.label)}. A signed deletion receipt was issued.`,
  });
}
