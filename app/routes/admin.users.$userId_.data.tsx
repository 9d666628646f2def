import { eventTypeLabel } from "#app/domain/exemption-labels.ts";
import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ActivityChart } from "#app/components/activity-chart.tsx";
import { BackLink } from "#app/components/back-link.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, TextareaField } from "#app/components/ui/field.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { periodRange } from "#app/domain/data-period.ts";
import { formatDateTime, formatDay } from "#app/domain/local-time.ts";
import { ExceptionalAccessSchema, MIN_ACCESS_REASON_LENGTH } from "#app/domain/user-admin.ts";
import { getActivitySeries, getDataOverview } from "#app/models/data-overview.server.ts";
import { listEvents } from "#app/models/event.server.ts";
import { findActiveGrant, grantExceptionalAccess } from "#app/models/exceptional-access.server.ts";
import { getUserProfile } from "#app/models/user.server.ts";
import { PurposeField } from "#app/components/purpose-field.tsx";
import { PURPOSE_KEYS } from "#app/domain/purposes.ts";
import { getPurposeChoices, purposeForAccess } from "#app/models/purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.worker.name ?? "Worker"}'s data (exceptional access) · Admin · Lull` },
];

async function requireWorker(request: Request, userId: string | undefined) {
  const admin = await requireRole(request, ["ADMIN"]);
  const worker = await getUserProfile(userId ?? "");
  if (!worker) notFound();
  // Your own data is on your own pages; this door is for other people's.
  if (worker.id === admin.id) throw redirect("/data");
  if (worker.deactivatedAt) notFound();
  return { admin, worker };
}

/**
 * Without a grant: the reason form. With `?access=<grant>` (this admin's,
 * for this worker, unexpired): the worker's last 7 days and latest records,
 * read-only, under a banner saying the access is recorded.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { admin, worker } = await requireWorker(request, params.userId);
  const now = new Date();
  const grantId = new URL(request.url).searchParams.get("access");
  const grant = grantId ? await findActiveGrant(grantId, admin.id, worker.id, now) : null;
  const base = { worker: { id: worker.id, name: worker.name } };
  if (!grant) {
    return {
      ...base,
      view: null,
      expiredGrant: grantId !== null,
      purposes: await getPurposeChoices(now),
    };
  }
  const tz = admin.timezone;
  const { start, end } = periodRange({ period: "7d" }, now, worker.timezone);
  const [overview, series, recent] = await Promise.all([
    getDataOverview(worker.id, start, end),
    getActivitySeries(worker.id, start, end, worker.timezone, "staff"),
    listEvents(worker.id, {}),
  ]);
  return {
    ...base,
    expiredGrant: false,
    purposes: null,
    view: {
      reason: grant.reason,
      purpose: grant.purposeName,
      until: formatDateTime(grant.expiresAt, tz),
      range: `${formatDay(start, worker.timezone)} – ${formatDay(new Date(end.getTime() - 1), worker.timezone)}`,
      total: overview.total,
      // Types in words, as everywhere the worker reads them.
      byType: overview.byType.map((t) => ({ ...t, name: eventTypeLabel(t.name) })),
      series,
      events: recent.events.map((e) => ({
        id: e.id,
        at: formatDateTime(e.at, tz),
        atIso: e.at.toISOString(),
        type: e.type,
        app: e.app,
        device: e.device.name,
      })),
    },
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, worker } = await requireWorker(request, params.userId);
  const submission = parseWithZod(await readForm(request), { schema: ExceptionalAccessSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const now = new Date();
  const purpose = await purposeForAccess(submission.value.purpose, now);
  if (!purpose.ok) {
    return data(submission.reply({ fieldErrors: { purpose: [purpose.refusal.message] } }), {
      status: 400,
    });
  }
  const grant = await grantExceptionalAccess({
    adminId: admin.id,
    workerId: worker.id,
    reason: submission.value.reason,
    purposeId: purpose.purpose.id,
    now,
  });
  return redirect(`/admin/users/${worker.id}/data?access=${grant.id}`);
}

export default function ExceptionalAccessPage() {
  const { worker, view, expiredGrant, purposes } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "exceptional-access",
    lastResult,
    constraint: getZodConstraint(ExceptionalAccessSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ExceptionalAccessSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="space-y-6">
      <BackLink to={`/admin/users/${worker.id}`}>{`Back to ${worker.name}'s account`}</BackLink>
      <h1 className="text-3xl font-bold tracking-tight">{worker.name}'s data</h1>
      {view ? (
        <>
          <aside
            aria-label="This access is recorded"
            className="rounded-card border border-danger bg-danger-surface p-4"
            data-testid="exceptional-banner"
          >
            <p className="font-semibold">
              Exceptional access: this view is recorded and {worker.name} can see it.
            </p>
            <p className="mt-1">
              Its purpose and your reason, shown in {worker.name}'s access log:{" "}
              {view.purpose ?? "none named"} — “{view.reason}”
            </p>
            <p className="mt-1 text-sm">
              Read-only. This access ends at {view.until}; after that you need a new reason.
            </p>
          </aside>
          <Card title={`Last 7 days (${view.range})`} titleId="period-heading">
            <p className="mb-3">
              {view.total.toLocaleString("en-GB")} events:{" "}
              {view.byType.map((t) => `${t.name} ${t.count.toLocaleString("en-GB")}`).join(", ") ||
                "none"}
              .
            </p>
            <ActivityChart {...view.series} />
          </Card>
          {view.events.length === 0 ? (
            <p className="text-ink-muted">No records are stored for {worker.name}.</p>
          ) : (
            <DataTable
              caption={`${worker.name}'s latest ${view.events.length} records`}
              columns={["When", "Type", "App", "Device"]}
            >
              {view.events.map((e) => (
                <tr key={e.id}>
                  <TimeCell iso={e.atIso} text={e.at} />
                  <td className="px-4 py-2">{e.type}</td>
                  <td className="px-4 py-2">{e.app}</td>
                  <td className="px-4 py-2">{e.device}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      ) : (
        <Card title="Why do you need to open it?" titleId="reason-heading">
          {expiredGrant ? (
            <p className="mb-3 text-danger" role="status">
              That access has ended. Give the reason again to open the data.
            </p>
          ) : null}
          <p className="mb-4 text-ink-muted">
            The privacy office works with totals. Opening one person's data is an exception: your
            name, the time, the purpose and this reason go into {worker.name}'s access log, where
            they will read it. The view is read-only and lasts 30 minutes.
          </p>
          <Form method="post" {...getFormProps(form)} className="space-y-4">
            {purposes ? (
              <PurposeField
                id={fields.purpose.id}
                choices={purposes}
                defaultValue={PURPOSE_KEYS.securityInvestigation}
                errors={fields.purpose.errors}
              />
            ) : null}
            <TextareaField
              label={`Reason (at least ${MIN_ACCESS_REASON_LENGTH} characters)`}
              errors={fields.reason.errors}
              errorId={`${fields.reason.id}-error`}
              textareaProps={{ ...getTextareaProps(fields.reason), id: fields.reason.id }}
            />
            <div role="alert">
              <ErrorList id={form.errorId} errors={form.errors} />
            </div>
            <Button type="submit" disabled={navigation.state === "submitting"}>
              Record the reason and open the data
            </Button>
          </Form>
        </Card>
      )}
    </div>
  );
}
