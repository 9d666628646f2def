import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useLocation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { describeAuditAction } from "#app/domain/audit-actions.ts";
import { AuditLogSearchSchema, searchParamsObject } from "#app/domain/admin-forms.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { listAuditEvents } from "#app/models/audit.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Audit log · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const { page } = AuditLogSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const { events, total, pageCount } = await listAuditEvents({ page });
  return {
    page,
    total,
    pageCount,
    events: events.map((e) => ({
      id: e.id,
      at: formatDateTime(e.at, admin.timezone),
      atIso: e.at.toISOString(),
      action: describeAuditAction(e.action),
      actor: e.actor?.name ?? "System",
      subject: e.subjectUser?.name ?? null,
    })),
  };
}

export default function AuditLogPage() {
  const { events, page, pageCount, total } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Audit log</h1>
        <p className="mt-2 text-ink-muted">
          Every sign-in, sign-out and account change, newest first. The log is append-only: nobody
          can edit or delete an entry. {total} entries.
        </p>
      </div>
      <DataTable caption="Audit events" columns={["When", "Who", "What", "About"]}>
        {events.map((e) => (
          <tr key={e.id}>
            <TimeCell iso={e.atIso} text={e.at} />
            <td className="px-4 py-2">{e.actor}</td>
            <td className="px-4 py-2">{e.action}</td>
            <td className="px-4 py-2">{e.subject ?? "—"}</td>
          </tr>
        ))}
      </DataTable>
      <Pagination
        page={page}
        pageCount={pageCount}
        search={location.search}
        label="Audit log pages"
      />
    </div>
  );
}
