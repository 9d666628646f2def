import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ExemptionFacts, ExemptionTimeline } from "#app/components/exemption-details.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { ExemptionWorkerChangeSchema } from "#app/domain/exemption-forms.ts";
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
  const submission = parseWithZod(await readForm(request), {
    schema: ExemptionWorkerChangeSchema,
  });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const id = params.exemptionId ?? "";
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
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
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
          <Form method="post" className="mt-5 space-y-2">
            <input type="hidden" name="intent" value={canWithdraw ? "withdraw" : "end"} />
            <Button type="submit" variant="secondary" disabled={busy}>
              {canWithdraw ? "Withdraw request" : "End exemption now"}
            </Button>
            <div role="alert">
              <ErrorList errors={actionData?.result.error?.[""] ?? null} />
            </div>
          </Form>
        ) : null}
      </Card>
      <Card title="History" titleId="history-heading">
        <ExemptionTimeline entries={timeline} />
      </Card>
    </div>
  );
}
