import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { PurposeField } from "#app/components/purpose-field.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { Field } from "#app/components/ui/field.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { describeAuditAction } from "#app/domain/audit-actions.ts";
import {
  AuditExportSchema,
  AuditLogSearchSchema,
  searchParamsObject,
} from "#app/domain/admin-forms.ts";
import {
  formatDateTime,
  localDateKey,
  nextDateKey,
  startOfLocalDay,
} from "#app/domain/local-time.ts";
import { PURPOSE_KEYS } from "#app/domain/purposes.ts";
import { exportAuditLog, listAuditEvents } from "#app/models/audit.server.ts";
import { getPurposeChoices, purposeForAccess } from "#app/models/purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Audit log · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const now = new Date();
  const { page } = AuditLogSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const [{ events, total, selfService, pageCount }, purposes] = await Promise.all([
    listAuditEvents({ page }),
    getPurposeChoices(now),
  ]);
  return {
    page,
    total,
    selfService,
    pageCount,
    purposes,
    today: localDateKey(now, admin.timezone),
    timeZone: admin.timezone,
    events: events.map((e) => ({
      id: e.id,
      at: formatDateTime(e.at, admin.timezone),
      atIso: e.at.toISOString(),
      action: describeAuditAction(e.action),
      actor: e.actor?.name ?? "System",
      subject: e.subjectUser?.name ?? null,
      purpose: e.purpose?.name ?? null,
    })),
  };
}

/**
 * The security audit export (ADR 0042): every entry of the chosen days, the
 * self-service ones included, as a CSV download. It names a purpose, is
 * recorded, and every worker sees it in their access log.
 */
export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const submission = parseWithZod(await readForm(request), { schema: AuditExportSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const now = new Date();
  const purpose = await purposeForAccess(submission.value.purpose, now);
  if (!purpose.ok) {
    return data(
      { result: submission.reply({ fieldErrors: { purpose: [purpose.refusal.message] } }) },
      { status: 400 },
    );
  }
  const { from, to } = submission.value;
  const body = await exportAuditLog({
    actorId: admin.id,
    purposeId: purpose.purpose.id,
    from: startOfLocalDay(from, admin.timezone),
    to: startOfLocalDay(nextDateKey(to), admin.timezone),
    now,
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="lull-audit-${from}-to-${to}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}

export default function AuditLogPage() {
  const { events, page, pageCount, total, selfService } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Audit log</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          What people did to or about others, and what the system did, newest first. The log is
          append-only: nobody can edit or delete an entry. {total} entries.
        </p>
        <p className="mt-2 max-w-2xl text-ink-muted" data-testid="self-service-note">
          People&apos;s own actions — signing in, pausing, forgetting, filing requests — are not
          listed by name here ({selfService} entries): each person sees their own in Data history,
          and the security audit export below holds them all.
        </p>
      </div>
      <DataTable caption="Audit events" columns={["When", "Who", "What", "About", "Purpose"]}>
        {events.map((e) => (
          <tr key={e.id}>
            <TimeCell iso={e.atIso} text={e.at} />
            <td className="px-4 py-2">{e.actor}</td>
            <td className="px-4 py-2">{e.action}</td>
            <td className="px-4 py-2">{e.subject ?? "—"}</td>
            <td className="px-4 py-2">{e.purpose ?? "—"}</td>
          </tr>
        ))}
      </DataTable>
      <Pagination
        page={page}
        pageCount={pageCount}
        search={location.search}
        label="Audit log pages"
      />
      <AuditExportForm />
    </div>
  );
}

function AuditExportForm() {
  const { purposes, today, timeZone } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "audit-export",
    lastResult: actionData?.result,
    constraint: getZodConstraint(AuditExportSchema),
    defaultValue: { from: today, to: today },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: AuditExportSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Card title="Security audit export" titleId="audit-export-heading">
      <p className="mb-4 max-w-2xl text-sm text-ink-muted">
        Every entry of the chosen days ({timeZone}), people&apos;s own actions included, as a CSV
        file. The export is recorded with its purpose, and every worker sees it in their access log.
      </p>
      {/* A file download: the browser handles the response, with or without JavaScript. */}
      <Form method="post" reloadDocument {...getFormProps(form)} className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="First day"
            errors={fields.from.errors}
            inputProps={{ ...getInputProps(fields.from, { type: "date" }), id: fields.from.id }}
          />
          <Field
            label="Last day"
            errors={fields.to.errors}
            inputProps={{ ...getInputProps(fields.to, { type: "date" }), id: fields.to.id }}
          />
        </div>
        <PurposeField
          id={fields.purpose.id}
          choices={purposes}
          defaultValue={PURPOSE_KEYS.securityInvestigation}
          errors={fields.purpose.errors}
          hint="Recorded with the export and shown to every worker in their access log."
        />
        <Button type="submit">Download the audit log (CSV)</Button>
      </Form>
    </Card>
  );
}
