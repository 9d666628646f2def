import {
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { ForgetRecent } from "#app/components/forget-recent.tsx";
import { TrackingStatus } from "#app/components/tracking-status.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { localDateKey } from "#app/domain/local-time.ts";
import { presentPause } from "#app/domain/pause-presenter.ts";
import { pauseChangeKey, schedulePauseSchema } from "#app/domain/pause-forms.ts";
import { listPastPauses } from "#app/models/pause.server.ts";
import { listForgets } from "#app/models/forget.server.ts";
import { describeSpan } from "#app/domain/pause-presenter.ts";
import { getTrackingOverview } from "#app/models/tracking.server.ts";
import { handlePauseAction } from "#app/web/pause-actions.server.ts";
import { requireUser } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Pauses · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const url = new URL(request.url);
  const page = Math.max(
    1,
    Math.min(10_000, Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1),
  );
  const [overview, past, forgets] = await Promise.all([
    getTrackingOverview(user, now),
    listPastPauses(user.id, now, page),
    listForgets(user.id),
  ]);
  return {
    overview,
    today: localDateKey(now, user.timezone),
    past: {
      page,
      pageCount: past.pageCount,
      total: past.total,
      pauses: past.pauses.map((p) => presentPause(p, now, user.timezone)),
    },
    forgets: {
      total: forgets.total,
      items: forgets.forgets.map((f) => ({
        id: f.id,
        when: describeSpan(f.startsAt, f.endsAt, user.timezone),
        minutes: f.minutes,
      })),
    },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handlePauseAction(request, user);
}

export default function PausesPage() {
  const { overview, past, today, forgets } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const location = useLocation();
  const startResult = actionData?.intent === "start" ? actionData.result : null;
  const scheduleResult = actionData?.intent === "schedule" ? actionData.result : null;
  const changeError = actionData?.intent === "change" ? actionData.message : null;
  const forgetError = actionData?.intent === "forget" ? actionData.message : null;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Pauses</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Stop tracking for up to {overview.policy.maxPauseMinutes} minutes at a time, now or later,
          without asking anyone. Pauses must be at least {overview.policy.minGapMinutes} minutes
          apart
          {overview.policy.maxPauseMinutesPerDay
            ? `, and add up to at most ${overview.policy.maxPauseMinutesPerDay} minutes a day`
            : ""}
          . Times are in your time zone, {overview.timeZoneLabel}.
        </p>
      </div>

      {changeError ? (
        <p
          role="alert"
          className="rounded-lg border border-danger/40 bg-danger-surface px-4 py-3 text-danger"
        >
          {changeError}
        </p>
      ) : null}

      <TrackingStatus overview={overview} lastResult={startResult} returnTo="/pauses" />

      <ForgetRecent forget={overview.forget} returnTo="/pauses" error={forgetError} />

      <div className="grid gap-6 lg:grid-cols-2">
        <SchedulePauseForm
          maxMinutes={overview.policy.maxPauseMinutes}
          choices={overview.durationChoices}
          today={today}
          timeZoneLabel={overview.timeZoneLabel}
          lastResult={scheduleResult}
        />

        <Card title="Upcoming pauses" titleId="upcoming-heading">
          {overview.upcoming.length === 0 ? (
            <p className="text-sm text-ink-muted">Nothing scheduled.</p>
          ) : (
            <ul className="divide-y divide-line" data-testid="upcoming-pauses">
              {overview.upcoming.map((p) => (
                <li key={p.id} className="flex items-center justify-between gap-4 py-3">
                  <div>
                    <p className="font-medium">{p.when}</p>
                    <p className="text-sm text-ink-muted">{p.minutes} minutes</p>
                  </div>
                  <ConfirmForm
                    confirmKey={pauseChangeKey("cancel", p.id)}
                    fields={{ intent: "cancel", pauseId: p.id }}
                    title={`Cancel the pause on ${p.when}?`}
                    confirmLabel="Cancel this pause"
                    triggerLabel="Cancel"
                    triggerAriaLabel={`Cancel the pause on ${p.when}`}
                    triggerVariant="secondary"
                    triggerClassName="py-1"
                  >
                    <p>Tracking will not pause then. A new pause must follow the same rules.</p>
                  </ConfirmForm>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <Card title="Past pauses" titleId="past-heading">
        {past.pauses.length === 0 ? (
          <p className="text-sm text-ink-muted">No pauses yet.</p>
        ) : (
          <ul className="divide-y divide-line" data-testid="past-pauses">
            {past.pauses.map((p) => (
              <li key={p.id} className="flex flex-wrap justify-between gap-2 py-3">
                <span className={p.note === "Cancelled" ? "text-ink-muted line-through" : ""}>
                  {p.when}
                </span>
                <span className="text-sm text-ink-muted">
                  {p.kind === "NOW" ? "Started on the spot" : "Scheduled"}
                  {p.note ? ` · ${p.note}` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
        <Pagination
          page={past.page}
          pageCount={past.pageCount}
          search={location.search}
          label="Past pauses pages"
        />
      </Card>

      {forgets.total > 0 ? (
        <Card title="Forgotten spans" titleId="forgotten-heading">
          <p className="mb-2 text-sm text-ink-muted">
            What you asked to forget: nothing recorded then is kept.{" "}
            {forgets.total > forgets.items.length
              ? `The latest ${forgets.items.length} of ${forgets.total}. `
              : ""}
            <a href="/data/access#deletions" className="underline">
              Deletion receipts
            </a>
          </p>
          <ul className="divide-y divide-line" data-testid="forgotten-spans">
            {forgets.items.map((f) => (
              <li key={f.id} className="flex flex-wrap justify-between gap-2 py-3">
                <span>{f.when}</span>
                <span className="text-sm text-ink-muted">{f.minutes} minutes forgotten</span>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}

function SchedulePauseForm({
  maxMinutes,
  choices,
  today,
  timeZoneLabel,
  lastResult,
}: {
  maxMinutes: number;
  choices: number[];
  today: string;
  timeZoneLabel: string;
  lastResult: SubmissionResult<string[]> | null;
}) {
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "schedule-pause",
    lastResult,
    defaultValue: { durationMinutes: String(maxMinutes) },
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: schedulePauseSchema(maxMinutes) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const busy =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "schedule";
  const inputClass = "mt-1 block w-full rounded-lg border border-line bg-surface-raised px-3 py-2";
  return (
    <Card title="Schedule a pause" titleId="schedule-heading">
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <input type="hidden" name="intent" value="schedule" />
        <div className="grid gap-4 sm:grid-cols-3">
          <div>
            <label htmlFor={fields.date.id} className="block text-sm font-medium">
              Date
            </label>
            <input
              {...getInputProps(fields.date, { type: "date" })}
              min={today}
              className={inputClass}
              aria-describedby={fields.date.errors ? fields.date.errorId : undefined}
            />
            <ErrorList id={fields.date.errorId} errors={fields.date.errors} />
          </div>
          <div>
            <label htmlFor={fields.time.id} className="block text-sm font-medium">
              Start time
            </label>
            <input
              {...getInputProps(fields.time, { type: "time" })}
              step={60}
              className={inputClass}
              aria-describedby={fields.time.errors ? fields.time.errorId : undefined}
            />
            <ErrorList id={fields.time.errorId} errors={fields.time.errors} />
          </div>
          <div>
            <label htmlFor={fields.durationMinutes.id} className="block text-sm font-medium">
              Duration
            </label>
            <select
              {...getSelectProps(fields.durationMinutes)}
              key={`${fields.durationMinutes.key}-${maxMinutes}`}
              className={inputClass}
              aria-describedby={
                fields.durationMinutes.errors ? fields.durationMinutes.errorId : undefined
              }
            >
              {choices.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes} minutes
                </option>
              ))}
            </select>
            <ErrorList id={fields.durationMinutes.errorId} errors={fields.durationMinutes.errors} />
          </div>
        </div>
        <p className="text-sm text-ink-muted">In your time zone, {timeZoneLabel}.</p>
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={busy}>
          {busy ? "Scheduling…" : "Schedule pause"}
        </Button>
      </Form>
    </Card>
  );
}
