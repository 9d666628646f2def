import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { searchParamsObject } from "#app/domain/admin-forms.ts";
import { ReviewQueueSearchSchema } from "#app/domain/exemption-forms.ts";
import { presentExemption } from "#app/domain/exemption-presenter.ts";
import { EXEMPTION_REASONS } from "#app/domain/exemption.ts";
import { REASON_LABELS } from "#app/domain/exemption-labels.ts";
import { listReviewQueue } from "#app/models/exemption.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { REVIEW_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "Exemption requests · Review · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const search = ReviewQueueSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const now = new Date();
  const queue = await listReviewQueue({ reason: search.reason, now, page: search.page });
  return {
    search,
    total: queue.total,
    page: search.page,
    pageCount: queue.pageCount,
    rows: queue.rows.map((row) => ({
      ...presentExemption(row, now, reviewer.timezone),
      worker: row.worker.name,
      own: row.workerId === reviewer.id,
    })),
  };
}

function age(days: number): string {
  if (days === 0) return "Today";
  return days === 1 ? "1 day" : `${days} days`;
}

export default function ReviewQueuePage() {
  const { rows, search, total, page, pageCount } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-6">
      <SectionNav label="Review" sections={REVIEW_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Exemption requests</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Pending requests, oldest first. Opening a request is recorded and shown to the worker in
          their access log, as is every decision. Nobody decides their own request.
        </p>
      </div>
      <Form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter requests">
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
                <br />
                <span className="text-ink-muted">{r.schedule}</span>
              </td>
              <td className="px-4 py-2">{r.scope}</td>
              <td className="px-4 py-2">{age(r.ageDays)}</td>
            </tr>
          ))}
        </DataTable>
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
