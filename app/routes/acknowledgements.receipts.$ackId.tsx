import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { getOwnAcknowledgement } from "#app/models/acknowledgement.server.ts";
import { setupLinkBase } from "#app/commands/setup-link.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";

export const meta: MetaFunction = () => [{ title: "Acknowledgement receipt · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const ack = await getOwnAcknowledgement(user.id, params.ackId ?? "");
  if (!ack) notFound();
  const { payload, signature } = ack.receipt;
  return {
    id: ack.id,
    payload,
    signature,
    signedLocal: formatDateTime(ack.signedAt, user.timezone),
    origin: setupLinkBase(request),
  };
}

/** The printable receipt: every signed field, the signature, and how to check it. */
export default function ReceiptPage() {
  const { id, payload, signature, signedLocal, origin } = useLoaderData<typeof loader>();
  return (
    <div className="max-w-3xl space-y-6">
      <div className="lull-no-print">
        <p className="text-sm">
          <Link to="/acknowledgements">← Acknowledgements</Link>
        </p>
      </div>
      <h1 className="text-3xl font-bold tracking-tight">Acknowledgement receipt</h1>
      <Card>
        <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]" data-testid="receipt">
          <dt className="font-medium">Document</dt>
          <dd>
            {payload.document.title} ({payload.document.slug}), version {payload.document.version}
          </dd>
          <dt className="font-medium">Text SHA-256</dt>
          <dd className="break-all font-mono text-sm">{payload.document.contentSha256}</dd>
          <dt className="font-medium">Worker</dt>
          <dd>
            {payload.worker.name} &lt;{payload.worker.email}&gt;
          </dd>
          <dt className="font-medium">Signed as</dt>
          <dd>{payload.signedName}</dd>
          <dt className="font-medium">Signed at</dt>
          <dd>
            {signedLocal} ({payload.signedAt})
          </dd>
          {payload.cosignedBy ? (
            <>
              <dt className="font-medium">Co-signed by</dt>
              <dd data-testid="receipt-cosigner">
                {payload.cosignedBy.name} (worker representative), {payload.cosignedBy.at}
              </dd>
            </>
          ) : null}
          <dt className="font-medium">Issued by</dt>
          <dd>{payload.issuer}</dd>
          <dt className="font-medium">Receipt id</dt>
          <dd className="font-mono text-sm">{payload.acknowledgementId}</dd>
          <dt className="font-medium">Signature</dt>
          <dd className="break-all font-mono text-xs">
            {signature.algorithm}, key {signature.keyId}: {signature.value}
          </dd>
        </dl>
      </Card>
      <div className="lull-no-print flex flex-wrap gap-3">
        <a
          href={`/acknowledgements/receipts/${id}.json`}
          download
          className={buttonClasses("primary")}
        >
          Download receipt (JSON)
        </a>
        <Link to="/acknowledgements/verify" className={buttonClasses("secondary")}>
          Verify a receipt
        </Link>
        <a href="/.well-known/lull-receipt-key" className={buttonClasses("secondary")}>
          The portal's public key
        </a>
      </div>
      <p className="text-sm text-ink-muted print:hidden">
        Keep the JSON file. Anyone signed in to Lull can check that it is genuine with “Verify a
        receipt”, and anyone at all, without Lull, with the portal&apos;s public key. Changing any
        character of the receipt makes the check fail. Print this page for a paper copy.
      </p>
      <p className="hidden text-sm print:block">
        Check the receipt file at {origin}/acknowledgements/verify, or with the public key at{" "}
        {origin}/.well-known/lull-receipt-key (key {signature.keyId}).
      </p>
    </div>
  );
}
