import { getFormProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, Link, useNavigation } from "@remix-run/react";
import { Countdown } from "#app/components/countdown.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { pauseChangeKey, pauseNowSchema } from "#app/domain/pause-forms.ts";
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
  const { current, next, exemptUntil, exemptTypes, devices } = overview;
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
          <p className="flex items-center gap-2 text-2xl font-bold" data-testid="tracking-status">
            <PauseIcon />
            Paused until {current.until}
          </p>
          <p className="text-ink-muted">
            <Countdown endsAtIso={current.pause.endsAtIso} serverNowIso={overview.serverNowIso} />{" "}
            left. The monitoring agent is not collecting anything from you.
          </p>
          <ConfirmForm
            action="/pauses"
            confirmKey={pauseChangeKey("end", current.pause.id)}
            fields={{ intent: "end", pauseId: current.pause.id, returnTo }}
            title="End your pause now?"
            confirmLabel="End pause"
            triggerLabel="End pause now"
            triggerVariant="secondary"
          >
            <p>Tracking starts again at once, on every device.</p>
            <p>
              Pauses are at least {overview.policy.minGapMinutes} minutes apart, so your next pause
              can start {overview.policy.minGapMinutes} minutes from now at the earliest.
            </p>
          </ConfirmForm>
        </div>
      ) : exemptUntil ? (
        <div className="mt-2 space-y-2">
          <p className="flex items-center gap-2 text-2xl font-bold" data-testid="tracking-status">
            <PauseIcon />
            Exempt until {exemptUntil}
          </p>
          <p className="text-ink-muted">
            An approved exemption is in force: the monitoring agent is not collecting anything from
            you. <Link to="/exemptions">See your exemptions</Link>.
          </p>
        </div>
      ) : (
        <div className="mt-2 space-y-4">
          <p className="flex items-center gap-2 text-2xl font-bold" data-testid="tracking-status">
            {overview.heldForAcknowledgement ? (
              <>
                <PauseIcon />
                Tracking is on hold
              </>
            ) : devices.enrolled === 0 ? (
              <>
                <Dot tone="muted" />
                No device is enrolled: nothing is collected
              </>
            ) : (
              <>
                <Dot tone="on" />
                Tracking is on
              </>
            )}
          </p>
          {overview.heldForAcknowledgement ? (
            <p className="text-ink-muted" data-testid="held-for-acknowledgement">
              Your agents are holding off until you{" "}
              <Link to="/acknowledgements">acknowledge the current monitoring notice</Link>: nothing
              is collected or stored until then.
            </p>
          ) : devices.enrolled === 0 ? (
            <p className="text-ink-muted" data-testid="devices-summary">
              When you <Link to="/devices">enroll the agent on a computer</Link>, it collects only
              when this page says so.
            </p>
          ) : (
            <p className="text-ink-muted" data-testid="devices-summary">
              {devices.online === 0
                ? `No device is online now${devices.lastContact ? `; last contact ${devices.lastContact}` : ": none has connected yet"}.`
                : `${devices.online} of ${devices.enrolled} ${devices.enrolled === 1 ? "device" : "devices"} online, last contact ${devices.lastContact}.`}{" "}
              <Link to="/devices">Your devices</Link>
            </p>
          )}
          {exemptTypes ? (
            <p className="text-ink-muted" data-testid="exempt-types">
              Not collected now under your approved exemption: {exemptTypes}.
            </p>
          ) : null}
          {overview.heldForAcknowledgement ? null : overview.pauseAgainAt ? (
            <p data-testid="pause-again-at">
              You can pause again at {overview.pauseAgainAt} (pauses are at least{" "}
              {overview.policy.minGapMinutes} minutes apart).
            </p>
          ) : (
            <PauseNowForm overview={overview} lastResult={lastResult} returnTo={returnTo} />
          )}
        </div>
      )}
      <p className="mt-4 text-sm text-ink-muted" data-testid="next-pause">
        {next ? <>Next scheduled pause: {next.when}</> : "No pause scheduled."}
      </p>
    </section>
  );
}

/** Icons drawn as SVG (the ⏸ character is missing from many fonts). */
function PauseIcon() {
  return (
    <svg
      viewBox="0 0 20 20"
      width="22"
      height="22"
      aria-hidden="true"
      className="shrink-0 fill-current"
    >
      <rect x="4" y="3" width="4" height="14" rx="1" />
      <rect x="12" y="3" width="4" height="14" rx="1" />
    </svg>
  );
}

function Dot({ tone }: { tone: "on" | "muted" }) {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" className="shrink-0">
      <circle cx="10" cy="10" r="7" className={tone === "on" ? "fill-success" : "fill-ink-muted"} />
    </svg>
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
