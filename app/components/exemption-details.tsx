import { StatusBadge } from "#app/components/status-badge.tsx";
import type { PresentedExemption, TimelineEntry } from "#app/domain/exemption-presenter.ts";

/**
 * Staff's own clock under a worker's time, a size smaller (`under` the size of
 * that line), on a line of its own; nothing when absent.
 */
export function YourTime({
  text,
  under = "base",
}: {
  text: string | null | undefined;
  under?: "base" | "sm";
}) {
  return text ? (
    <span
      className={`block text-ink-muted ${under === "base" ? "text-sm" : "text-xs"}`}
      data-testid="your-time"
    >
      {text}
    </span>
  ) : null;
}

/** The facts of one request, as a description list. */
export function ExemptionFacts({
  exemption,
  justification,
  decisionNote,
}: {
  exemption: PresentedExemption;
  justification: string;
  decisionNote: string | null;
}) {
  return (
    <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[max-content_1fr]">
      <dt className="font-medium">Status</dt>
      <dd>
        <StatusBadge status={exemption.status} label={exemption.statusLabel} />
      </dd>
      <dt className="font-medium">Reason</dt>
      <dd>{exemption.reason}</dd>
      <dt className="font-medium">Period</dt>
      <dd>
        {exemption.period}
        <YourTime text={exemption.periodYours} />
      </dd>
      <dt className="font-medium">When</dt>
      <dd>{exemption.schedule}</dd>
      <dt className="font-medium">Stops</dt>
      <dd>{exemption.scope}</dd>
      <dt className="font-medium">Filed</dt>
      <dd>
        {exemption.filed}
        <YourTime text={exemption.filedYours} />
      </dd>
      <dt className="font-medium">What it is for</dt>
      <dd className="whitespace-pre-wrap">{justification}</dd>
      {decisionNote ? (
        <>
          <dt className="font-medium">Reviewer's note</dt>
          <dd className="whitespace-pre-wrap" data-testid="decision-note">
            {decisionNote}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** Who changed what, when and why, oldest first. */
export function ExemptionTimeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <ol className="space-y-3 border-l-2 border-line pl-4" data-testid="exemption-timeline">
      {entries.map((entry) => (
        <li key={entry.key}>
          <p className="font-medium">
            {entry.label}
            {entry.who ? <span className="font-normal text-ink-muted"> by {entry.who}</span> : null}
          </p>
          <p className="text-sm text-ink-muted">{entry.when}</p>
          <YourTime text={entry.whenYours} under="sm" />
          {entry.note ? <p className="mt-1 whitespace-pre-wrap text-sm">{entry.note}</p> : null}
        </li>
      ))}
    </ol>
  );
}
