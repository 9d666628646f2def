import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { POLICY_BOUNDS } from "#app/domain/pause-policy.ts";
import { PolicySchema } from "#app/domain/policy-form.ts";
import { MAX_EXEMPTION_DAYS_BOUNDS } from "#app/domain/exemption-rules.ts";
import { RETENTION_BOUNDS } from "#app/domain/retention.ts";
import { getPolicySettings, updatePausePolicy } from "#app/models/policy.server.ts";
import { requireRole } from "#app/utils/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";

export const meta: MetaFunction = () => [{ title: "Pause policy · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["ADMIN"]);
  return { policy: await getPolicySettings() };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const submission = parseWithZod(await request.formData(), { schema: PolicySchema });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400 });
  }
  const changed = await updatePausePolicy({
    actorId: admin.id,
    values: submission.value,
    now: new Date(),
  });
  return redirectWithToast("/admin/policy", {
    kind: "success",
    message:
      changed.length === 0
        ? "Nothing changed."
        : "Pause policy saved. It applies to new pauses; pauses already stored stay as they are.",
  });
}

export default function PolicyPage() {
  const { policy } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "pause-policy",
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
      requireAcknowledgementBeforeCollection: policy.requireAcknowledgementBeforeCollection
        ? "on"
        : undefined,
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
    <div className="max-w-2xl space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Pause policy</h1>
        <p className="mt-2 text-ink-muted">
          The rules every worker's pauses follow. Changes apply to pauses created from now on;
          pauses already stored are never rewritten. Every change is recorded in the audit log.
        </p>
      </div>
      <Form
        method="post"
        {...getFormProps(form)}
        className="space-y-5 rounded-card border border-line bg-surface-raised p-6"
      >
        <Field
          label="Longest pause (minutes)"
          hint={`${b.maxPauseMinutes.min}–${b.maxPauseMinutes.max}. No pause is ever longer than 30 minutes.`}
          errors={fields.maxPauseMinutes.errors}
          inputProps={numberProps(fields.maxPauseMinutes)}
        />
        <Field
          label="Minimum gap between pauses (minutes)"
          hint={`${b.minGapMinutes.min}–${b.minGapMinutes.max}. Stops pauses being chained into an all-day opt-out.`}
          errors={fields.minGapMinutes.errors}
          inputProps={numberProps(fields.minGapMinutes)}
        />
        <Field
          label="Daily pause limit (minutes)"
          hint="Counted per calendar day in each worker's time zone. Leave empty for no daily limit."
          errors={fields.maxPauseMinutesPerDay.errors}
          inputProps={{ ...numberProps(fields.maxPauseMinutesPerDay), required: false }}
        />
        <Field
          label="Scheduling horizon (days)"
          hint={`${b.scheduleAheadDays.min}–${b.scheduleAheadDays.max}. How far ahead a pause can be scheduled.`}
          errors={fields.scheduleAheadDays.errors}
          inputProps={numberProps(fields.scheduleAheadDays)}
        />
        <Field
          label="Keep collected data for (days)"
          hint={`${RETENTION_BOUNDS.min}–${RETENTION_BOUNDS.max}. Older events and hourly counts are deleted every hour.`}
          errors={fields.retentionDays.errors}
          inputProps={numberProps(fields.retentionDays)}
        />
        <Field
          label="Longest exemption (days)"
          hint={`${MAX_EXEMPTION_DAYS_BOUNDS.min}–${MAX_EXEMPTION_DAYS_BOUNDS.max}. How long one exemption request may span, from its start to its end.`}
          errors={fields.maxExemptionDays.errors}
          inputProps={numberProps(fields.maxExemptionDays)}
        />
        <div>
          <label className="flex items-center gap-2 text-sm font-medium">
            <input
              {...getInputProps(fields.requireAcknowledgementBeforeCollection, {
                type: "checkbox",
                value: "on",
              })}
            />
            Collect nothing from a worker until they acknowledge the current monitoring notice
          </label>
          <p className="text-sm text-ink-muted">
            While on, a worker's agents hold off, and anything they send is discarded, until the
            worker signs the newest version of the monitoring notice.
          </p>
        </div>
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={navigation.state === "submitting"}>
          Save policy
        </Button>
      </Form>
    </div>
  );
}
