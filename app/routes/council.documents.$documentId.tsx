import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { z } from "zod";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { BackLink } from "#app/components/back-link.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import {
  cosignDraft,
  draftFingerprint,
  getDocumentById,
  needsCosignature,
} from "#app/models/policy-document.server.ts";
import { getRepresentativeApprovalRequired } from "#app/models/policy.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalData } from "#app/web/refusal-response.server.ts";
import { renderMarkdown } from "#app/utils/markdown.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

/** The co-sign form: the fingerprint of the draft as the page showed it. */
const CosignDocumentSchema = z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/) });

export const meta: MetaFunction = () => [{ title: "Document · Council · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const [doc, approvalRequired] = await Promise.all([
    getDocumentById(params.documentId ?? ""),
    getRepresentativeApprovalRequired(),
  ]);
  if (!doc) notFound();
  return {
    document: {
      id: doc.id,
      slug: doc.slug,
      version: doc.version,
      title: doc.title,
      summaryOfChanges: doc.summaryOfChanges,
      requiresAcknowledgement: doc.requiresAcknowledgement,
      contentSha256: doc.contentSha256,
      published: doc.publishedAt ? formatDateTime(doc.publishedAt, rep.timezone) : null,
      html: renderMarkdown(doc.body),
      cosignedBy: doc.cosignedBy?.name ?? null,
      cosigned: doc.cosignedAt ? formatDateTime(doc.cosignedAt, rep.timezone) : null,
      needsCosignature: needsCosignature(doc, approvalRequired),
      /** What this page shows, carried back by the co-sign form (a draft only). */
      fingerprint: doc.publishedAt ? null : draftFingerprint(doc),
      mine: doc.createdById === rep.id,
    },
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const id = params.documentId ?? "";
  const form = await readForm(request);
  const seen = CosignDocumentSchema.safeParse({ fingerprint: form.get("fingerprint") ?? "" });
  const result = await cosignDraft(
    id,
    rep.id,
    new Date(),
    seen.success ? seen.data.fingerprint : "",
  );
  if (!result.ok) return refusalData(result.refusal, { message: result.refusal.message });
  return redirectWithToast(`/council/documents/${id}`, {
    kind: "success",
    message:
      "Co-signed. The privacy office can publish this version; it names you on the notice and in every receipt of it.",
  });
}

export default function CouncilDocumentPage() {
  const { document } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const draft = document.published === null;
  return (
    <div className="space-y-6">
      <div>
        <BackLink to="/council/documents">Documents</BackLink>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">
          {document.title} <span className="text-ink-muted">v{document.version}</span>
        </h1>
        <p className="mt-1 text-ink-muted">
          {draft
            ? "Draft: workers do not see it until the privacy office publishes it."
            : `Published ${document.published}.`}
        </p>
      </div>
      {actionData?.message ? (
        <p role="alert" className="text-danger">
          {actionData.message}
        </p>
      ) : null}
      <Card title="Co-signature" titleId="cosign-heading">
        {document.cosignedBy ? (
          <p data-testid="cosignature">
            Co-signed by {document.cosignedBy} (worker representative) on {document.cosigned}.
          </p>
        ) : !draft ? (
          <p data-testid="cosignature">This version was published without a co-signature.</p>
        ) : (
          <div className="space-y-3">
            <p data-testid="cosignature">
              {document.needsCosignature
                ? "The policy requires a representative's co-signature before this version is published."
                : "Not co-signed. The policy does not require a co-signature for this version, but you may give one."}{" "}
              You co-sign the text exactly as shown below; if the privacy office changes it, your
              co-signature is cleared.
            </p>
            {document.mine ? (
              <p>You wrote this draft: another representative must co-sign it.</p>
            ) : (
              <Form method="post">
                <input type="hidden" name="fingerprint" value={document.fingerprint ?? ""} />
                <Button type="submit" disabled={navigation.state === "submitting"}>
                  Co-sign version {document.version}
                </Button>
              </Form>
            )}
          </div>
        )}
      </Card>
      {document.summaryOfChanges ? (
        <Card title="What changed" titleId="changes-heading">
          <p>{document.summaryOfChanges}</p>
        </Card>
      ) : null}
      <Card title="Text" titleId="text-heading">
        <article
          className="lull-prose"
          data-testid="document-text"
          dangerouslySetInnerHTML={{ __html: document.html }}
        />
        {document.contentSha256 ? (
          <p className="mt-4 break-all text-xs text-ink-muted">
            SHA-256: <code>{document.contentSha256}</code>
          </p>
        ) : null}
      </Card>
    </div>
  );
}
