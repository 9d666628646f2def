import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { PurposeGate } from "#app/components/purpose-field.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { formatDateTime, formatLongDay } from "#app/domain/local-time.ts";
import { PURPOSE_KEYS } from "#app/domain/purposes.ts";
import { canExtend, deadlineClock, formatDueDay } from "#app/domain/rights-deadlines.ts";
import {
  describeRightsTarget,
  OUTCOME_LIMITS,
  RIGHTS_KIND_HINTS,
  RIGHTS_KIND_LABELS,
  RIGHTS_STATUS_LABELS,
  RightsReviewSchema,
} from "#app/domain/rights-forms.ts";
import { getCurrentPurposes } from "#app/models/purpose.server.ts";
import {
  addRightsNote,
  decideRightsRequest,
  extendRightsRequest,
  findRightsRequestWorker,
  getRightsRequestForReview,
} from "#app/models/rights.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import {
  purposeFromForm,
  purposeFromUrl,
  purposeGate,
  purposeRefused,
} from "#app/web/access-purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Rights request · Review · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const now = new Date();
  const id = params.requestId ?? "";
  const subject = await findRightsRequestWorker(id);
  if (!subject) notFound();
  // Someone else's request is an access to their data: it names a purpose first (ADR 0042).
  const purpose = subject.workerId === reviewer.id ? null : await purposeFromUrl(request, now);
  if (purpose && !purpose.ok) {
    const { gate, status } = await purposeGate(purpose, now, PURPOSE_KEYS.rightsRequest);
    return data({ gate, workerName: subject.worker.name } as const, { status });
  }
  const found = await getRightsRequestForReview({
    id,
    reviewerId: reviewer.id,
    purposeId: purpose?.purpose.id ?? null,
    now,
  });
  if (!found) notFound();
  const { request: r, records, datasets } = found;
  const tz = reviewer.timezone;
  const purposes = await getCurrentPurposes(now);
  const purposeName = r.purposeKey
    ? (purposes.find((p) => p.key === r.purposeKey)?.name ?? r.purposeKey)
    : null;
  const clock = deadlineClock(r, now, tz);
  const own = r.workerId === reviewer.id;
  return {
    gate: null,
    purpose: purpose ? { key: purpose.purpose.key, name: purpose.purpose.name } : null,
    own,
    id: r.id,
    worker: { name: r.worker.name, email: r.worker.email, timezone: r.worker.timezone },
    kindLabel: RIGHTS_KIND_LABELS[r.kind],
    hint: RIGHTS_KIND_HINTS[r.kind],
    status: r.status,
    statusLabel: RIGHTS_STATUS_LABELS[r.status],
    what: describeRightsTarget(r, tz, purposeName),
    details: r.details,
    filed: formatDateTime(r.createdAt, tz),
    due: formatDueDay(r.dueAt, tz),
    clock:
      clock.state === "closed" ? null : { overdue: clock.state === "overdue", label: clock.label },
    firstDue: r.extendedAt ? formatDueDay(r.firstDueAt, tz) : null,
    extensionReason: r.extensionReason,
    decided: r.decidedAt ? formatDateTime(r.decidedAt, tz) : null,
    decidedBy: r.decidedBy?.name ?? null,
    outcome: r.outcome,
    lifted: r.liftedAt ? formatDateTime(r.liftedAt, tz) : null,
    // Staff notes are about the worker, for staff: not shown to the worker, even a reviewer.
    notes: (own ? [] : r.notes).map((n) => ({
      id: n.id,
      body: n.body,
      author: n.author.name,
      at: formatDateTime(n.createdAt, tz),
    })),
    records: records
      ? {
          total: records.total,
          groups: records.groups,
          first: records.first.map((e) => ({
            id: e.id,
            type: e.type,
            app: e.app,
            at: { iso: e.at.toISOString(), text: formatDateTime(e.at, tz) },
          })),
        }
      : null,
    datasets: datasets.map((d) => ({
      id: d.id,
      name: d.name,
      purpose: d.purpose,
      built: formatLongDay(d.builtAt, tz),
      events: d.events,
    })),
    canAct: !own && r.status === "OPEN",
    canExtend: !own && canExtend(r),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: RightsReviewSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const id = params.requestId ?? "";
  const now = new Date();
  // Acting on someone else's request is an access too: it names its purpose (the form carries
  // the one chosen when the page was opened), recorded with the action.
  const named = await purposeFromForm(form, now);
  if (!named.ok) return purposeRefused(named.refusal);
  const base = { id, reviewerId: reviewer.id, purposeId: named.purpose.id, now };
  const value = submission.value;
  const result =
    value.intent === "note"
      ? await addRightsNote({ ...base, body: value.body })
      : value.intent === "extend"
        ? await extendRightsRequest({
            ...base,
            months: value.months as 1 | 2,
            reason: value.reason,
          })
        : await decideRightsRequest({ ...base, decision: value.intent, outcome: value.outcome });
  if (!result.ok) return refusalReply(submission, result.refusal);
  const message = {
    note: "Note added.",
    extend: "Deadline extended. The worker has been told why.",
    accept: "Request accepted and its outcome applied. The worker has been told.",
    reject: "Request rejected. The worker has been told why.",
  }[value.intent];
  return redirectWithToast(
    `/review/rights/${id}?purpose=${encodeURIComponent(named.purpose.key)}`,
    { kind: "success", message },
  );
}

const inputClass = "mt-1 block w-full rounded-lg border border-line bg-surface-raised px-3 py-2";

function ActionForm({
  intent,
  purpose,
  title,
  children,
  submit,
  variant = "primary",
}: {
  intent: string;
  purpose: string;
  title: string;
  children: ReactNode;
  submit: string;
  variant?: "primary" | "secondary" | "danger";
}) {
  const navigation = useNavigation();
  return (
    <Form
      method="post"
      className="space-y-3 rounded-card border border-line bg-surface-raised p-5"
      aria-label={title}
    >
      <h3 className="font-semibold">{title}</h3>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="purpose" value={purpose} />
      {children}
      <Button type="submit" variant={variant} disabled={navigation.state === "submitting"}>
        {submit}
      </Button>
    </Form>
  );
}

export default function ReviewRightsRequestPage() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (loaded.gate) {
    return (
      <div className="max-w-3xl space-y-6">
        <p className="text-sm">
          <Link to="/review/rights">← Rights requests</Link>
        </p>
        <h1 className="text-3xl font-bold tracking-tight">{loaded.workerName}'s rights request</h1>
        <PurposeGate
          title="Why are you opening it?"
          what={`${loaded.workerName}'s rights request`}
          gate={loaded.gate}
        />
      </div>
    );
  }
  const r = loaded;
  const result = actionData?.result as
    { error?: Record<string, string[] | null> | null } | undefined;
  const errors = result?.error ?? {};
  const all = Object.values(errors).flatMap((e) => e ?? []);
  const purpose = r.purpose?.key ?? "";
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to="/review/rights">← Rights requests</Link>
        </p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">
          {r.worker.name}: {r.kindLabel.toLowerCase()}
        </h1>
        <p className="mt-1 text-ink-muted">
          {r.worker.email} · time zone {r.worker.timezone}.
          {r.purpose ? (
            <>
              {" "}
              This visit is recorded in {r.worker.name}'s access log with its purpose,{" "}
              <span data-testid="access-purpose">{r.purpose.name}</span>.
            </>
          ) : null}
        </p>
      </div>
      {all.length > 0 ? <ErrorList errors={all} /> : null}
      <Card>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-ink-muted">Status</dt>
          <dd data-testid="rights-status">
            <ToneBadge tone={r.status === "ACCEPTED" ? "ok" : "muted"}>{r.statusLabel}</ToneBadge>
            {r.lifted ? <span className="ml-2">Lifted on {r.lifted}</span> : null}
          </dd>
          <dt className="text-ink-muted">Concerns</dt>
          <dd>{r.what}</dd>
          <dt className="text-ink-muted">What it does</dt>
          <dd>{r.hint}</dd>
          <dt className="text-ink-muted">The worker wrote</dt>
          <dd className="whitespace-pre-wrap break-words">{r.details}</dd>
          <dt className="text-ink-muted">Filed</dt>
          <dd>{r.filed}</dd>
          <dt className="text-ink-muted">Due</dt>
          <dd data-testid="rights-due">
            By the end of {r.due}
            {r.clock ? (
              <span
                className={`ml-2 ${r.clock.overdue ? "font-semibold text-danger" : "text-ink-muted"}`}
              >
                ({r.clock.label})
              </span>
            ) : null}
          </dd>
          {r.firstDue ? (
            <>
              <dt className="text-ink-muted">Extended</dt>
              <dd>
                First due by the end of {r.firstDue}. Reason given: {r.extensionReason}
              </dd>
            </>
          ) : null}
          {r.decided ? (
            <>
              <dt className="text-ink-muted">Answered</dt>
              <dd>
                {r.decided} by {r.decidedBy}
              </dd>
              <dt className="text-ink-muted">Answer</dt>
              <dd className="whitespace-pre-wrap break-words" data-testid="rights-outcome">
                {r.outcome}
              </dd>
            </>
          ) : null}
        </dl>
      </Card>

      {r.own ? (
        <p
          className="rounded-card border border-line bg-surface-sunken p-4"
          data-testid="own-request"
        >
          This is your own request. Another reviewer or an admin must handle it.
        </p>
      ) : null}

      {r.records ? (
        <Card title="Records concerned" titleId="records-heading">
          <p className="mb-3 text-sm" data-testid="records-total">
            {r.records.total} record{r.records.total === 1 ? "" : "s"}.
          </p>
          {r.records.groups.length > 0 ? (
            <DataTable caption="Records by type and application" columns={["Type", "App", "Count"]}>
              {r.records.groups.map((g) => (
                <tr key={`${g.type}|${g.app}`}>
                  <td className="px-4 py-2">{g.type}</td>
                  <td className="px-4 py-2">{g.app}</td>
                  <td className="px-4 py-2">{g.count}</td>
                </tr>
              ))}
            </DataTable>
          ) : null}
          {r.records.first.length > 0 ? (
            <div className="mt-4">
              <DataTable caption="The first records" columns={["Record", "Type", "App", "When"]}>
                {r.records.first.map((e) => (
                  <tr key={e.id}>
                    <td className="px-4 py-2">{e.id}</td>
                    <td className="px-4 py-2">{e.type}</td>
                    <td className="px-4 py-2">{e.app}</td>
                    <TimeCell iso={e.at.iso} text={e.at.text} />
                  </tr>
                ))}
              </DataTable>
            </div>
          ) : null}
        </Card>
      ) : null}

      <Card title="Datasets already built with this data" titleId="datasets-heading">
        {r.datasets.length === 0 ? (
          <p className="text-sm text-ink-muted">None.</p>
        ) : (
          <DataTable
            caption="Datasets already built with this data"
            columns={["Dataset", "Purpose", "Events", "Built"]}
          >
            {r.datasets.map((d) => (
              <tr key={d.id}>
                <td className="px-4 py-2">{d.name}</td>
                <td className="px-4 py-2">{d.purpose}</td>
                <td className="px-4 py-2">{d.events}</td>
                <td className="px-4 py-2">{d.built}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>

      {r.canAct ? (
        <section aria-labelledby="decide-heading" className="space-y-4">
          <h2 id="decide-heading" className="text-lg font-semibold">
            Answer
          </h2>
          <ActionForm intent="accept" purpose={purpose} title="Accept" submit="Accept and apply">
            <label htmlFor="accept-outcome" className="block text-sm font-medium">
              The answer {r.worker.name} reads ({OUTCOME_LIMITS.min}–{OUTCOME_LIMITS.max}{" "}
              characters)
            </label>
            <textarea id="accept-outcome" name="outcome" rows={3} required className={inputClass} />
          </ActionForm>
          <ActionForm
            intent="reject"
            purpose={purpose}
            title="Reject"
            submit="Reject"
            variant="danger"
          >
            <label htmlFor="reject-outcome" className="block text-sm font-medium">
              Why (required; {r.worker.name} reads it)
            </label>
            <textarea id="reject-outcome" name="outcome" rows={3} required className={inputClass} />
          </ActionForm>
          {r.canExtend ? (
            <ActionForm
              intent="extend"
              purpose={purpose}
              title="Extend the deadline (once)"
              submit="Extend"
              variant="secondary"
            >
              <label htmlFor="extend-months" className="block text-sm font-medium">
                By
              </label>
              <select id="extend-months" name="months" className={inputClass} defaultValue="1">
                <option value="1">One month</option>
                <option value="2">Two months</option>
              </select>
              <label htmlFor="extend-reason" className="block text-sm font-medium">
                Why it needs longer (required; {r.worker.name} reads it)
              </label>
              <textarea id="extend-reason" name="reason" rows={2} required className={inputClass} />
            </ActionForm>
          ) : null}
        </section>
      ) : null}

      <Card title="Staff notes" titleId="notes-heading">
        <p className="mb-3 text-sm text-ink-muted">
          Only reviewers and admins read these; the worker sees that a note was added, not its text.
        </p>
        {r.own ? (
          <p className="text-sm text-ink-muted" data-testid="own-notes-hidden">
            Notes on your own request are not shown to you.
          </p>
        ) : r.notes.length === 0 ? (
          <p className="text-sm text-ink-muted">No notes yet.</p>
        ) : (
          <ul className="mb-4 divide-y divide-line" data-testid="rights-notes">
            {r.notes.map((n) => (
              <li key={n.id} className="py-2 text-sm">
                <p className="whitespace-pre-wrap break-words">{n.body}</p>
                <p className="text-ink-muted">
                  {n.author} · {n.at}
                </p>
              </li>
            ))}
          </ul>
        )}
        {!r.own ? (
          <ActionForm
            intent="note"
            purpose={purpose}
            title="Add a note"
            submit="Add note"
            variant="secondary"
          >
            <label htmlFor="note-body" className="block text-sm font-medium">
              Note
            </label>
            <textarea id="note-body" name="body" rows={2} required className={inputClass} />
          </ActionForm>
        ) : null}
      </Card>
    </div>
  );
}
