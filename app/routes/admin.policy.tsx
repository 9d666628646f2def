import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { Pagination } from "#app/components/pagination.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { AuditLogSearchSchema, searchParamsObject } from "#app/domain/admin-forms.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { POLICY_BOUNDS } from "#app/domain/pause-policy.ts";
import { PolicySchema, describePolicyValue, policyFieldLabel } from "#app/domain/policy-form.ts";
import { MAX_EXEMPTION_DAYS_BOUNDS } from "#app/domain/exemption-draft.ts";
import { RETENTION_BOUNDS } from "#app/domain/retention.ts";
import { FORGET_POLICY_BOUNDS } from "#app/domain/forget-rules.ts";
import {
  getPolicySettings,
  listPolicyChanges,
  listPolicyHistory,
  updatePausePolicy,
  withdrawPolicyChange,
} from "#app/models/policy.server.ts";
import { redirectWithRefusal, refusalStatus } from "#app/web/refusal-response.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Policy · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const { page } = AuditLogSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const [policy, history, pending] = await Promise.all([
    getPolicySettings(),
    listPolicyHistory(page),
    listPolicyChanges({ pendingOnly: true }),
  ]);
  return {
    policy,
    pending: pending.map((c) => ({
      id: c.id,
      proposedBy: c.proposedBy ?? "Someone",
      proposedAt: formatDateTime(c.proposedAt, admin.timezone),
      changes: c.changes,
    })),
    page,
    pageCount: history.pageCount,
    total: history.total,
    history: history.changes.map((c) => ({
      id: c.id,
      at: formatDateTime(c.at, admin.timezone),
      atIso: c.at.toISOString(),
      who: c.who,
      field: policyFieldLabel(c.field),
      from: describePolicyValue(c.field, c.from),
      to: describePolicyValue(c.field, c.to),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const formData = await readForm(request);
  if (formData.get("intent") === "withdraw") {
    const withdrawn = await withdrawPolicyChange({
      id: String(formData.get("changeId") ?? ""),
      actorId: admin.id,
      now: new Date(),
    });
    if (!withdrawn.ok) return redirectWithRefusal("/admin/policy", withdrawn.refusal);
    return redirectWithToast("/admin/policy", {
      kind: "success",
      message: "Withdrawn. The policy stays as it is.",
    });
  }
  const submission = parseWithZod(formData, { schema: PolicySchema });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400 });
  }
  const saved = await updatePausePolicy({
    actorId: admin.id,
    values: submission.value,
    now: new Date(),
  });
  if (!saved.ok) {
    return data(submission.reply({ formErrors: [saved.refusal.message] }), {
      status: refusalStatus(saved.refusal),
    });
  }
  return redirectWithToast("/admin/policy", {
    kind: "success",
    message:
      saved.kind === "none"
        ? "Nothing changed."
        : saved.kind === "waiting"
          ? "Saved as a proposal. It widens collection, so it is waiting for a representative's co-signature; the policy stays as it is until then."
          : "Policy saved. It applies from now on; pauses and requests already stored stay as they are.",
  });
}

export default function PolicyPage() {
  const { policy, pending, history, page, pageCount, total } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const location = useLocation();
  const [form, fields] = useForm({
    id: "policy",
    lastResult,
    constraint: getZodConstraint(PolicySchema),
    defaultValue: {
      maxPauseMinutes: String(policy.maxPauseMinutes),
      minGapMinutes: String(policy.minGapMinutes),
      maxPauseMinutesPerDay:
        policy.maxPauseMinutesPerDay === null ? "" : String(policy.maxPauseMinutesPerDay),
      scheduleAheadDays: String(policy.scheduleAheadDays),
      retentionDays: String(policy.retentionDays),
      maxExemptionDays: String(policy.maxExemptionDays),
      maxForgetMinutes: String(policy.maxForgetMinutes),
      maxForgetsPerDay: String(policy.maxForgetsPerDay),
      requireAcknowledgementBeforeCollection: policy.requireAcknowledgementBeforeCollection
        ? "on"
        : undefined,
      requireRepresentativeApproval: policy.requireRepresentativeApproval ? "on" : undefined,
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PolicySchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const b = POLICY_BOUNDS;
  const numberProps = (field: (typeof fields)[keyof typeof fields]) => ({
    ...getInputProps(field, { type: "number" }),
    id: field.id,
    inputMode: "numeric" as const,
  });
  return (
    <div className="space-y-8">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight">Policy</h1>
        <p className="mt-2 text-ink-muted">
          Every rule the portal and the agents follow, in one place. A change applies from the
          moment you save it; pauses and requests already stored are never rewritten. Each change is
          recorded below and in the audit log.
        </p>
      </div>
      {pending.length > 0 ? (
        <section
          aria-labelledby="pending-heading"
          className="max-w-3xl space-y-3 rounded-card border border-line bg-surface-raised p-6"
          data-testid="pending-policy-change"
        >
          <h2 id="pending-heading" className="text-xl font-semibold">
            Waiting for a representative&apos;s co-signature
          </h2>
          {pending.map((c) => (
            <div key={c.id} className="space-y-2">
              <p className="text-sm text-ink-muted">
                Proposed by {c.proposedBy} on {c.proposedAt}. It widens collection, so it takes
                effect only once a worker representative co-signs it.
              </p>
              <ul className="list-disc pl-5">
                {c.changes.map((ch) => (
                  <li key={ch.setting}>
                    {ch.setting}: {ch.from} <span aria-hidden="true">→</span>
                    <span className="sr-only">to</span> {ch.to}
                    {ch.widens ? " (widens collection)" : ""}
                  </li>
                ))}
              </ul>
              <Form method="post">
                <input type="hidden" name="intent" value="withdraw" />
                <input type="hidden" name="changeId" value={c.id} />
                <Button type="submit" variant="secondary">
                  Withdraw this change
                </Button>
              </Form>
            </div>
          ))}
        </section>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="max-w-3xl space-y-6">
        <PolicyGroup title="Pauses" id="pauses">
          <Field
            label="Longest pause (minutes)"
            hint={`${b.maxPauseMinutes.min}–${b.maxPauseMinutes.max}. The most one pause may last; no pause is ever longer than 30 minutes.`}
            errors={fields.maxPauseMinutes.errors}
            inputProps={numberProps(fields.maxPauseMinutes)}
          />
          <Field
            label="Minimum gap between pauses (minutes)"
            hint={`${b.minGapMinutes.min}–${b.minGapMinutes.max}. How far apart two pauses must be, so pauses cannot be chained into an all-day opt-out.`}
            errors={fields.minGapMinutes.errors}
            inputProps={numberProps(fields.minGapMinutes)}
          />
          <Field
            label="Daily pause limit (minutes)"
            hint="The most pause time per calendar day in each worker's time zone; leave empty for no daily limit."
            errors={fields.maxPauseMinutesPerDay.errors}
            inputProps={{ ...numberProps(fields.maxPauseMinutesPerDay), required: false }}
          />
          <Field
            label="Scheduling horizon (days)"
            hint={`${b.scheduleAheadDays.min}–${b.scheduleAheadDays.max}. How far ahead a worker can schedule a pause.`}
            errors={fields.scheduleAheadDays.errors}
            inputProps={numberProps(fields.scheduleAheadDays)}
          />
        </PolicyGroup>
        <PolicyGroup title="Forgetting recent activity" id="forgetting">
          <Field
            label="Longest span a worker can forget (minutes)"
            hint={`${FORGET_POLICY_BOUNDS.maxForgetMinutes.min}–${FORGET_POLICY_BOUNDS.maxForgetMinutes.max}. Workers can delete what was recorded in the last this-many minutes, measured on the portal's clock.`}
            errors={fields.maxForgetMinutes.errors}
            inputProps={numberProps(fields.maxForgetMinutes)}
          />
          <Field
            label="Forgets per worker per day"
            hint={`${FORGET_POLICY_BOUNDS.maxForgetsPerDay.min}–${FORGET_POLICY_BOUNDS.maxForgetsPerDay.max}, per calendar day in each worker's time zone; 0 turns forgetting off.`}
            errors={fields.maxForgetsPerDay.errors}
            inputProps={numberProps(fields.maxForgetsPerDay)}
          />
        </PolicyGroup>
        <PolicyGroup title="Exemptions" id="exemptions">
          <Field
            label="Longest exemption (days)"
            hint={`${MAX_EXEMPTION_DAYS_BOUNDS.min}–${MAX_EXEMPTION_DAYS_BOUNDS.max}. The longest span, from start to end, one exemption request may cover.`}
            errors={fields.maxExemptionDays.errors}
            inputProps={numberProps(fields.maxExemptionDays)}
          />
        </PolicyGroup>
        <PolicyGroup title="Acknowledgements" id="acknowledgements">
          <div>
            <label className="flex items-center gap-2 text-sm font-medium">
              <input
                {...getInputProps(fields.requireAcknowledgementBeforeCollection, {
                  type: "checkbox",
                  value: "on",
                })}
                aria-describedby="ack-hint"
              />
              Collect nothing from a worker until they acknowledge the current monitoring notice
            </label>
            <p id="ack-hint" className="text-sm text-ink-muted">
              While on, a worker's agents hold off, and anything they send is discarded, until the
              worker signs the newest version of the monitoring notice.
            </p>
          </div>
        </PolicyGroup>
        <PolicyGroup title="Worker representatives" id="representatives">
          <div>
            <label className="flex items-center gap-2 text-sm font-medium">
              <input
                {...getInputProps(fields.requireRepresentativeApproval, {
                  type: "checkbox",
                  value: "on",
                })}
                aria-describedby="rep-hint"
              />
              Require a worker representative&apos;s co-signature for changes that widen collection
            </label>
            <p id="rep-hint" className="text-sm text-ink-muted">
              While on, a new monitoring notice (or any document workers must acknowledge), a policy
              change that widens collection and a purpose change that widens use take effect only
              once a worker representative co-signs them. Turning this off is itself such a change.
            </p>
          </div>
        </PolicyGroup>
        <PolicyGroup title="Retention" id="retention">
          <Field
            label="Keep collected data for (days)"
            hint={`${RETENTION_BOUNDS.min}–${RETENTION_BOUNDS.max}. Events and their counts older than this are deleted once a day, shortly after midnight UTC; each worker gets a signed receipt.`}
            errors={fields.retentionDays.errors}
            inputProps={numberProps(fields.retentionDays)}
          />
        </PolicyGroup>
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={navigation.state === "submitting"}>
          Save policy
        </Button>
      </Form>

      <section aria-labelledby="history-heading" className="space-y-3">
        <h2 id="history-heading" className="text-xl font-semibold">
          History of changes
        </h2>
        {history.length === 0 ? (
          <p className="text-ink-muted" data-testid="policy-history-empty">
            The policy has not been changed since Lull was set up.
          </p>
        ) : (
          <DataTable
            caption={`Policy changes, newest first (${total})`}
            columns={["When", "Who", "Setting", "Change"]}
          >
            {history.map((h) => (
              <tr key={h.id} data-testid="policy-change">
                <TimeCell iso={h.atIso} text={h.at} />
                <td className="px-4 py-2">{h.who}</td>
                <td className="px-4 py-2">{h.field}</td>
                <td className="px-4 py-2">
                  {h.from} <span aria-hidden="true">→</span>
                  <span className="sr-only">to</span> {h.to}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pagination
          page={page}
          pageCount={pageCount}
          search={location.search}
          label="Policy history pages"
        />
      </section>
    </div>
  );
}

function PolicyGroup({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-5 rounded-card border border-line bg-surface-raised p-6">
      <legend id={`${id}-legend`} className="px-1 text-lg font-semibold">
        {title}
      </legend>
      {children}
    </fieldset>
  );
}
