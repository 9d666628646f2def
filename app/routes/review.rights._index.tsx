import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { REVIEW_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { deadlineClock, formatDueDay } from "#app/domain/rights-deadlines.ts";
import { RIGHTS_KIND_LABELS, RIGHTS_STATUS_LABELS } from "#app/domain/rights-forms.ts";
import { listRightsQueue } from "#app/models/rights.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Rights requests · Review · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const reviewer = await requireRole(request, ["REVIEWER", "ADMIN"]);
  const now = new Date();
  const tz = reviewer.timezone;
  const { open, decided, counts } = await listRightsQueue(now);
  return {
    counts,
    open: open.map((r) => {
      const clock = deadlineClock(r, now, tz);
      return {
        id: r.id,
        worker: r.worker.name,
        own: r.worker.id === reviewer.id,
        kind: RIGHTS_KIND_LABELS[r.kind],
        overdue: r.overdue,
        clock: clock.state === "closed" ? "" : clock.label,
        due: formatDueDay(r.dueAt, tz),
        extended: r.extendedAt !== null,
        filed: { iso: r.createdAt.toISOString(), text: formatDateTime(r.createdAt, tz) },
      };
    }),
    decided: decided.map((r) => ({
      id: r.id,
      worker: r.worker.name,
      kind: RIGHTS_KIND_LABELS[r.kind],
      status: RIGHTS_STATUS_LABELS[r.status],
      filed: { iso: r.createdAt.toISOString(), text: formatDateTime(r.createdAt, tz) },
    })),
  };
}

export default function RightsQueuePage() {
  const { counts, open, decided } = useLoaderData<typeof loader>();
  return (
    <div className="max-w-4xl space-y-6">
      <SectionNav label="Review" sections={REVIEW_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Rights requests</h1>
        <p className="mt-2 text-ink-muted" data-testid="rights-counts">
          {counts.open} open · {counts.dueSoon} due within 7 days ·{" "}
          <span className={counts.overdue > 0 ? "font-semibold text-danger" : ""}>
            {counts.overdue} overdue
          </span>
          . Opening a request is an access to the worker's data: you name its purpose first.
        </p>
      </div>
      <Card title="Open, by due date" titleId="open-heading">
        {open.length === 0 ? (
          <p className="text-sm text-ink-muted">Nothing is waiting.</p>
        ) : (
          <DataTable
            caption="Open rights requests, by due date"
            columns={["Worker", "Request", "Due", "Filed"]}
          >
            {open.map((r) => (
              <tr
                key={r.id}
                data-testid="rights-queue-row"
                data-overdue={r.overdue ? "true" : undefined}
                className={r.overdue ? "bg-surface-sunken" : undefined}
              >
                <td className="px-4 py-2">
                  <Link to={`/review/rights/${r.id}`} className="font-medium underline">
                    {r.worker}
                  </Link>
                  {r.own ? <span className="ml-1 text-ink-muted">(you)</span> : null}
                </td>
                <td className="px-4 py-2">{r.kind}</td>
                <td className="px-4 py-2">
                  {r.overdue ? <ToneBadge tone="warning">Overdue</ToneBadge> : null}{" "}
                  <span className={r.overdue ? "font-semibold text-danger" : ""}>{r.clock}</span>
                  <div className="text-ink-muted">
                    by the end of {r.due}
                    {r.extended ? " (extended)" : ""}
                  </div>
                </td>
                <TimeCell iso={r.filed.iso} text={r.filed.text} />
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      <Card title="Recently closed" titleId="closed-heading">
        {decided.length === 0 ? (
          <p className="text-sm text-ink-muted">None yet.</p>
        ) : (
          <DataTable
            caption="Recently closed rights requests"
            columns={["Worker", "Request", "Status", "Filed"]}
          >
            {decided.map((r) => (
              <tr key={r.id}>
                <td className="px-4 py-2">
                  <Link to={`/review/rights/${r.id}`} className="underline">
                    {r.worker}
                  </Link>
                </td>
                <td className="px-4 py-2">{r.kind}</td>
                <td className="px-4 py-2">{r.status}</td>
                <TimeCell iso={r.filed.iso} text={r.filed.text} />
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </div>
  );
}
