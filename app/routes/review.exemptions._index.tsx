import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { YourTime } from "#app/components/exemption-details.tsx";
import { Pagination } from "#app/components/pagination.tsx";
import { StatusBadge } from "#app/components/status-badge.tsx";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { searchParamsObject } from "#app/domain/admin-forms.ts";
import { ReviewQueueSearchSchema } from "#app/domain/exemption-forms.ts";
import { decidedStatus, presentExemptionForStaff } from "#app/domain/exemption-presenter.ts";
import { EXEMPTION_REASONS } from "#app/domain/exemption.ts";
import { REASON_LABELS, STATUS_LABELS } from "#app/domain/exemption-labels.ts";
import { formatInTwoZones } from "#app/domain/two-zone-time.ts";
import { listDecidedRequests, listReviewQueue } from "#app/models/exemption.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { REVIEW_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "Exemption requests · Review · Lull" }];

/**
 * Lists, like the queue, are not recorded in workers' access logs; opening one
 * request is (ADR 0021, ADR 0025).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const search = ReviewQueueSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const now = new Date();
  if (search.tab === "decided") {
    const decided = await listDecidedRequests({ reason: search.reason, page: search.page });
    return {
      search,
      total: decided.total,
      page: search.page,
      pageCount: decided.pageCount,
      rows: [],
      decided: decided.rows.map((row) => {
        const at = formatInTwoZones(
          { start: row.decidedAt! },
          { worker: row.timeZone, viewer: reviewer.timezone },
          now,
        );
        const decision = decidedStatus(row.status);
        return {
          ...presentExemptionForStaff(row, now, reviewer.timezone),
          worker: row.worker.name,
          own: row.workerId === reviewer.id,
          decision,
          decisionLabel: STATUS_LABELS[decision],
          decidedBy: row.reviewer?.name ?? "Someone no longer here",
          decidedByYou: row.reviewerId === reviewer.id,
          decidedAt: at.worker,
          decidedAtYours: at.yours,
        };
      }),
    };
  }
  const queue = await listReviewQueue({ reason: search.reason, now, page: search.page });
  return {
    search,
    total: queue.total,
    page: search.page,
    pageCount: queue.pageCount,
    rows: queue.rows.map((row) => ({
      ...presentExemptionForStaff(row, now, reviewer.timezone),
      worker: row.worker.name,
      own: row.workerId === reviewer.id,
    })),
    decided: [],
  };
}

function age(days: number): string {
  if (days === 0) return "Today";
  return days === 1 ? "1 day" : `${days} days`;
}

/** "?tab=decided&reason=MEDICAL": the tab's address, keeping the reason filter, from page 1. */
function tabHref(tab: "decide" | "decided", reason: string | null): string {
  const params = new URLSearchParams();
  if (tab === "decided") params.set("tab", "decided");
  if (reason) params.set("reason", reason);
  const query = params.toString();
  return query ? `/review/exemptions?${query}` : "/review/exemptions";
}

function Tabs({ current, reason }: { current: "decide" | "decided"; reason: string | null }) {
  const tabs = [
    { tab: "decide", label: "To decide" },
    { tab: "decided", label: "Decided" },
  ] as const;
  return (
    <nav aria-label="Requests" className="flex gap-1 border-b border-line">
      {tabs.map(({ tab, label }) => {
        const active = tab === current;
        return (
          <Link
            key={tab}
            to={tabHref(tab, reason)}
            aria-current={active ? "page" : undefined}
            className={`-mb-px rounded-t-md border px-4 py-2 text-sm font-medium ${
              active
                ? "border-line border-b-surface bg-surface text-ink underline underline-offset-4"
                : "border-transparent text-ink-muted hover:bg-surface-sunken hover:text-ink"
            }`}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}

export default function ReviewQueuePage() {
  const { rows, decided, search, total, page, pageCount } = useLoaderData<typeof loader>();
  const location = useLocation();
  const decidedTab = search.tab === "decided";
  return (
    <div className="space-y-6">
      <SectionNav label="Review" sections={REVIEW_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Exemption requests</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Requests to decide, oldest first; decided ones, the latest decision first. Opening a
          request is recorded and shown to the worker in their access log, as is every decision.
          Nobody decides their own request. Times are in the worker&apos;s time zone, with yours
          beside them where it differs.
        </p>
      </div>
      <Tabs current={search.tab} reason={search.reason} />
      <Form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter requests">
        {decidedTab ? <input type="hidden" name="tab" value="decided" /> : null}
        <div>
          <label htmlFor="reason" className="block text-sm font-medium">
            Reason
          </label>
          <select
            id="reason"
            name="reason"
            defaultValue={search.reason ?? ""}
            className="mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2"
          >
            <option value="">All reasons</option>
            {EXEMPTION_REASONS.map((r) => (
              <option key={r} value={r}>
                {REASON_LABELS[r]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClasses("secondary")}>
          Filter
        </button>
      </Form>
      {decidedTab ? (
        <>
          <p className="text-sm text-ink-muted" data-testid="decided-total">
            {total === 1 ? "1 decided request" : `${total} decided requests`}, latest decision first
          </p>
          {decided.length === 0 ? (
            <p className="text-ink-muted">Nothing decided yet.</p>
          ) : (
            <DataTable
              caption="Decided exemption requests, latest decision first"
              columns={["Worker", "Reason", "Period", "Decision", "Decided"]}
            >
              {decided.map((r) => (
                <tr key={r.id} data-testid="decided-row">
                  <td className="px-4 py-2">
                    <Link to={`/review/exemptions/${r.id}`}>{r.worker}</Link>
                    {r.own ? <span className="text-ink-muted"> (you)</span> : null}
                  </td>
                  <td className="px-4 py-2">{r.reason}</td>
                  <td className="px-4 py-2">
                    {r.period}
                    <YourTime text={r.periodYours} under="sm" />
                  </td>
                  <td className="px-4 py-2">
                    <StatusBadge status={r.decision} label={r.decisionLabel} />
                    <span className="block">
                      by {r.decidedBy}
                      {r.decidedByYou ? " (you)" : ""}
                    </span>
                  </td>
                  <td className="px-4 py-2">
                    {r.decidedAt}
                    <YourTime text={r.decidedAtYours} under="sm" />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      ) : (
        <>
          <p className="text-sm text-ink-muted" data-testid="queue-total">
            {total === 1 ? "1 pending request" : `${total} pending requests`}
          </p>
          {rows.length === 0 ? (
            <p className="text-ink-muted">Nothing waiting for a decision.</p>
          ) : (
            <DataTable
              caption="Pending exemption requests, oldest first"
              columns={["Worker", "Reason", "Period", "Stops", "Waiting"]}
            >
              {rows.map((r) => (
                <tr key={r.id} data-testid="queue-row">
                  <td className="px-4 py-2">
                    <Link to={`/review/exemptions/${r.id}`}>{r.worker}</Link>
                    {r.own ? <span className="text-ink-muted"> (you)</span> : null}
                  </td>
                  <td className="px-4 py-2">{r.reason}</td>
                  <td className="px-4 py-2">
                    {r.period}
                    <YourTime text={r.periodYours} under="sm" />
                    <span className="block text-ink-muted">{r.schedule}</span>
                  </td>
                  <td className="px-4 py-2">{r.scope}</td>
                  <td className="px-4 py-2">
                    {age(r.ageDays)}
                    <span className="block text-ink-muted">since {r.filed}</span>
                    <YourTime text={r.filedYours} under="sm" />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      )}
      <Pagination
        page={page}
        pageCount={pageCount}
        search={location.search}
        label="Exemption request pages"
      />
    </div>
  );
}
