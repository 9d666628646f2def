import {
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
} from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { z } from "zod";
import { MY_DATA_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import {
  describeTimeZone,
  formatDateTime,
  localDateKey,
  localTimeKey,
} from "#app/domain/local-time.ts";
import { deadlineClock, formatDueDay } from "#app/domain/rights-deadlines.ts";
import {
  DETAILS_LIMITS,
  describeRightsTarget,
  RIGHTS_KIND_HINTS,
  RIGHTS_KIND_LABELS,
  RIGHTS_STATUS_LABELS,
  RightsRequestSchema,
} from "#app/domain/rights-forms.ts";
import { RIGHTS_KINDS } from "#app/domain/rights-rules.ts";
import { getPolicySettings } from "#app/models/policy.server.ts";
import { getCurrentPurposes } from "#app/models/purpose.server.ts";
import { fileRightsRequest, listOwnRightsRequests } from "#app/models/rights.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Your data rights · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const tz = user.timezone;
  const url = new URL(request.url);
  const [rows, purposes, policy] = await Promise.all([
    listOwnRightsRequests(user.id),
    getCurrentPurposes(now),
    getPolicySettings(),
  ]);
  const names = new Map(purposes.map((p) => [p.key, p.name]));
  const eventId = url.searchParams.get("eventId");
  const hourAgo = new Date(now.getTime() - 3_600_000);
  return {
    timeZoneLabel: describeTimeZone(tz, now),
    retentionDays: policy.retentionDays,
    purposes: purposes
      .filter((p) => !p.prohibited)
      .map((p) => ({ key: p.key, name: p.name, description: p.description })),
    defaults: {
      kind: eventId && /^\d{1,15}$/.test(eventId) ? "CORRECTION" : "",
      eventId: eventId && /^\d{1,15}$/.test(eventId) ? eventId : "",
      startDate: localDateKey(hourAgo, tz),
      startTime: localTimeKey(hourAgo, tz),
      endDate: localDateKey(now, tz),
      endTime: localTimeKey(now, tz),
      purposeKey: "",
      details: "",
    },
    requests: rows.map((r) => {
      const clock = deadlineClock(r, now, tz);
      return {
        id: r.id,
        kind: RIGHTS_KIND_LABELS[r.kind],
        status: r.status,
        statusLabel: RIGHTS_STATUS_LABELS[r.status],
        what: describeRightsTarget(r, tz, r.purposeKey ? names.get(r.purposeKey) : null),
        filed: { iso: r.createdAt.toISOString(), text: formatDateTime(r.createdAt, tz) },
        due: formatDueDay(r.dueAt, tz),
        clock:
          clock.state === "closed"
            ? null
            : { overdue: clock.state === "overdue", label: clock.label },
        lifted: r.liftedAt !== null,
      };
    }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: RightsRequestSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const result = await fileRightsRequest({
    workerId: user.id,
    timeZone: user.timezone,
    input: submission.value,
    now: new Date(),
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast(`/data/rights/${result.id}`, {
    kind: "success",
    message:
      "Request filed. A reviewer answers by its due date; you are told here and in your notifications.",
  });
}

const inputClass = "mt-1 block w-full rounded-lg border border-line bg-surface-raised px-3 py-2";

export default function RightsPage() {
  const { requests, purposes, defaults, timeZoneLabel, retentionDays } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm<z.input<typeof RightsRequestSchema>>({
    id: "rights-request",
    lastResult: actionData?.result,
    constraint: getZodConstraint(RightsRequestSchema),
    defaultValue: defaults,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RightsRequestSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const described = (field: { errors?: string[]; errorId: string }) =>
    field.errors ? field.errorId : undefined;
  const input = (field: Parameters<typeof getInputProps>[0], type: "text" | "date" | "time") => (
    <input
      {...getInputProps(field, { type })}
      className={inputClass}
      aria-describedby={described(field)}
    />
  );
  const labelled = (
    field: Parameters<typeof getInputProps>[0] & { errors?: string[]; errorId: string },
    label: string,
    type: "text" | "date" | "time",
  ) => (
    <div>
      <label htmlFor={field.id} className="block text-sm font-medium">
        {label}
      </label>
      {input(field, type)}
      <ErrorList id={field.errorId} errors={field.errors} />
    </div>
  );
  return (
    <div className="max-w-3xl space-y-6">
      <SectionNav label="My data" sections={MY_DATA_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Your data rights</h1>
        <p className="mt-2 text-ink-muted">
          Ask for a record to be corrected or annotated, a span to be erased or restricted, or
          object to a purpose your data is used for. Each request is answered within one month; a
          reviewer may extend it once, by up to two months, and tells you why.
        </p>
      </div>

      <Card title="Your requests" titleId="requests-heading">
        {requests.length === 0 ? (
          <p className="text-sm text-ink-muted" data-testid="no-requests">
            You have not asked for anything yet.
          </p>
        ) : (
          <DataTable caption="Your requests" columns={["Request", "Status", "Due", "Filed"]}>
            {requests.map((r) => (
              <tr key={r.id} data-testid="rights-request-row">
                <td className="px-4 py-2">
                  <Link
                    to={`/data/rights/${r.id}`}
                    className="font-medium underline underline-offset-2"
                  >
                    {r.kind}
                  </Link>
                  <div className="text-ink-muted">{r.what}</div>
                </td>
                <td className="px-4 py-2">
                  <ToneBadge
                    tone={r.status === "OPEN" ? "muted" : r.status === "ACCEPTED" ? "ok" : "muted"}
                  >
                    {r.statusLabel}
                    {r.lifted ? " · lifted" : ""}
                  </ToneBadge>
                </td>
                <td className="px-4 py-2">
                  {r.clock ? (
                    <>
                      <div className={r.clock.overdue ? "font-semibold text-danger" : ""}>
                        {r.clock.label}
                      </div>
                      <div className="text-ink-muted">by the end of {r.due}</div>
                    </>
                  ) : (
                    <span className="text-ink-muted">—</span>
                  )}
                </td>
                <TimeCell iso={r.filed.iso} text={r.filed.text} />
              </tr>
            ))}
          </DataTable>
        )}
      </Card>

      <Form
        method="post"
        {...getFormProps(form)}
        className="space-y-6 rounded-card border border-line bg-surface-raised p-6"
        aria-labelledby="file-heading"
      >
        <h2 id="file-heading" className="text-lg font-semibold">
          Ask for something
        </h2>
        <ErrorList id={form.errorId} errors={form.errors} />
        <fieldset>
          <legend className="text-sm font-medium">What are you asking for?</legend>
          <div className="mt-2 space-y-3">
            {RIGHTS_KINDS.map((kind) => (
              <label key={kind} className="flex items-start gap-2">
                <input
                  type="radio"
                  name={fields.kind.name}
                  value={kind}
                  defaultChecked={fields.kind.initialValue === kind}
                  className="mt-1"
                  aria-describedby={`kind-${kind}-hint`}
                />
                <span>
                  <span className="font-medium">{RIGHTS_KIND_LABELS[kind]}</span>
                  <span id={`kind-${kind}-hint`} className="block text-sm text-ink-muted">
                    {RIGHTS_KIND_HINTS[kind]}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <ErrorList id={fields.kind.errorId} errors={fields.kind.errors} />
        </fieldset>

        <fieldset className="space-y-3">
          <legend className="text-sm font-medium">
            The span (erasure, restriction, or a correction of a span)
          </legend>
          <p className="text-sm text-ink-muted">
            In your time zone, {timeZoneLabel}. It cannot end in the future and spans at most{" "}
            {retentionDays} days.
          </p>
          <div className="grid gap-3 sm:grid-cols-2">
            {labelled(fields.startDate, "From (date)", "date")}
            {labelled(fields.startTime, "From (time)", "time")}
            {labelled(fields.endDate, "Until (date)", "date")}
            {labelled(fields.endTime, "Until (time)", "time")}
          </div>
        </fieldset>

        <div>
          <label htmlFor={fields.eventId.id} className="block text-sm font-medium">
            Record number (a correction of one record)
          </label>
          <p id={`${fields.eventId.id}-hint`} className="text-sm text-ink-muted">
            Leave empty to ask about the span above. A record's page has a link that fills it in.
          </p>
          <input
            {...getInputProps(fields.eventId, { type: "text" })}
            inputMode="numeric"
            className={inputClass}
            aria-describedby={[`${fields.eventId.id}-hint`, described(fields.eventId)]
              .filter(Boolean)
              .join(" ")}
          />
          <ErrorList id={fields.eventId.errorId} errors={fields.eventId.errors} />
        </div>

        <div>
          <label htmlFor={fields.purposeKey.id} className="block text-sm font-medium">
            Purpose objected to (an objection)
          </label>
          <select
            {...getSelectProps(fields.purposeKey)}
            className={inputClass}
            aria-describedby={described(fields.purposeKey)}
          >
            <option value="">Choose a purpose…</option>
            {purposes.map((p) => (
              <option key={p.key} value={p.key}>
                {p.name}
              </option>
            ))}
          </select>
          <ErrorList id={fields.purposeKey.errorId} errors={fields.purposeKey.errors} />
        </div>

        <div>
          <label htmlFor={fields.details.id} className="block text-sm font-medium">
            What is wrong, and what do you want?
          </label>
          <p id={`${fields.details.id}-hint`} className="text-sm text-ink-muted">
            {DETAILS_LIMITS.min}–{DETAILS_LIMITS.max} characters. Reviewers read it.
          </p>
          <textarea
            {...getTextareaProps(fields.details)}
            rows={4}
            className={inputClass}
            aria-describedby={[`${fields.details.id}-hint`, described(fields.details)]
              .filter(Boolean)
              .join(" ")}
          />
          <ErrorList id={fields.details.errorId} errors={fields.details.errors} />
        </div>

        <Button type="submit" disabled={navigation.state === "submitting"}>
          File the request
        </Button>
      </Form>
    </div>
  );
}
