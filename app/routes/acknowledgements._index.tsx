import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card } from "#app/components/ui/card.tsx";
import type { DocumentStatus } from "#app/domain/acknowledgement-rules.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { listOwnAcknowledgements } from "#app/models/acknowledgement.server.ts";
import { listDocumentsForWorker } from "#app/models/policy-document.server.ts";
import { requireUser } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Acknowledgements · Lull" }];

const STATUS_TEXT: Record<DocumentStatus, string> = {
  signed: "Acknowledged",
  outdated: "New version to acknowledge",
  never: "Not yet acknowledged",
  not_required: "For your information",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const [documents, acks] = await Promise.all([
    listDocumentsForWorker(user.id),
    listOwnAcknowledgements(user.id),
  ]);
  const tz = user.timezone;
  return {
    documents: documents.map((d) => ({
      slug: d.slug,
      title: d.title,
      version: d.version,
      status: d.status,
      statusText: STATUS_TEXT[d.status],
      lastSigned: d.lastSigned
        ? { version: d.lastSigned.version, when: formatDateTime(d.lastSigned.signedAt, tz) }
        : null,
    })),
    receipts: acks.map((a) => ({
      id: a.id,
      title: a.document.title,
      version: a.document.version,
      when: formatDateTime(a.signedAt, tz),
    })),
  };
}

export default function AcknowledgementsPage() {
  const { documents, receipts } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Acknowledgements</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          What the company must tell you in writing about monitoring, and your signed
          acknowledgements of it. Each one comes with a receipt signed by the portal that anyone can
          check, so nobody can quietly change what you signed.
        </p>
      </div>
      <Card title="Documents" titleId="documents-heading">
        {documents.length === 0 ? (
          <p className="text-ink-muted">No documents have been published yet.</p>
        ) : (
          <ul className="divide-y divide-line" data-testid="documents">
            {documents.map((d) => (
              <li key={d.slug} className="flex flex-wrap items-center justify-between gap-2 py-3">
                <span>
                  <Link to={`/acknowledgements/${d.slug}`} className="font-semibold">
                    {d.title}
                  </Link>{" "}
                  <span className="text-ink-muted">version {d.version}</span>
                  {d.lastSigned && d.status !== "signed" ? (
                    <span className="block text-sm text-ink-muted">
                      You acknowledged version {d.lastSigned.version} on {d.lastSigned.when}.
                    </span>
                  ) : null}
                </span>
                <span
                  className={`rounded-full border px-2.5 py-0.5 text-sm font-medium ${
                    d.status === "outdated" || d.status === "never"
                      ? "border-danger text-danger"
                      : "border-line text-ink-muted"
                  }`}
                  data-testid={`document-status-${d.slug}`}
                >
                  {d.statusText}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Your receipts" titleId="receipts-heading">
        {receipts.length === 0 ? (
          <p className="text-ink-muted">You have not acknowledged anything yet.</p>
        ) : (
          <ul className="divide-y divide-line">
            {receipts.map((r) => (
              <li key={r.id} className="flex flex-wrap justify-between gap-2 py-2">
                <Link to={`/acknowledgements/receipts/${r.id}`}>
                  {r.title}, version {r.version}
                </Link>
                <span className="text-sm text-ink-muted">{r.when}</span>
              </li>
            ))}
          </ul>
        )}
        <p className="mt-3 text-sm">
          Holding a receipt, yours or someone else&apos;s?{" "}
          <Link to="/acknowledgements/verify" className="underline underline-offset-2">
            Verify a receipt
          </Link>{" "}
          to see whether it is genuine.
        </p>
      </Card>
    </div>
  );
}
