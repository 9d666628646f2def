import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ExemptionFacts, ExemptionTimeline } from "#app/components/exemption-details.tsx";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { confirmStep, needsConfirmation } from "#app/domain/confirmation.ts";
import { exemptionChangeKey, ExemptionWorkerChangeSchema } from "#app/domain/exemption-forms.ts";
import { presentExemption, presentTimeline } from "#app/domain/exemption-presenter.ts";
import { changeExemptionStatus, getOwnExemption } from "#app/models/exemption.server.ts";
import { markNotificationsRead } from "#app/models/notification.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Exemption request · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const row = await getOwnExemption(user.id, params.exemptionId ?? "");
  if (!row) notFound();
  // Seeing the request is reading the decision: its notification stops counting as unread.
  await markNotificationsRead(user.id, now, `/exemptions/${row.id}`);
  const presented = presentExemption(row, now, user.timezone);
  return {
    exemption: presented,
    justification: row.justification,
    decisionNote: row.decisionNote,
    timeline: presentTimeline(row, row.history, now, user.timezone),
    canWithdraw: presented.status === "PENDING",
    canEnd: presented.status === "APPROVED",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: ExemptionWorkerChangeSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const id = params.exemptionId ?? "";
  // Someone else's request is not found before anything is asked.
  if (!(await getOwnExemption(user.id, id))) notFound();
  const key = exemptionChangeKey(submission.value.intent, id);
  if (needsConfirmation(form, key)) return data(confirmStep(key));
  const result = await changeExemptionStatus({
    id,
    actor: { id: user.id, role: "WORKER" },
    action: submission.value.intent,
    note: null,
    now: new Date(),
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast(`/exemptions/${id}`, {
    kind: "success",
    message:
      submission.value.intent === "withdraw"
        ? "Request withdrawn."
        : "Exemption ended. Your agents collect again from now on.",
  });
}

export default function ExemptionPage() {
  const { exemption, justification, decisionNote, timeline, canWithdraw, canEnd } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const change = canWithdraw ? "withdraw" : "end";
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to="/exemptions">← Exemptions</Link>
        </p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">{exemption.reason} exemption</h1>
      </div>
      <Card>
        <ExemptionFacts
          exemption={exemption}
          justification={justification}
          decisionNote={decisionNote}
        />
        {canWithdraw || canEnd ? (
          <div className="mt-5 space-y-2">
            <ConfirmForm
              confirmKey={exemptionChangeKey(change, exemption.id)}
              fields={{ intent: change }}
              title={canWithdraw ? "Withdraw this request?" : "End this exemption now?"}
              confirmLabel={canWithdraw ? "Withdraw request" : "End exemption"}
              triggerLabel={canWithdraw ? "Withdraw request" : "End exemption now"}
              triggerVariant="secondary"
            >
              <p>
                {canWithdraw
                  ? "No reviewer will decide it. To be exempted later, you would send a new request."
                  : "Your agents collect again from now on for what it covered. An ended exemption cannot be restarted: you would send a new request."}
              </p>
            </ConfirmForm>
            <div role="alert">
              <ErrorList
                errors={actionData && "result" in actionData ? actionData.result.error?.[""] : null}
              />
            </div>
          </div>
        ) : null}
      </Card>
      <Card title="History" titleId="history-heading">
        <ExemptionTimeline entries={timeline} />
      </Card>
    </div>
  );
}
