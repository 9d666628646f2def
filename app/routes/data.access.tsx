import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useLocation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { AuditLogSearchSchema, searchParamsObject } from "#app/domain/admin-forms.ts";
import { describeAuditAction } from "#app/domain/audit-actions.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { ROLE_LABELS } from "#app/domain/roles.ts";
import { listAccessLog } from "#app/models/access-log.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { MY_DATA_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "Who accessed my data · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { page } = AuditLogSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const { events, total, pageCount } = await listAccessLog(user.id, page);
  return {
    page,
    pageCount,
    total,
    events: events.map((e) => ({
      id: e.id,
      at: formatDateTime(e.at, user.timezone),
      atIso: e.at.toISOString(),
      who: e.actor ? `${e.actor.name} (${ROLE_LABELS[e.actor.role]})` : "The system",
      what: describeAuditAction(e.action),
      reason: e.reason,
    })),
  };
}

export default function AccessLogPage() {
  const { events, page, pageCount, total } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-6">
      <SectionNav label="My data" sections={MY_DATA_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Who accessed my data</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Every time someone other than you viewed, exported or decided on anything of yours, it is
          recorded here, newest first. Your own actions are not listed. {total}{" "}
          {total === 1 ? "entry" : "entries"}.
        </p>
      </div>
      {events.length === 0 ? (
        <p className="text-ink-muted" data-testid="no-access">
          Nobody else has accessed your data.
        </p>
      ) : (
        <DataTable caption="Accesses by others" columns={["When", "Who", "What"]}>
          {events.map((e) => (
            <tr key={e.id}>
              <TimeCell iso={e.atIso} text={e.at} />
              <td className="px-4 py-2">{e.who}</td>
              <td className="px-4 py-2">
                {e.what}
                {e.reason ? (
                  <p className="text-sm text-ink-muted">
                    Reason given: <q>{e.reason}</q>
                  </p>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination
        page={page}
        pageCount={pageCount}
        search={location.search}
        label="Access log pages"
      />
    </div>
  );
}
