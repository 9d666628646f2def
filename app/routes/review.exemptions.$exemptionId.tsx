import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ExemptionFacts, ExemptionTimeline } from "#app/components/exemption-details.tsx";
import { StatusBadge } from "#app/components/status-badge.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, TextareaField } from "#app/components/ui/field.tsx";
import { ExemptionDecisionSchema } from "#app/domain/exemption-forms.ts";
import { presentExemption, presentTimeline } from "#app/domain/exemption-presenter.ts";
import { changeExemptionStatus, getExemptionForReview } from "#app/models/exemption.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Exemption request · Review · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const now = new Date();
  const found = await getExemptionForReview({
    id: params.exemptionId ?? "",
    reviewerId: reviewer.id,
    now,
  });
  if (!found) notFound();
  const { request: row, past } = found;
  const tz = reviewer.timezone;
  const presented = presentExemption(row, now, tz);
  const own = row.workerId === reviewer.id;
  return {
    exemption: presented,
    worker: { name: row.worker.name, email: row.worker.email, timezone: row.worker.timezone },
    justification: row.justification,
    decisionNote: row.decisionNote,
    timeline: presentTimeline(row, row.history, now, tz),
    past: past.map((p) => presentExemption(p, now, tz)),
    own,
    canDecide: !own && presented.status === "PENDING",
    canRevoke: !own && presented.status === "APPROVED",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const submission = parseWithZod(await readForm(request), { schema: ExemptionDecisionSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const id = params.exemptionId ?? "";
  const { intent, note } = submission.value;
  const result = await changeExemptionStatus({
    id,
    actor: { id: reviewer.id, role: reviewer.role },
    action: intent,
    note,
    now: new Date(),
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  const done = { approve: "approved", deny: "denied", revoke: "revoked" }[intent];
  return redirectWithToast(`/review/exemptions/${id}`, {
    kind: "success",
    message: `Request ${done}. The worker has been told${intent === "deny" ? "" : " and their agents updated"}.`,
  });
}

export default function ReviewExemptionPage() {
  const loaderData = useLoaderData<typeof loader>();
  const { exemption, worker, justification, decisionNote, timeline, past, own } = loaderData;
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to="/review/exemptions">← Exemption requests</Link>
        </p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">
          {worker.name}: {exemption.reason.toLowerCase()} exemption
        </h1>
        <p className="mt-1 text-ink-muted">
          {worker.email} · time zone {worker.timezone}. This visit is recorded in {worker.name}'s
          access log.
        </p>
      </div>
      <Card>
        <ExemptionFacts
          exemption={exemption}
          justification={justification}
          decisionNote={decisionNote}
        />
      </Card>
      {own ? (
        <p
          className="rounded-card border border-line bg-surface-sunken p-4"
          data-testid="own-request"
        >
          This is your own request. Another reviewer or an admin must decide it.
        </p>
      ) : loaderData.canDecide || loaderData.canRevoke ? (
        <DecisionForm revoke={loaderData.canRevoke} />
      ) : null}
      <Card title="History" titleId="history-heading">
        <ExemptionTimeline entries={timeline} />
      </Card>
      <Card title={`${worker.name}'s other requests`} titleId="past-heading">
        {past.length === 0 ? (
          <p className="text-sm text-ink-muted">None.</p>
        ) : (
          <ul className="divide-y divide-line">
            {past.map((p) => (
              <li key={p.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  {p.reason}: {p.period}
                  <span className="block text-sm text-ink-muted">{p.schedule}</span>
                </span>
                <StatusBadge status={p.status} label={p.statusLabel} />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function DecisionForm({ revoke }: { revoke: boolean }) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "exemption-decision",
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ExemptionDecisionSchema }),
    shouldValidate: "onSubmit",
  });
  const busy = navigation.state === "submitting";
  return (
    <Card title={revoke ? "Revoke this exemption" : "Decide"} titleId="decide-heading">
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <TextareaField
          label={`Note to the worker ${revoke ? "(required)" : "(required to deny)"}`}
          errors={fields.note.errors}
          errorId={fields.note.errorId}
          textareaProps={{ ...getTextareaProps(fields.note), id: fields.note.id }}
        />
        <div className="flex flex-wrap gap-3">
          {revoke ? (
            <Button type="submit" name="intent" value="revoke" variant="danger" disabled={busy}>
              Revoke exemption
            </Button>
          ) : (
            <>
              <Button type="submit" name="intent" value="approve" disabled={busy}>
                Approve
              </Button>
              <Button type="submit" name="intent" value="deny" variant="secondary" disabled={busy}>
                Deny
              </Button>
            </>
          )}
        </div>
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
      </Form>
    </Card>
  );
}
