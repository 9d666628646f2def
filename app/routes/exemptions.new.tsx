import {
  getCollectionProps,
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
} from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import type { z } from "zod";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { EVENT_TYPES } from "#app/agent-protocol/v1.ts";
import { ExemptionRequestSchema } from "#app/domain/exemption-forms.ts";
import { EXEMPTION_REASONS, WEEKDAYS } from "#app/domain/exemption.ts";
import { EVENT_TYPE_LABELS, REASON_LABELS, WEEKDAY_LABELS } from "#app/domain/exemption-labels.ts";
import { JUSTIFICATION_LIMITS } from "#app/domain/exemption-draft.ts";
import { exemptionFormDefaults, summarizeExemptionForm } from "#app/domain/exemption-summary.ts";
import { describeTimeZone, localDateKey } from "#app/domain/local-time.ts";
import { useHydrated } from "#app/components/use-hydrated.ts";
import { getPolicySettings } from "#app/models/policy.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { handleFileExemption } from "#app/web/exemption-actions.server.ts";

export const meta: MetaFunction = () => [{ title: "Request an exemption · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const policy = await getPolicySettings();
  const tz = user.timezone;
  return {
    maxExemptionDays: policy.maxExemptionDays,
    timeZone: tz,
    timeZoneLabel: describeTimeZone(tz, now),
    today: localDateKey(now, tz),
    defaults: exemptionFormDefaults(now, tz),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleFileExemption(request, user);
}

const inputClass = "mt-1 block w-full rounded-lg border border-line bg-surface-raised px-3 py-2";

export default function NewExemptionPage() {
  const { maxExemptionDays, timeZone, timeZoneLabel, today, defaults } =
    useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm<z.input<typeof ExemptionRequestSchema>>({
    id: "exemption-request",
    lastResult: actionData?.result,
    constraint: getZodConstraint(ExemptionRequestSchema),
    defaultValue: defaults,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ExemptionRequestSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const described = (field: { errors?: string[]; errorId: string }) =>
    field.errors ? field.errorId : undefined;
  // The values as they stand: the defaults or a refused submission on the server, what the
  // worker has typed in the browser. The same words either way.
  const values = form.value ?? form.initialValue ?? defaults;
  const summary = summarizeExemptionForm(values, timeZone);
  const someTypes = values.scope === "types";
  const weekly = values.repeat === "weekly";
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to="/exemptions">← Exemptions</Link>
        </p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">Request an exemption</h1>
        <p className="mt-2 text-ink-muted">
          A reviewer reads your request and decides; you see the decision on your home page and by
          email. Times are in your time zone, {timeZoneLabel}. An exemption spans at most{" "}
          {maxExemptionDays} days.
        </p>
      </div>
      <Form
        method="post"
        {...getFormProps(form)}
        className="space-y-6 rounded-card border border-line bg-surface-raised p-6"
      >
        <div>
          <label htmlFor={fields.reason.id} className="block text-sm font-medium">
            Reason
          </label>
          <select
            {...getSelectProps(fields.reason)}
            className={inputClass}
            aria-describedby={described(fields.reason)}
          >
            <option value="">Choose a reason…</option>
            {EXEMPTION_REASONS.map((reason) => (
              <option key={reason} value={reason}>
                {REASON_LABELS[reason]}
              </option>
            ))}
          </select>
          <ErrorList id={fields.reason.errorId} errors={fields.reason.errors} />
        </div>

        <div>
          <label htmlFor={fields.justification.id} className="block text-sm font-medium">
            What is it for?
          </label>
          <p id={`${fields.justification.id}-hint`} className="text-sm text-ink-muted">
            {JUSTIFICATION_LIMITS.min}–{JUSTIFICATION_LIMITS.max} characters. Only reviewers and
            admins read it. You do not need to share medical details.
          </p>
          <textarea
            {...getTextareaProps(fields.justification)}
            rows={4}
            className={inputClass}
            aria-describedby={[`${fields.justification.id}-hint`, described(fields.justification)]
              .filter(Boolean)
              .join(" ")}
          />
          <ErrorList id={fields.justification.errorId} errors={fields.justification.errors} />
        </div>

        <Fieldset legend="What should stop?" disclosure>
          {getCollectionProps(fields.scope, {
            type: "radio",
            options: ["all", "types"],
          }).map(({ key, ...props }) => (
            <label key={key} className="flex items-center gap-2">
              <input {...props} data-reveals={props.value === "types" ? "" : undefined} />
              {props.value === "all" ? "All collection" : "Only some kinds of data"}
            </label>
          ))}
          {/* Shown only while "Only some kinds" is chosen (CSS, so also without JavaScript);
              with JavaScript, out of the submission while hidden. */}
          <fieldset
            className="lull-revealed ml-6 mt-1 grid gap-1 sm:grid-cols-2"
            disabled={hydrated && !someTypes}
            data-testid="scope-types"
          >
            <legend className="sr-only">Kinds of data to stop</legend>
            {getCollectionProps(fields.scopeTypes, {
              type: "checkbox",
              options: [...EVENT_TYPES],
            }).map(({ key, ...props }) => (
              <label key={key} className="flex items-center gap-2">
                <input {...props} />
                {EVENT_TYPE_LABELS[props.value as (typeof EVENT_TYPES)[number]]}
              </label>
            ))}
          </fieldset>
          <ErrorList id={fields.scopeTypes.errorId} errors={fields.scopeTypes.errors} />
        </Fieldset>

        <div className="grid gap-4 sm:grid-cols-2">
          <DateTimePair
            legend="Starts"
            date={getInputProps(fields.startDate, { type: "date" })}
            time={getInputProps(fields.startTime, { type: "time" })}
            errors={[...(fields.startDate.errors ?? []), ...(fields.startTime.errors ?? [])]}
            errorId={fields.startDate.errorId}
            min={today}
          />
          <DateTimePair
            legend="Ends"
            date={getInputProps(fields.endDate, { type: "date" })}
            time={getInputProps(fields.endTime, { type: "time" })}
            errors={[...(fields.endDate.errors ?? []), ...(fields.endTime.errors ?? [])]}
            errorId={fields.endDate.errorId}
            min={today}
          />
        </div>

        <Fieldset legend="How often?" disclosure>
          {getCollectionProps(fields.repeat, {
            type: "radio",
            options: ["once", "weekly"],
          }).map(({ key, ...props }) => (
            <label key={key} className="flex items-center gap-2">
              <input {...props} data-reveals={props.value === "weekly" ? "" : undefined} />
              {props.value === "once"
                ? "Once: the whole time from start to end"
                : "Every week, between the start and the end, on chosen days and times"}
            </label>
          ))}
          <fieldset
            className="lull-revealed ml-6 mt-2 space-y-3"
            disabled={hydrated && !weekly}
            data-testid="weekly-window"
          >
            <legend className="sr-only">The weekly window</legend>
            <div
              className="flex flex-wrap gap-x-4 gap-y-1"
              role="group"
              aria-label="Days of the week"
            >
              {getCollectionProps(fields.days, {
                type: "checkbox",
                options: WEEKDAYS.map(String),
              }).map(({ key, ...props }) => (
                <label key={key} className="flex items-center gap-2">
                  <input {...props} />
                  {WEEKDAY_LABELS[Number(props.value) as (typeof WEEKDAYS)[number]]}
                </label>
              ))}
            </div>
            <ErrorList id={fields.days.errorId} errors={fields.days.errors} />
            <div className="grid max-w-md gap-4 sm:grid-cols-2">
              <div>
                <label htmlFor={fields.fromTime.id} className="block text-sm font-medium">
                  Each time from
                </label>
                <input
                  {...getInputProps(fields.fromTime, { type: "time" })}
                  className={inputClass}
                  aria-describedby={described(fields.fromTime)}
                />
                <ErrorList id={fields.fromTime.errorId} errors={fields.fromTime.errors} />
              </div>
              <div>
                <label htmlFor={fields.toTime.id} className="block text-sm font-medium">
                  Each time until
                </label>
                <input
                  {...getInputProps(fields.toTime, { type: "time" })}
                  className={inputClass}
                  aria-describedby={described(fields.toTime)}
                />
                <ErrorList id={fields.toTime.errorId} errors={fields.toTime.errors} />
              </div>
            </div>
          </fieldset>
        </Fieldset>

        <p
          aria-live="polite"
          data-testid="exemption-summary"
          className={`rounded-lg border px-4 py-3 ${
            summary.complete
              ? "border-brand-300 bg-brand-50 text-ink dark:border-brand-700 dark:bg-brand-950"
              : "border-line text-ink-muted"
          }`}
        >
          {summary.text}
        </p>

        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Sending…" : "Send request"}
        </Button>
      </Form>
    </div>
  );
}

function Fieldset({
  legend,
  children,
  disclosure = false,
}: {
  legend: string;
  children: ReactNode;
  /** Holds a choice marked `data-reveals` that shows the `lull-revealed` part. */
  disclosure?: boolean;
}) {
  return (
    <fieldset className={`space-y-1 ${disclosure ? "lull-disclosure" : ""}`}>
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {children}
    </fieldset>
  );
}

function DateTimePair({
  legend,
  date,
  time,
  errors,
  errorId,
  min,
}: {
  legend: string;
  date: ReturnType<typeof getInputProps>;
  time: ReturnType<typeof getInputProps>;
  errors: string[];
  errorId: string;
  min: string;
}) {
  return (
    <fieldset className="min-w-0">
      <legend className="text-sm font-medium">{legend}</legend>
      <div className="flex min-w-0 gap-2">
        <label className="sr-only" htmlFor={date.id}>
          {legend}: date
        </label>
        <input
          {...date}
          min={min}
          className={`${inputClass} min-w-0`}
          aria-describedby={errors.length ? errorId : undefined}
        />
        <label className="sr-only" htmlFor={time.id}>
          {legend}: time
        </label>
        <input
          {...time}
          className={`${inputClass} min-w-0`}
          aria-describedby={errors.length ? errorId : undefined}
        />
      </div>
      <ErrorList id={errorId} errors={errors} />
    </fieldset>
  );
}
