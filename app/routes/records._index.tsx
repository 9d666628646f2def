import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ExportList, useLiveWhile } from "#app/components/export-list.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { EXPORT_KEEP_DAYS, EXPORTS_PER_DAY } from "#app/domain/records-export.ts";
import { listExportsOfWorker, requestExport } from "#app/models/record-export.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { presentExport } from "#app/web/export-presenter.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalData } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { MY_DATA_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "Download my records · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const rows = await listExportsOfWorker(user.id);
  return { exports: rows.map((r) => presentExport(r, now, user.timezone)) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  if (form.get("intent") !== "export") {
    return data({ error: "Choose what to do." }, { status: 400 });
  }
  const result = await requestExport({
    workerId: user.id,
    requester: { id: user.id },
    reason: null,
    now: new Date(),
  });
  if (!result.ok) return refusalData(result.refusal, { error: result.refusal.message });
  return redirectWithToast("/records", {
    kind: "success",
    message: "Your export is being prepared. You can leave this page; it will be here when ready.",
  });
}

export default function RecordsPage() {
  const { exports } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  useLiveWhile(exports.some((e) => e.status === "QUEUED" || e.status === "RUNNING"));
  return (
    <div className="space-y-8">
      <SectionNav label="My data" sections={MY_DATA_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Download my records</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Everything Lull holds about you, in one ZIP file: your profile, devices, pauses, exemption
          requests, acknowledgements with their receipts, every collected event (CSV and NDJSON),
          hourly counts, who else accessed your data, and what you did here. A README explains each
          file. Exports are kept for {EXPORT_KEEP_DAYS} days; you can ask for {EXPORTS_PER_DAY} a
          day.
        </p>
      </div>
      <Card>
        <Form method="post" className="space-y-3">
          <input type="hidden" name="intent" value="export" />
          <Button type="submit" disabled={navigation.state === "submitting"}>
            Export my records
          </Button>
          {actionData?.error ? (
            <p role="alert" className="text-danger" data-testid="export-error">
              {actionData.error}
            </p>
          ) : null}
        </Form>
      </Card>
      <section aria-labelledby="exports-heading" className="space-y-3">
        <h2 id="exports-heading" className="text-lg font-semibold">
          Your exports
        </h2>
        {exports.length === 0 ? (
          <p className="text-ink-muted">No exports yet.</p>
        ) : (
          <ExportList exports={exports} showWorker={false} />
        )}
      </section>
    </div>
  );
}
