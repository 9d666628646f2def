import { getFormProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, Link, useNavigation } from "@remix-run/react";
import { Countdown } from "#app/components/countdown.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { pauseNowSchema } from "#app/domain/pause-forms.ts";
import type { TrackingOverview } from "#app/models/tracking.server.ts";

type Overview = TrackingOverview;

/** "Tracking is on" with a one-click pause, or "Paused until 14:32" with a live countdown. */
export function TrackingStatus({
  overview,
  lastResult,
  returnTo,
}: {
  overview: Overview;
  lastResult?: SubmissionResult<string[]> | null;
  returnTo: string;
}) {
  const { current, next, exemptUntil, exemptTypes } = overview;
  const off = current !== null || exemptUntil !== null;
  return (
    <section
      aria-labelledby="tracking-status-heading"
      className={`rounded-card border p-6 shadow-sm ${
        off
          ? "border-brand-300 bg-brand-50 dark:border-brand-700 dark:bg-brand-950"
          : "border-line bg-surface-raised"
      }`}
    >
      <h2
        id="tracking-status-heading"
        className="text-sm font-semibold uppercase tracking-wide text-ink-muted"
      >
        Tracking status
      </h2>
      {current ? (
        <div className="mt-2 space-y-4">
          <p className="text-2xl font-bold" data-testid="tracking-status">
            <span aria-hidden="true">⏸ </span>Paused until {current.until}
          </p>
          <p className="text-ink-muted">
            <Countdown endsAtIso={current.pause.endsAtIso} serverNowIso={overview.serverNowIso} />{" "}
            left. The monitoring agent is not collecting anything from you.
          </p>
          <Form method="post" action="/pauses">
            <input type="hidden" name="intent" value="end" />
            <input type="hidden" name="pauseId" value={current.pause.id} />
            <input type="hidden" name="returnTo" value={returnTo} />
            <Button type="submit" variant="secondary">
              End pause now
            </Button>
          </Form>
        </div>
      ) : exemptUntil ? (
        <div className="mt-2 space-y-2">
          <p className="text-2xl font-bold" data-testid="tracking-status">
            <span aria-hidden="true">⏸ </span>Exempt until {exemptUntil}
          </p>
          <p className="text-ink-muted">
            An approved exemption is in force: the monitoring agent is not collecting anything from
            you. <Link to="/exemptions">See your exemptions</Link>.
          </p>
        </div>
      ) : (
        <div className="mt-2 space-y-4">
          <p className="text-2xl font-bold" data-testid="tracking-status">
            {overview.heldForAcknowledgement ? (
              <>
                <span aria-hidden="true">⏸ </span>Tracking is on hold
              </>
            ) : (
              <>
                <span aria-hidden="true">● </span>Tracking is on
              </>
            )}
          </p>
          {overview.heldForAcknowledgement ? (
            <p className="text-ink-muted" data-testid="held-for-acknowledgement">
              Your agents are holding off until you{" "}
              <Link to="/acknowledgements">acknowledge the current monitoring notice</Link>: nothing
              is collected or stored until then.
            </p>
          ) : null}
          {exemptTypes ? (
            <p className="text-ink-muted" data-testid="exempt-types">
              Not collected now under your approved exemption: {exemptTypes}.
            </p>
          ) : null}
          <PauseNowForm overview={overview} lastResult={lastResult} returnTo={returnTo} />
        </div>
      )}
      <p className="mt-4 text-sm text-ink-muted" data-testid="next-pause">
        {next ? <>Next scheduled pause: {next.when}</> : "No pause scheduled."}
      </p>
    </section>
  );
}

function PauseNowForm({
  overview,
  lastResult,
  returnTo,
}: {
  overview: Overview;
  lastResult?: SubmissionResult<string[]> | null;
  returnTo: string;
}) {
  const max = overview.policy.maxPauseMinutes;
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "pause-now",
    lastResult,
    defaultValue: { durationMinutes: String(max) },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: pauseNowSchema(max) }),
    shouldValidate: "onSubmit",
  });
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "start";
  return (
    <Form
      method="post"
      action="/pauses"
      {...getFormProps(form)}
      className="flex flex-wrap items-end gap-3"
    >
      <input type="hidden" name="intent" value="start" />
      <input type="hidden" name="returnTo" value={returnTo} />
      <div>
        <label htmlFor={fields.durationMinutes.id} className="block text-sm font-medium">
          Pause for
        </label>
        <select
          {...getSelectProps(fields.durationMinutes)}
          key={`${fields.durationMinutes.key}-${max}`}
          defaultValue={String(max)}
          className="mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2"
        >
          {overview.durationChoices.map((minutes) => (
            <option key={minutes} value={minutes}>
              {minutes} minutes
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" disabled={busy}>
        {busy ? "Pausing…" : "Pause now"}
      </Button>
      <div className="w-full" role="alert">
        <ErrorList id={fields.durationMinutes.errorId} errors={fields.durationMinutes.errors} />
        <ErrorList id={form.errorId} errors={form.errors} />
      </div>
    </Form>
  );
}
