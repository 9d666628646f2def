import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { BackLink } from "#app/components/back-link.tsx";
import { useLiveWhile } from "#app/components/export-list.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { getDataset } from "#app/models/dataset.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.dataset.name ?? "Dataset"} · Datasets · Lull` },
];

const STATUS_LABELS = {
  QUEUED: "Queued",
  RUNNING: "Building",
  COMPLETE: "Ready",
  FAILED: "Failed",
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const steward = await requireRole(request, ["DATA_STEWARD", "ADMIN"]);
  const d = await getDataset(params.datasetId ?? "");
  if (!d) notFound();
  const tz = steward.timezone;
  return {
    dataset: {
      id: d.id,
      name: d.name,
      status: d.status,
      statusLabel: STATUS_LABELS[d.status],
      error: d.error,
      range: `${formatDateTime(d.rangeStart, tz)} to ${formatDateTime(d.rangeEnd, tz)}`,
      purpose: `${d.purpose.name} (version ${d.purpose.version}; ${d.purpose.legalBasis})`,
      requestedBy: d.requestedBy.name,
      created: formatDateTime(d.createdAt, tz),
      finished: d.finishedAt ? formatDateTime(d.finishedAt, tz) : null,
      events: d.events,
      workers: d.workers,
      bytes: d.bytes,
      sha256: d.sha256,
      policyVersion: d.policyVersion,
      noticeVersion: d.noticeVersion,
      fileDeleted: d.fileDeletedAt !== null,
    },
  };
}

export default function DatasetPage() {
  const { dataset: d } = useLoaderData<typeof loader>();
  useLiveWhile(d.status === "QUEUED" || d.status === "RUNNING");
  return (
    <div className="max-w-3xl space-y-6">
      <BackLink to="/datasets">All datasets</BackLink>
      <div>
        <h1 className="break-words text-3xl font-bold tracking-tight">{d.name}</h1>
        <p className="mt-2">
          <ToneBadge
            tone={d.status === "COMPLETE" ? "ok" : d.status === "FAILED" ? "warning" : "muted"}
          >
            {d.statusLabel}
          </ToneBadge>
        </p>
        {d.error ? <p className="mt-2 text-danger">{d.error}</p> : null}
      </div>
      <Card title="What it holds" titleId="facts-heading">
        <dl
          className="grid gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]"
          data-testid="dataset-facts"
        >
          <dt className="font-medium">Range</dt>
          <dd>{d.range}</dd>
          <dt className="font-medium">Purpose</dt>
          <dd className="break-words">{d.purpose}</dd>
          <dt className="font-medium">Asked for</dt>
          <dd>
            {d.created} by {d.requestedBy}
          </dd>
          {d.status === "COMPLETE" ? (
            <>
              <dt className="font-medium">Rows</dt>
              <dd data-testid="dataset-rows">
                {d.events.toLocaleString("en-GB")} events of {d.workers.toLocaleString("en-GB")}{" "}
                people
              </dd>
              <dt className="font-medium">File</dt>
              <dd>{(d.bytes ?? 0).toLocaleString("en-GB")} bytes, JSON Lines</dd>
              <dt className="font-medium">SHA-256</dt>
              <dd className="break-all font-mono text-sm">{d.sha256}</dd>
              <dt className="font-medium">Rules in force</dt>
              <dd>
                Policy version {d.policyVersion}; monitoring notice{" "}
                {d.noticeVersion ? `version ${d.noticeVersion}` : "not published"}
              </dd>
              <dt className="font-medium">Built</dt>
              <dd>{d.finished}</dd>
            </>
          ) : null}
        </dl>
      </Card>
      {d.status === "COMPLETE" && !d.fileDeleted ? (
        <Card title="Download" titleId="download-heading">
          <p className="text-ink-muted">
            Each download is recorded. The manifest is signed by the portal: check it with{" "}
            <Link to="/acknowledgements/verify" className="underline underline-offset-2">
              Verify a receipt
            </Link>{" "}
            or offline, and compare its SHA-256 with the file&apos;s.
          </p>
          <ul className="mt-3 space-y-2">
            <li>
              <a
                href={`/datasets/${d.id}/download`}
                download
                className="font-medium underline underline-offset-2"
              >
                Download the dataset (JSON Lines)
              </a>
            </li>
            <li>
              <a
                href={`/datasets/${d.id}/manifest.json`}
                download
                className="font-medium underline underline-offset-2"
              >
                Download the signed manifest (JSON)
              </a>
            </li>
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
