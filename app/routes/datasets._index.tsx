import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useLiveWhile } from "#app/components/export-list.tsx";
import { PurposeField } from "#app/components/purpose-field.tsx";
import { DATASET_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { DatasetRequestSchema, datasetRange, MAX_DATASET_DAYS } from "#app/domain/dataset-rules.ts";
import { formatDateTime, localDateKey, previousDateKey } from "#app/domain/local-time.ts";
import { DATASET_PURPOSES, PURPOSE_KEYS } from "#app/domain/purposes.ts";
import { listDatasets, requestDataset } from "#app/models/dataset.server.ts";
import { getPurposeChoices } from "#app/models/purpose.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "AI-training datasets · Lull" }];

const STEWARDS = ["DATA_STEWARD", "ADMIN"] as const;

const STATUS_LABELS = {
  QUEUED: "Queued",
  RUNNING: "Building",
  COMPLETE: "Ready",
  FAILED: "Failed",
} as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const steward = await requireRole(request, [...STEWARDS]);
  const now = new Date();
  const [rows, purposes] = await Promise.all([
    listDatasets(),
    getPurposeChoices(now, DATASET_PURPOSES),
  ]);
  const today = localDateKey(now, steward.timezone);
  return {
    purposes,
    defaults: { from: previousDateKey(today).slice(0, 8) + "01", to: today },
    datasets: rows.map((d) => ({
      id: d.id,
      name: d.name,
      status: d.status,
      statusLabel: STATUS_LABELS[d.status],
      range: `${formatDateTime(d.rangeStart, steward.timezone)} to ${formatDateTime(d.rangeEnd, steward.timezone)}`,
      purpose: d.purpose.name,
      requestedBy: d.requestedBy.name,
      created: formatDateTime(d.createdAt, steward.timezone),
      createdIso: d.createdAt.toISOString(),
      counts:
        d.status === "COMPLETE"
          ? `${d.events.toLocaleString("en-GB")} events of ${d.workers.toLocaleString("en-GB")} people`
          : (d.error ?? ""),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const steward = await requireRole(request, [...STEWARDS]);
  const submission = parseWithZod(await readForm(request), { schema: DatasetRequestSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const now = new Date();
  const { name, from, to, purpose } = submission.value;
  const range = datasetRange(from, to, steward.timezone, now);
  if (!range.ok) return refusalReply(submission, range.refusal);
  const result = await requestDataset({
    requesterId: steward.id,
    name,
    start: range.start,
    end: range.end,
    purposeKey: purpose,
    now,
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast(`/datasets/${result.id}`, {
    kind: "success",
    message: "Dataset queued. Each person whose events it holds will see it in their Data history.",
  });
}

export default function DatasetsPage() {
  const { datasets, purposes, defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  useLiveWhile(datasets.some((d) => d.status === "QUEUED" || d.status === "RUNNING"));
  const [form, fields] = useForm({
    id: "dataset-request",
    lastResult: actionData?.result,
    constraint: getZodConstraint(DatasetRequestSchema),
    defaultValue: { from: defaults.from, to: defaults.to, purpose: PURPOSE_KEYS.aiTraining },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: DatasetRequestSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="max-w-4xl space-y-6">
      <SectionNav label="Datasets" sections={DATASET_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">AI-training datasets</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          A dataset holds the events of a date range of everyone who acknowledged the monitoring
          notice in force, minus their pauses, exemptions, forgotten spans, private applications and
          the spans their rights requests keep out; nobody who objects to its purpose is in it. Each
          person appears under a pseudonym made for this dataset alone, and sees in their Data
          history that their events were included. The file comes with a manifest signed by the
          portal.
        </p>
      </div>
      <Card title="Build a dataset" titleId="build-heading">
        <Form method="post" {...getFormProps(form)} className="space-y-4">
          <Field
            label="Name"
            errors={fields.name.errors}
            inputProps={{ ...getInputProps(fields.name, { type: "text" }), id: fields.name.id }}
          />
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
          <p className="text-sm text-ink-muted">
            Days in your time zone, at most {MAX_DATASET_DAYS} of them, ending today at the latest.
          </p>
          <PurposeField
            id={fields.purpose.id}
            choices={purposes}
            defaultValue={PURPOSE_KEYS.aiTraining}
            errors={fields.purpose.errors}
          />
          <div role="alert">
            <ErrorList id={form.errorId} errors={form.errors} />
          </div>
          <Button type="submit" disabled={navigation.state === "submitting"}>
            Build the dataset
          </Button>
        </Form>
      </Card>
      <section aria-labelledby="datasets-heading" className="space-y-3">
        <h2 id="datasets-heading" className="text-xl font-semibold">
          Datasets
        </h2>
        {datasets.length === 0 ? (
          <p className="text-ink-muted" data-testid="no-datasets">
            No dataset has been built yet.
          </p>
        ) : (
          <DataTable caption="Datasets" columns={["Asked for", "Dataset", "Status"]}>
            {datasets.map((d) => (
              <tr key={d.id} data-testid="dataset-row">
                <TimeCell iso={d.createdIso} text={d.created} />
                <td className="px-4 py-2">
                  <Link
                    to={`/datasets/${d.id}`}
                    className="font-medium underline underline-offset-2"
                  >
                    {d.name}
                  </Link>
                  <p className="text-ink-muted">
                    {d.range}; {d.purpose}; by {d.requestedBy}
                  </p>
                </td>
                <td className="px-4 py-2">
                  <ToneBadge
                    tone={
                      d.status === "COMPLETE" ? "ok" : d.status === "FAILED" ? "warning" : "muted"
                    }
                  >
                    {d.statusLabel}
                  </ToneBadge>
                  {d.counts ? <p className="mt-1 text-ink-muted">{d.counts}</p> : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </div>
  );
}
