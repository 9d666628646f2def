import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { formatDateTime, formatLongDay } from "#app/domain/local-time.ts";
import { deadlineClock, formatDueDay } from "#app/domain/rights-deadlines.ts";
import {
  describeRightsTarget,
  RIGHTS_KIND_HINTS,
  RIGHTS_KIND_LABELS,
  RIGHTS_STATUS_LABELS,
  RightsWorkerActionSchema,
} from "#app/domain/rights-forms.ts";
import { getCurrentPurposes } from "#app/models/purpose.server.ts";
import { actOnOwnRightsRequest, getOwnRightsRequest } from "#app/models/rights.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Rights request · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const found = await getOwnRightsRequest(user.id, params.requestId ?? "");
  // Someone else's request does not exist for this worker.
  if (!found) notFound();
  const { request: r, datasets } = found;
  const tz = user.timezone;
  const purposes = await getCurrentPurposes(now);
  const purposeName = r.purposeKey
    ? (purposes.find((p) => p.key === r.purposeKey)?.name ?? r.purposeKey)
    : null;
  const clock = deadlineClock(r, now, tz);
  const standing =
    (r.kind === "RESTRICTION" || r.kind === "OBJECTION") &&
    r.status === "ACCEPTED" &&
    r.liftedAt === null;
  return {
    id: r.id,
    kind: r.kind,
    kindLabel: RIGHTS_KIND_LABELS[r.kind],
    hint: RIGHTS_KIND_HINTS[r.kind],
    status: r.status,
    statusLabel: RIGHTS_STATUS_LABELS[r.status],
    what: describeRightsTarget(r, tz, purposeName),
    eventId: r.eventId,
    details: r.details,
    filed: formatDateTime(r.createdAt, tz),
    due: formatDueDay(r.dueAt, tz),
    firstDue: r.extendedAt ? formatDueDay(r.firstDueAt, tz) : null,
    extensionReason: r.extensionReason,
    clock:
      clock.state === "closed" ? null : { overdue: clock.state === "overdue", label: clock.label },
    decided: r.decidedAt ? formatDateTime(r.decidedAt, tz) : null,
    outcome: r.outcome,
    receiptId: r.deletionReceiptId,
    lifted: r.liftedAt ? formatDateTime(r.liftedAt, tz) : null,
    canWithdraw: r.status === "OPEN",
    canLift: standing,
    datasets: datasets.map((d) => ({
      id: d.id,
      name: d.name,
      purpose: d.purpose,
      built: formatLongDay(d.builtAt, tz),
      range: `${formatLongDay(d.rangeStart, tz)} – ${formatLongDay(new Date(d.rangeEnd.getTime() - 1), tz)}`,
      events: d.events,
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: RightsWorkerActionSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const id = params.requestId ?? "";
  const { intent } = submission.value;
  const result = await actOnOwnRightsRequest({ workerId: user.id, id, intent, now: new Date() });
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast(`/data/rights/${id}`, {
    kind: "success",
    message:
      intent === "withdraw" ? "Request withdrawn." : "Lifted: it no longer applies to your data.",
  });
}

export default function RightsRequestPage() {
  const r = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const formErrors = actionData?.result.error?.[""] ?? null;
  return (
    <div className="max-w-3xl space-y-6">
      <p className="text-sm">
        <Link to="/data/rights">← Your data rights</Link>
      </p>
      <div>
        <h1 className="text-3xl font-bold tracking-tight">{r.kindLabel}</h1>
        <p className="mt-1 text-ink-muted">{r.hint}</p>
      </div>
      <ErrorList errors={formErrors} />
      <Card>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-ink-muted">Status</dt>
          <dd data-testid="rights-status">
            <ToneBadge tone={r.status === "ACCEPTED" ? "ok" : "muted"}>{r.statusLabel}</ToneBadge>
            {r.lifted ? <span className="ml-2">Lifted on {r.lifted}</span> : null}
          </dd>
          <dt className="text-ink-muted">Concerns</dt>
          <dd>{r.eventId ? <Link to={`/data/events/${r.eventId}`}>{r.what}</Link> : r.what}</dd>
          <dt className="text-ink-muted">You wrote</dt>
          <dd className="whitespace-pre-wrap break-words">{r.details}</dd>
          <dt className="text-ink-muted">Filed</dt>
          <dd>{r.filed}</dd>
          <dt className="text-ink-muted">Due</dt>
          <dd data-testid="rights-due">
            By the end of {r.due}
            {r.clock ? (
              <span
                className={`ml-2 ${r.clock.overdue ? "font-semibold text-danger" : "text-ink-muted"}`}
                data-testid="rights-clock"
              >
                ({r.clock.label})
              </span>
            ) : null}
          </dd>
          {r.firstDue ? (
            <>
              <dt className="text-ink-muted">Extended</dt>
              <dd data-testid="rights-extension">
                First due by the end of {r.firstDue}. Reason: {r.extensionReason}
              </dd>
            </>
          ) : null}
          {r.decided ? (
            <>
              <dt className="text-ink-muted">Answered</dt>
              <dd>{r.decided}</dd>
              <dt className="text-ink-muted">Answer</dt>
              <dd className="whitespace-pre-wrap break-words" data-testid="rights-outcome">
                {r.outcome}
              </dd>
            </>
          ) : null}
          {r.receiptId ? (
            <>
              <dt className="text-ink-muted">Deletion receipt</dt>
              <dd>
                <a href={`/data/deletions/${r.receiptId}.json`} download>
                  Download the signed receipt
                </a>{" "}
                (also listed in <Link to="/data/access">Data history</Link>)
              </dd>
            </>
          ) : null}
        </dl>
      </Card>

      {r.canWithdraw || r.canLift ? (
        <Form method="post" className="flex flex-wrap items-center gap-3">
          <input type="hidden" name="intent" value={r.canWithdraw ? "withdraw" : "lift"} />
          <Button type="submit" variant="secondary">
            {r.canWithdraw
              ? "Withdraw this request"
              : r.kind === "OBJECTION"
                ? "Lift my objection"
                : "Lift the restriction"}
          </Button>
          <span className="text-sm text-ink-muted">
            {r.canWithdraw
              ? "It closes without an answer; you can file again."
              : "Your data may then be used again as before."}
          </span>
        </Form>
      ) : null}

      <Card title="Datasets already built with this data" titleId="datasets-heading">
        {r.datasets.length === 0 ? (
          <p className="text-sm text-ink-muted" data-testid="no-datasets">
            None: no dataset built so far holds the data this request concerns.
          </p>
        ) : (
          <>
            <p className="mb-3 text-sm text-ink-muted">
              {r.status === "ACCEPTED"
                ? "Future datasets follow the outcome. These were built before and need follow-up by the privacy office."
                : "These were built before this request."}
            </p>
            <DataTable
              caption="Datasets already built with this data"
              columns={["Dataset", "Purpose", "Range", "Your events", "Built"]}
            >
              {r.datasets.map((d) => (
                <tr key={d.id} data-testid="rights-dataset-row">
                  <td className="px-4 py-2">{d.name}</td>
                  <td className="px-4 py-2">{d.purpose}</td>
                  <td className="px-4 py-2">{d.range}</td>
                  <td className="px-4 py-2">{d.events}</td>
                  <td className="px-4 py-2">{d.built}</td>
                </tr>
              ))}
            </DataTable>
          </>
        )}
      </Card>
    </div>
  );
}
