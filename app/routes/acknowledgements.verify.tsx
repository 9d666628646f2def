import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { BackLink } from "#app/components/back-link.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, Field, TextareaField } from "#app/components/ui/field.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { receiptVerificationKeys } from "#app/utils/receipt-signing.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { checkReceiptForm, type ReceiptCheck } from "#app/web/receipt-check.server.ts";
import { tryReadForm } from "#app/web/request-body.server.ts";
import { describeDeletion } from "#app/domain/deletion-receipts.ts";
import { DATASET_MANIFEST_FORMAT, RECEIPT_FORMAT } from "#app/receipts/formats.ts";

export const meta: MetaFunction = () => [{ title: "Verify a receipt · Acknowledgements · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return { keyIds: receiptVerificationKeys().map((k) => k.keyId) };
}

/**
 * Checks a receipt uploaded or pasted, with the CLI's code, against this
 * portal's keys. Reads and writes nothing but the form: not audited (ADR 0024).
 */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const read = await tryReadForm(request, {
    tooLargeMessage:
      "That is far larger than a receipt (about 1 KB), more than Lull accepts at once. Choose the .json file you downloaded from a receipt page.",
  });
  if (!read.ok) {
    return data<{ check: ReceiptCheck }>(
      { check: { verdict: "unreadable", message: read.message } },
      { status: read.status },
    );
  }
  const { status, check } = await checkReceiptForm(read.form, {
    keys: receiptVerificationKeys(),
    timeZone: user.timezone,
  });
  return data({ check }, { status });
}

export default function VerifyReceiptPage() {
  const { keyIds } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const check = actionData?.check;
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <div className="print:hidden">
          <BackLink to="/acknowledgements">Acknowledgements</BackLink>
        </div>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">Verify a receipt</h1>
        <p className="mt-2 text-ink-muted">
          Check that an acknowledgement receipt is genuine: signed by this portal and not changed by
          a single character since. Anyone&apos;s receipt can be checked here; nothing you check is
          stored.
        </p>
      </div>

      <div aria-live="polite">
        {check && check.verdict !== "unreadable" ? <CheckResult check={check} /> : null}
      </div>

      <Card title="The receipt" titleId="receipt-form-heading" className="print:hidden">
        <Form
          method="post"
          encType="multipart/form-data"
          className="space-y-4"
          aria-labelledby="receipt-form-heading"
        >
          <Field
            label="Receipt file"
            hint="The .json file from a receipt page's “Download receipt (JSON)”."
            inputProps={{
              id: "receipt-file",
              name: "file",
              type: "file",
              accept: ".json,application/json",
            }}
          />
          <TextareaField
            label="Or paste the receipt's text"
            errorId="receipt-text-error"
            rows={8}
            textareaProps={{
              id: "receipt-text",
              name: "receipt",
              spellCheck: false,
            }}
          />
          <div role="alert" data-testid="receipt-form-error">
            {check?.verdict === "unreadable" ? (
              <ErrorList id="receipt-form-error" errors={[check.message]} />
            ) : null}
          </div>
          <Button type="submit" disabled={navigation.state === "submitting"}>
            Check the receipt
          </Button>
        </Form>
      </Card>

      <p className="text-sm text-ink-muted">
        This portal signs receipts with the key{" "}
        <span className="font-mono">{keyIds.join(", ")}</span> (
        <a href="/.well-known/lull-receipt-key" className="underline underline-offset-2">
          its public key
        </a>
        ). Receipts can also be checked without Lull, with that key and any Ed25519 tool (the steps
        are in Lull&apos;s docs/receipts.md). Your own receipts are listed on the{" "}
        <Link to="/acknowledgements" className="underline underline-offset-2">
          acknowledgements page
        </Link>
        .
      </p>
    </div>
  );
}

function CheckResult({ check }: { check: Exclude<ReceiptCheck, { verdict: "unreadable" }> }) {
  const from = check.source === "upload" ? "The file you chose" : "The text you pasted";
  if (check.verdict === "not_genuine") {
    return (
      <Card title="Not genuine" titleId="check-heading">
        <div data-testid="receipt-check" data-verdict="not_genuine" className="space-y-2">
          <ToneBadge tone="warning">Not genuine</ToneBadge>
          <p>
            {from} is not a genuine receipt of this portal. {check.message}
          </p>
        </div>
      </Card>
    );
  }
  const r = check.receipt;
  return (
    <Card title="Genuine receipt" titleId="check-heading">
      <div data-testid="receipt-check" data-verdict="genuine" className="space-y-3">
        <ToneBadge tone="ok">Genuine</ToneBadge>
        <p>
          {from} is a receipt signed by this portal (key{" "}
          <span className="font-mono">{check.keyId}</span>), unchanged since it was issued. It
          attests:
        </p>
        {r.format === RECEIPT_FORMAT ? (
          <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]">
            <dt className="font-medium">Document</dt>
            <dd>
              {r.document.title} ({r.document.slug}), version {r.document.version}
            </dd>
            <dt className="font-medium">Text SHA-256</dt>
            <dd className="break-all font-mono text-sm">{r.document.contentSha256}</dd>
            <dt className="font-medium">Person</dt>
            <dd className="break-words">
              {r.worker.name} &lt;{r.worker.email}&gt;
            </dd>
            <dt className="font-medium">Signed as</dt>
            <dd className="break-words">{r.signedName}</dd>
            <dt className="font-medium">Signed at</dt>
            <dd>
              {check.signedLocal} ({r.signedAt})
            </dd>
            {r.cosignedBy ? (
              <>
                <dt className="font-medium">Co-signed by</dt>
                <dd className="break-words">
                  {r.cosignedBy.name} (worker representative), {r.cosignedBy.at}
                </dd>
              </>
            ) : null}
            <dt className="font-medium">Issued by</dt>
            <dd className="break-words">{r.issuer}</dd>
            <dt className="font-medium">Receipt id</dt>
            <dd className="break-all font-mono text-sm">{r.acknowledgementId}</dd>
          </dl>
        ) : r.format === DATASET_MANIFEST_FORMAT ? (
          <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]">
            <dt className="font-medium">Dataset</dt>
            <dd className="break-words">{r.name}</dd>
            <dt className="font-medium">Purpose</dt>
            <dd className="break-words">
              {r.purpose.name} (version {r.purpose.version}; {r.purpose.legalBasis})
            </dd>
            <dt className="font-medium">Holds</dt>
            <dd>
              {r.rows.events} events of {r.rows.workers} people, from {r.range.from} to {r.range.to}
            </dd>
            <dt className="font-medium">File SHA-256</dt>
            <dd className="break-all font-mono text-sm">{r.file.sha256}</dd>
            <dt className="font-medium">Rules in force</dt>
            <dd>
              Policy version {r.policyVersion}; monitoring notice{" "}
              {r.notice ? `version ${r.notice.version}` : "none published"}
            </dd>
            <dt className="font-medium">Built at</dt>
            <dd>
              {check.signedLocal} ({r.builtAt})
            </dd>
            <dt className="font-medium">Issued by</dt>
            <dd className="break-words">{r.issuer}</dd>
            <dt className="font-medium">Dataset id</dt>
            <dd className="break-all font-mono text-sm">{r.datasetId}</dd>
          </dl>
        ) : (
          <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]">
            <dt className="font-medium">Deletion</dt>
            <dd className="break-words">{describeDeletion(r.deletion)}</dd>
            <dt className="font-medium">Removed</dt>
            <dd>
              {r.deletion.events} events, {r.deletion.hourlyRollupRows} hourly and{" "}
              {r.deletion.dailyRollupRows} daily summary rows
            </dd>
            <dt className="font-medium">Person</dt>
            <dd className="break-words">
              {r.worker.name} &lt;{r.worker.email}&gt;
            </dd>
            <dt className="font-medium">Deleted at</dt>
            <dd>
              {check.signedLocal} ({r.deletedAt})
            </dd>
            <dt className="font-medium">Issued by</dt>
            <dd className="break-words">{r.issuer}</dd>
            <dt className="font-medium">Receipt id</dt>
            <dd className="break-all font-mono text-sm">{r.receiptId}</dd>
          </dl>
        )}
      </div>
    </Card>
  );
}
