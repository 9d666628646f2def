import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ExemptionFacts, ExemptionTimeline, YourTime } from "#app/components/exemption-details.tsx";
import { StatusBadge } from "#app/components/status-badge.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, TextareaField } from "#app/components/ui/field.tsx";
import { decisionOf, ExemptionDecisionSchema } from "#app/domain/exemption-forms.ts";
import { presentExemptionForStaff, presentTimeline } from "#app/domain/exemption-presenter.ts";
import {
  changeExemptionStatus,
  findExemptionWorker,
  findNextToDecide,
  getExemptionForReview,
} from "#app/models/exemption.server.ts";
import { PurposeGate } from "#app/components/purpose-field.tsx";
import { PURPOSE_KEYS } from "#app/domain/purposes.ts";
import { purposeFromForm, purposeFromUrl, purposeGate } from "#app/web/access-purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Exemption request · Review · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const now = new Date();
  const id = params.exemptionId ?? "";
  const subject = await findExemptionWorker(id);
  if (!subject) notFound();
  // Someone else's request is an access to their data: it names a purpose first (ADR 0042).
  const purpose = subject.workerId === reviewer.id ? null : await purposeFromUrl(request, now);
  if (purpose && !purpose.ok) {
    const { gate, status } = await purposeGate(purpose, now, PURPOSE_KEYS.exemptionReview);
    return data({ gate, workerName: subject.worker.name } as const, { status });
  }
  const found = await getExemptionForReview({
    id,
    reviewerId: reviewer.id,
    purposeId: purpose?.purpose.id ?? null,
    now,
  });
  if (!found) notFound();
  const { request: row, past } = found;
  const tz = reviewer.timezone;
  const presented = presentExemptionForStaff(row, now, tz);
  const own = row.workerId === reviewer.id;
  return {
    gate: null,
    purpose: purpose ? { key: purpose.purpose.key, name: purpose.purpose.name } : null,
    exemption: presented,
    worker: { name: row.worker.name, email: row.worker.email, timezone: row.worker.timezone },
    /** The zone the request was filed in; its times are shown in it. */
    requestZone: row.timeZone,
    justification: row.justification,
    decisionNote: row.decisionNote,
    timeline: presentTimeline(row, row.history, now, row.timeZone, tz),
    past: past.map((p) => presentExemptionForStaff(p, now, tz)),
    own,
    canDecide: !own && presented.status === "PENDING",
    canRevoke: !own && presented.status === "APPROVED",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: ExemptionDecisionSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const id = params.exemptionId ?? "";
  const { action: decision, next } = decisionOf(submission.value.intent);
  const now = new Date();
  // The purpose named when the request was opened: recorded with the decision, and carried on
  // to the next request opened (ADR 0042).
  const named = await purposeFromForm(form, now);
  const result = await changeExemptionStatus({
    id,
    actor: { id: reviewer.id, role: reviewer.role },
    action: decision,
    note: submission.value.note,
    purposeId: named.ok ? named.purpose.id : null,
    now,
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  const done = { approve: "approved", deny: "denied", revoke: "revoked" }[decision];
  const withPurpose = (path: string) =>
    named.ok ? `${path}?purpose=${encodeURIComponent(named.purpose.key)}` : path;
  const told = `Request ${done}. The worker has been told${decision === "deny" ? "" : " and their agents updated"}.`;
  if (!next) {
    return redirectWithToast(withPurpose(`/review/exemptions/${id}`), {
      kind: "success",
      message: told,
    });
  }
  const nextId = await findNextToDecide({ afterId: id, reviewerId: reviewer.id, now });
  return nextId
    ? redirectWithToast(withPurpose(`/review/exemptions/${nextId}`), {
        kind: "success",
        message: `${told} This is the next request.`,
      })
    : redirectWithToast("/review/exemptions", {
        kind: "success",
        message: `${told} Queue is empty: nothing else waits for your decision.`,
      });
}

export default function ReviewExemptionPage() {
  const loaded = useLoaderData<typeof loader>();
  if (loaded.gate) {
    return (
      <div className="max-w-3xl space-y-6">
        <p className="text-sm">
          <Link to="/review/exemptions">← Exemption requests</Link>
        </p>
        <h1 className="text-3xl font-bold tracking-tight">
          {loaded.workerName}'s exemption request
        </h1>
        <PurposeGate
          title="Why are you opening it?"
          what={`${loaded.workerName}'s exemption request`}
          gate={loaded.gate}
        />
      </div>
    );
  }
  const loaderData = loaded;
  const { exemption, worker, requestZone, justification, decisionNote, timeline, past, own } =
    loaderData;
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
          access log
          {loaderData.purpose ? (
            <>
              {" "}
              with its purpose, <span data-testid="access-purpose">{loaderData.purpose.name}</span>
            </>
          ) : null}
          .
        </p>
        <p className="mt-1 text-sm text-ink-muted" data-testid="request-zone">
          {requestZone === worker.timezone
            ? `Times are in ${worker.name}'s time zone, ${requestZone}; yours is beside them where it differs.`
            : `Times are in ${requestZone}, where ${worker.name} was when asking (the weekly hours run in it); yours is beside them where it differs.`}
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
        // Keyed by request: "…and next" lands on this same page for another request, whose
        // form must start empty, never with the note written to the previous worker.
        <DecisionForm
          key={exemption.id}
          revoke={loaderData.canRevoke}
          purpose={loaderData.purpose?.key ?? null}
        />
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
                  <YourTime text={p.periodYours} />
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

function DecisionForm({ revoke, purpose }: { revoke: boolean; purpose: string | null }) {
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
        {/* "…and next" opens the next request for the same purpose. */}
        {purpose ? <input type="hidden" name="purpose" value={purpose} /> : null}
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
              <Button type="submit" name="intent" value="approve-next" disabled={busy}>
                Approve and next
              </Button>
              <Button type="submit" name="intent" value="deny" variant="secondary" disabled={busy}>
                Deny
              </Button>
              <Button
                type="submit"
                name="intent"
                value="deny-next"
                variant="secondary"
                disabled={busy}
              >
                Deny and next
              </Button>
            </>
          )}
        </div>
        {revoke ? null : (
          <p className="text-sm text-ink-muted">
            “…and next” decides the same way, then opens the next request waiting for you, oldest
            first.
          </p>
        )}
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
      </Form>
    </Card>
  );
}
