import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PausesPerDayTable, PrivacyChoicesTable } from "#app/components/aggregate-tables.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { EXEMPTION_STATUSES } from "#app/domain/exemption.ts";
import { REASON_LABELS, STATUS_LABELS } from "#app/domain/exemption-labels.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import {
  describeHiddenGroups,
  formatDuration,
  MIN_GROUP_SIZE,
  PAUSE_REPORT_DAYS,
  percentOf,
  perWorker,
  TEAM_EXEMPTION_DAYS,
} from "#app/domain/reporting.ts";
import { getPrivacyReport } from "#app/models/privacy-report.server.ts";
import { rightsDeadlineCounts } from "#app/models/rights.server.ts";
import { DUE_SOON_DAYS } from "#app/domain/rights-deadlines.ts";
import { getReportingOverview, reportDays } from "#app/models/reporting.server.ts";
import { pauseDaysView, privacyChoicesView } from "#app/web/aggregate-view.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Overview · Admin · Lull" }];

/**
 * Aggregate numbers only. Everything sent to the browser is a count, a share
 * or a median; a breakdown's small groups were dropped by the model already.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const now = new Date();
  const timeZone = admin.timezone;
  const [{ acknowledgements, exemptions, pauses, teams }, privacy, rights] = await Promise.all([
    getReportingOverview(now, timeZone),
    // The same local days as the pause report.
    getPrivacyReport(reportDays(now, timeZone)[0]!.start, now),
    // Counts only: the queue names the requests, opened with a purpose (ADR 0042).
    rightsDeadlineCounts(now),
  ]);
  const duration = (ms: number | null) => (ms === null ? null : formatDuration(ms));
  return {
    asOf: formatDateTime(now, timeZone),
    timeZone,
    rights,
    acknowledgements: {
      activePeople: acknowledgements.activePeople,
      versions: acknowledgements.versions.map((v) => ({
        id: v.id,
        slug: v.slug,
        title: v.title,
        version: v.version,
        current: v.current,
        published: formatDateTime(v.publishedAt, timeZone),
        signed: v.signed,
        percent: percentOf(v.signed, acknowledgements.activePeople),
      })),
    },
    exemptions: {
      all: exemptions.all
        ? { ...exemptions.all, medianDecision: duration(exemptions.all.medianDecisionMs) }
        : null,
      reasons: exemptions.reasons.map((r) => ({
        ...r,
        label: REASON_LABELS[r.reason],
        medianDecision: duration(r.medianDecisionMs),
      })),
      hiddenCount: exemptions.hiddenCount,
      hiddenNote: describeHiddenGroups(exemptions.hiddenCount),
    },
    // Only what at least MIN_GROUP_SIZE people stand behind (ADR 0042).
    pauses: pauseDaysView(pauses, timeZone),
    teams: {
      noticeVersion: teams.notice?.version ?? null,
      rows: teams.teams.map((t) => ({
        key: t.key,
        manager: t.manager,
        workers: t.workers,
        signed: t.signed,
        signedPercent: t.signed === null ? null : percentOf(t.signed, t.workers),
        pausesPerWorker: perWorker(t.pauses, t.workers),
        exemptions: t.exemptions,
      })),
      hiddenCount: teams.hiddenCount,
      hiddenNote: describeHiddenGroups(teams.hiddenCount),
    },
    privacy: privacyChoicesView(privacy),
  };
}

const cell = "px-4 py-2";
const number = "px-4 py-2 text-right tabular-nums";

function HiddenNote({ note }: { note: string | null }) {
  return note ? <p className="mt-3 text-sm text-ink-muted">{note}</p> : null;
}

/** Pauses per day as bars; SVG attributes, not inline styles (the CSP allows none). */
function PauseBars({ days }: { days: { key: string; label: string; count: number | null }[] }) {
  const max = Math.max(1, ...days.map((d) => d.count ?? 0));
  const slot = 100 / days.length;
  return (
    <div aria-hidden="true">
      <svg className="h-32 w-full" focusable="false">
        {days.map((d, i) => {
          // A hidden day (fewer than MIN_GROUP_SIZE people paused) draws no bar.
          const height = ((d.count ?? 0) / max) * 100;
          return (
            <rect
              key={d.key}
              x={`${i * slot + slot * 0.15}%`}
              y={`${100 - height}%`}
              width={`${slot * 0.7}%`}
              height={`${height}%`}
              rx="2"
              className="fill-brand-600 dark:fill-brand-300"
            />
          );
        })}
        <line x1="0" y1="100%" x2="100%" y2="100%" className="stroke-line" strokeWidth="2" />
      </svg>
      <div className="mt-1 flex justify-between text-xs text-ink-muted">
        <span>{days[0]?.label}</span>
        <span>Highest: {max} in a day</span>
        <span>{days[days.length - 1]?.label}</span>
      </div>
    </div>
  );
}

export default function AdminOverviewPage() {
  const data = useLoaderData<typeof loader>();
  const { acknowledgements, exemptions, pauses, teams, privacy } = data;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Privacy office overview</h1>
        <p className="mt-2 max-w-3xl text-ink-muted">
          Aggregate numbers only: this page counts pauses, requests and signatures across the
          organisation and never lists what one person did. Any breakdown hides the groups of fewer
          than {MIN_GROUP_SIZE} workers, and says how many it hid, so that no row can point at a
          person. As of {data.asOf}; days are in your time zone, {data.timeZone}.
        </p>
      </div>

      <Card title="Rights requests" titleId="rights-heading">
        <dl className="grid grid-cols-3 gap-4 text-center" data-testid="rights-deadlines">
          <div>
            <dt className="text-sm text-ink-muted">Open</dt>
            <dd className="text-2xl font-semibold tabular-nums">{data.rights.open}</dd>
          </div>
          <div>
            <dt className="text-sm text-ink-muted">Due within {DUE_SOON_DAYS} days</dt>
            <dd className="text-2xl font-semibold tabular-nums">{data.rights.dueSoon}</dd>
          </div>
          <div>
            <dt className="text-sm text-ink-muted">Overdue</dt>
            <dd
              className={`text-2xl font-semibold tabular-nums ${data.rights.overdue > 0 ? "text-danger" : ""}`}
              data-testid="rights-overdue"
            >
              {data.rights.overdue}
            </dd>
          </div>
        </dl>
        <p className="mt-3 text-sm">
          {data.rights.overdue > 0 ? (
            <strong className="text-danger">
              {data.rights.overdue === 1
                ? "One request is past its deadline. "
                : `${data.rights.overdue} requests are past their deadline. `}
            </strong>
          ) : null}
          <Link to="/review/rights" className="underline underline-offset-2">
            The rights requests queue
          </Link>
        </p>
      </Card>

      <Card title="Acknowledgements" titleId="acknowledgements-heading">
        <p className="mb-3 text-sm text-ink-muted">
          For each published version that asks to be acknowledged: how many of the{" "}
          {acknowledgements.activePeople} active people have signed it. Deactivated accounts count
          in neither number.
        </p>
        {acknowledgements.versions.length === 0 ? (
          <p>No published document asks to be acknowledged yet.</p>
        ) : (
          <DataTable
            caption="Acknowledgement completion per document version"
            columns={["Document", "Version", "Published", "Signed", "Completion"]}
          >
            {acknowledgements.versions.map((v) => (
              <tr key={v.id}>
                <th scope="row" className={`${cell} font-normal`}>
                  <span className="font-medium">{v.title}</span>{" "}
                  <span className="text-ink-muted">({v.slug})</span>
                </th>
                <td className={cell}>
                  {v.version}
                  {v.current ? " (current)" : ""}
                </td>
                <td className={cell}>{v.published}</td>
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
        <p className="mb-3 text-sm text-ink-muted">
          Every request filed, by reason and by where it stands now (a pending or approved request
          whose end has passed counts as expired). Time to decision runs from filing to a
          reviewer&apos;s approval or denial.
        </p>
        <DataTable
          caption="Exemption requests by reason and status, with the median time to decision"
          columns={[
            "Reason",
            "Workers",
            ...EXEMPTION_STATUSES.map((s) => STATUS_LABELS[s]),
            "Total",
            "Median time to decision",
          ]}
        >
          {exemptions.reasons.map((r) => (
            <tr key={r.reason}>
              <th scope="row" className={`${cell} font-normal`}>
                {r.label}
              </th>
              <td className={number}>{r.workers}</td>
              {EXEMPTION_STATUSES.map((s) => (
                <td key={s} className={number}>
                  {r.counts[s]}
                </td>
              ))}
              <td className={number}>{r.total}</td>
              <td className={cell}>{r.medianDecision ?? "None decided"}</td>
            </tr>
          ))}
          {exemptions.all ? (
            <tr className="bg-surface-sunken font-semibold">
              <th scope="row" className={cell}>
                All reasons
              </th>
              <td className={number}>{exemptions.all.workers}</td>
              {EXEMPTION_STATUSES.map((s) => (
                <td key={s} className={number}>
                  {exemptions.all!.counts[s]}
                </td>
              ))}
              <td className={number}>{exemptions.all.total}</td>
              <td className={cell}>{exemptions.all.medianDecision ?? "None decided"}</td>
            </tr>
          ) : (
            <tr>
              <td colSpan={EXEMPTION_STATUSES.length + 4} className={cell}>
                Fewer than 5 workers have asked for an exemption, so no totals are shown.
              </td>
            </tr>
          )}
        </DataTable>
        <HiddenNote note={exemptions.hiddenNote} />
      </Card>

      <Card title="Pauses" titleId="pauses-heading">
        <p className="mb-3 text-sm text-ink-muted">
          Pauses started across the organisation on each of the last {PAUSE_REPORT_DAYS} days
          (cancelled pauses are not counted). A day on which fewer than {MIN_GROUP_SIZE} people
          paused shows no number, and its pauses are in no total.{" "}
          <span data-testid="pause-summary">
            {pauses.total === null
              ? `Fewer than ${MIN_GROUP_SIZE} people paused, so no number is shown.`
              : `${pauses.total} on the days shown${pauses.hiddenDays > 0 ? ` (${pauses.hiddenDays} ${pauses.hiddenDays === 1 ? "day" : "days"} hidden)` : ""}. ` +
                (pauses.medianLength
                  ? `Median length ${pauses.medianLength}${pauses.measured === null ? "" : `, over ${pauses.measured} pauses`} (to their end, or to when they were ended early).`
                  : "No pause to measure yet.")}
          </span>
        </p>
        <figure className="space-y-3">
          <PauseBars days={pauses.days} />
          <figcaption className="text-sm text-ink-muted">
            Pauses started per day, last {PAUSE_REPORT_DAYS} days.
          </figcaption>
          <details>
            <summary className="cursor-pointer text-sm font-medium underline underline-offset-2">
              Show the numbers as a table
            </summary>
            <div className="mt-2">
              <PausesPerDayTable days={pauses.days} />
            </div>
          </details>
        </figure>
      </Card>

      <Card title="Teams" titleId="teams-heading">
        <p className="mb-3 text-sm text-ink-muted">
          Per manager, over their active direct reports; active people without a manager form one
          more group. A team of fewer than {MIN_GROUP_SIZE} people is not shown.
        </p>
        {teams.rows.length === 0 ? (
          <p>No team is large enough to show.</p>
        ) : (
          <DataTable
            caption="Teams by manager"
            columns={[
              "Manager",
              "Team size",
              teams.noticeVersion === null
                ? "Signed the monitoring notice"
                : `Signed the monitoring notice (version ${teams.noticeVersion})`,
              `Pauses per worker, last ${PAUSE_REPORT_DAYS} days`,
              `Exemption requests, last ${TEAM_EXEMPTION_DAYS} days`,
            ]}
          >
            {teams.rows.map((t) => (
              <tr key={t.key}>
                <th scope="row" className={`${cell} font-normal`}>
                  {t.manager ?? <span className="italic">No manager</span>}
                </th>
                <td className={number}>{t.workers}</td>
                <td className={number}>
                  {t.signed === null
                    ? "No notice published"
                    : `${t.signed} of ${t.workers} (${t.signedPercent}%)`}
                </td>
                <td className={number}>{t.pausesPerWorker}</td>
                <td className={number}>{t.exemptions}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <HiddenNote note={teams.hiddenNote} />
      </Card>

      <Card title="Forgets and private applications" titleId="privacy-heading">
        <p className="mb-3 text-sm text-ink-muted">
          Over the last {PAUSE_REPORT_DAYS} days, across the organisation. Who forgot what, and
          which applications someone keeps private, is never shown; each number appears only when at
          least {privacy.minWorkers} workers are behind it.
        </p>
        <PrivacyChoicesTable rows={privacy.rows} minWorkers={privacy.minWorkers} />
      </Card>
    </div>
  );
}
