import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PausesPerDayTable, PrivacyChoicesTable } from "#app/components/aggregate-tables.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { REASON_LABELS } from "#app/domain/exemption-labels.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import {
  describeHiddenGroups,
  MIN_GROUP_SIZE,
  PAUSE_REPORT_DAYS,
  percentOf,
} from "#app/domain/reporting.ts";
import { listAwaitingCosignature } from "#app/models/council.server.ts";
import { getPrivacyReport } from "#app/models/privacy-report.server.ts";
import { getReportingOverview, reportDays } from "#app/models/reporting.server.ts";
import { pauseDaysView, privacyChoicesView } from "#app/web/aggregate-view.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Overview · Council · Lull" }];

/**
 * The representatives' overview (ADR 0042): the privacy office's aggregates
 * (the same models, the same suppression of small groups) without the team
 * breakdown, whose rows carry managers' names, and what waits for their
 * co-signature. Nothing sent to the browser is about one person.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const now = new Date();
  const timeZone = rep.timezone;
  const [{ acknowledgements, exemptions, pauses }, privacy, waiting] = await Promise.all([
    getReportingOverview(now, timeZone),
    getPrivacyReport(reportDays(now, timeZone)[0]!.start, now),
    listAwaitingCosignature(),
  ]);
  return {
    asOf: formatDateTime(now, timeZone),
    waiting: {
      approvalRequired: waiting.approvalRequired,
      policyChanges: waiting.policyChanges.map((c) => ({
        id: c.id,
        proposed: formatDateTime(c.proposedAt, timeZone),
        settings: c.settings,
      })),
      purposes: waiting.purposes.map((p) => ({ id: p.id, name: p.name, version: p.version })),
      documents: waiting.documents.map((d) => ({
        id: d.id,
        title: d.title,
        version: d.version,
      })),
    },
    acknowledgements: {
      activePeople: acknowledgements.activePeople,
      versions: acknowledgements.versions.map((v) => ({
        id: v.id,
        title: v.title,
        version: v.version,
        current: v.current,
        signed: v.signed,
        percent: percentOf(v.signed, acknowledgements.activePeople),
      })),
    },
    exemptions: {
      total: exemptions.all?.total ?? null,
      workers: exemptions.all?.workers ?? null,
      reasons: exemptions.reasons.map((r) => ({
        reason: r.reason,
        label: REASON_LABELS[r.reason],
        total: r.total,
        workers: r.workers,
      })),
      hiddenNote: describeHiddenGroups(exemptions.hiddenCount),
    },
    pauses: pauseDaysView(pauses, timeZone),
    privacy: privacyChoicesView(privacy),
  };
}

const cell = "px-4 py-2";
const number = "px-4 py-2 text-right tabular-nums";

export default function CouncilOverviewPage() {
  const { asOf, waiting, acknowledgements, exemptions, pauses, privacy } =
    useLoaderData<typeof loader>();
  const nothingWaits =
    waiting.policyChanges.length + waiting.purposes.length + waiting.documents.length === 0;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Council overview</h1>
        <p className="mt-2 max-w-3xl text-ink-muted">
          What the portal collects and how workers use their protections, in aggregate only: no
          number here stands for fewer than {MIN_GROUP_SIZE} people, and nothing names a person. As
          of {asOf}.
        </p>
      </div>

      <Card title="Waiting for your co-signature" titleId="waiting-heading">
        <p className="mb-3 text-sm text-ink-muted">
          {waiting.approvalRequired
            ? "The policy requires a representative's co-signature before a new notice, or a change that widens collection or the use of data, takes effect."
            : "The policy does not require a representative's co-signature at the moment; proposals already waiting still need one."}
        </p>
        {nothingWaits ? (
          <p data-testid="nothing-waits">Nothing waits for a co-signature.</p>
        ) : (
          <ul className="list-disc space-y-1 pl-5" data-testid="waiting-list">
            {waiting.documents.map((d) => (
              <li key={d.id}>
                <Link to={`/council/documents/${d.id}`} className="underline underline-offset-2">
                  {d.title}, version {d.version} (draft)
                </Link>
              </li>
            ))}
            {waiting.policyChanges.map((c) => (
              <li key={c.id}>
                <Link to="/council/policy" className="underline underline-offset-2">
                  A policy change proposed {c.proposed} ({c.settings}{" "}
                  {c.settings === 1 ? "setting" : "settings"})
                </Link>
              </li>
            ))}
            {waiting.purposes.map((p) => (
              <li key={p.id}>
                <Link to="/council/purposes" className="underline underline-offset-2">
                  Purpose “{p.name}”, version {p.version}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="Acknowledgements" titleId="acknowledgements-heading">
        {acknowledgements.versions.length === 0 ? (
          <p>No published document asks to be acknowledged yet.</p>
        ) : (
          <DataTable
            caption="Acknowledgement completion per document version"
            columns={["Document", "Version", "Signed", "Completion"]}
          >
            {acknowledgements.versions.map((v) => (
              <tr key={v.id}>
                <th scope="row" className={`${cell} font-normal`}>
                  {v.title}
                </th>
                <td className={cell}>
                  {v.version}
                  {v.current ? " (current)" : ""}
                </td>
                <td className={number}>
                  {v.signed} of {acknowledgements.activePeople}
                </td>
                <td className={number}>{v.percent === null ? "—" : `${v.percent}%`}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>

      <Card title="Exemption requests" titleId="exemptions-heading">
        {exemptions.total === null ? (
          <p>
            Fewer than {MIN_GROUP_SIZE} workers have asked for an exemption, so no totals are shown.
          </p>
        ) : (
          <DataTable
            caption="Exemption requests by reason"
            columns={["Reason", "Requests", "Workers"]}
          >
            {exemptions.reasons.map((r) => (
              <tr key={r.reason}>
                <th scope="row" className={`${cell} font-normal`}>
                  {r.label}
                </th>
                <td className={number}>{r.total}</td>
                <td className={number}>{r.workers}</td>
              </tr>
            ))}
            <tr className="bg-surface-sunken font-semibold">
              <th scope="row" className={cell}>
                All reasons
              </th>
              <td className={number}>{exemptions.total}</td>
              <td className={number}>{exemptions.workers}</td>
            </tr>
          </DataTable>
        )}
        {exemptions.hiddenNote ? (
          <p className="mt-3 text-sm text-ink-muted">{exemptions.hiddenNote}</p>
        ) : null}
      </Card>

      <Card title="Pauses" titleId="pauses-heading">
        <p className="mb-3 text-sm text-ink-muted" data-testid="pause-summary">
          {pauses.total === null
            ? `Fewer than ${MIN_GROUP_SIZE} people paused in the last ${PAUSE_REPORT_DAYS} days, so no number is shown.`
            : `${pauses.total} pauses started on the days shown of the last ${PAUSE_REPORT_DAYS}${pauses.hiddenDays > 0 ? ` (${pauses.hiddenDays} ${pauses.hiddenDays === 1 ? "day" : "days"} hidden: fewer than ${MIN_GROUP_SIZE} people paused)` : ""}.`}
        </p>
        <details>
          <summary className="cursor-pointer text-sm font-medium underline underline-offset-2">
            Pauses per day
          </summary>
          <div className="mt-2">
            <PausesPerDayTable days={pauses.days} />
          </div>
        </details>
      </Card>

      <Card title="Privacy choices" titleId="privacy-heading">
        <PrivacyChoicesTable rows={privacy.rows} minWorkers={privacy.minWorkers} />
      </Card>
    </div>
  );
}
