import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { DocumentEditor } from "#app/components/document-editor.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { confirmStep, needsConfirmation } from "#app/domain/confirmation.ts";
import { DocumentDraftSchema } from "#app/domain/acknowledgement-rules.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import {
  getCompliance,
  getDocumentById,
  getPublishImpact,
  needsCosignature,
  publishDraft,
  updateDraft,
} from "#app/models/policy-document.server.ts";
import { getRepresentativeApprovalRequired } from "#app/models/policy.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalData, refusalReply } from "#app/web/refusal-response.server.ts";
import { renderMarkdown } from "#app/utils/markdown.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { BODY_LIMITS } from "#app/domain/body-limits.ts";

const publishDocumentKey = (id: string) => `publish-document:${id}`;

export const meta: MetaFunction = () => [{ title: "Document · Admin · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const doc = await getDocumentById(params.documentId ?? "");
  if (!doc) notFound();
  const [compliance, publishImpact, approvalRequired] = await Promise.all([
    doc.publishedAt ? getCompliance(doc.id) : null,
    doc.publishedAt ? null : getPublishImpact(doc),
    getRepresentativeApprovalRequired(),
  ]);
  return {
    publishImpact,
    cosignature: {
      required: !doc.publishedAt && needsCosignature(doc, approvalRequired),
      by: doc.cosignedBy?.name ?? null,
      at: doc.cosignedAt ? formatDateTime(doc.cosignedAt, admin.timezone) : null,
    },
    document: {
      id: doc.id,
      slug: doc.slug,
      version: doc.version,
      title: doc.title,
      body: doc.body,
      summaryOfChanges: doc.summaryOfChanges ?? "",
      requiresAcknowledgement: doc.requiresAcknowledgement,
      contentSha256: doc.contentSha256,
      published: doc.publishedAt ? formatDateTime(doc.publishedAt, admin.timezone) : null,
      publishedBy: doc.publishedBy?.name ?? null,
      html: renderMarkdown(doc.body),
    },
    compliance: compliance
      ? {
          signed: compliance.signed,
          outstanding: compliance.outstanding.map((p) => p.name),
        }
      : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const id = params.documentId ?? "";
  const formData = await readForm(request, { limit: BODY_LIMITS.documentForm });
  if (formData.get("intent") === "publish") {
    if (!(await getDocumentById(id))) notFound();
    const key = publishDocumentKey(id);
    if (needsConfirmation(formData, key))
      return data({ ...confirmStep(key), result: null, message: null });
    const published = await publishDraft(id, admin.id, new Date());
    if (!published.ok) {
      return refusalData(published.refusal, { result: null, message: published.refusal.message });
    }
    return redirectWithToast(`/admin/documents/${id}`, {
      kind: "success",
      message: "Published. Every worker who has to acknowledge it now sees a banner.",
    });
  }
  const submission = parseWithZod(formData, { schema: DocumentDraftSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), message: null }, { status: 400 });
  }
  const { slug: _slug, ...text } = submission.value;
  const saved = await updateDraft(id, text, new Date(), admin.id);
  if (!saved.ok) return refusalReply(submission, saved.refusal, { extra: { message: null } });
  return redirectWithToast(`/admin/documents/${id}`, {
    kind: "success",
    message: saved.cosignatureCleared
      ? "Draft saved. The text changed, so the representative's co-signature was cleared: it must be co-signed again."
      : "Draft saved.",
  });
}

/** "29 of 30 people (1 is already on hold)". */
function holdSummary(impact: { newlyHeld: number; alreadyHeld: number; activePeople: number }) {
  const people = `${impact.newlyHeld.toLocaleString("en-GB")} of ${impact.activePeople.toLocaleString("en-GB")} ${impact.activePeople === 1 ? "person" : "people"}`;
  return impact.alreadyHeld > 0
    ? `${people} (${impact.alreadyHeld.toLocaleString("en-GB")} already on hold)`
    : people;
}

export default function DocumentAdminPage() {
  const { document, compliance, publishImpact, cosignature } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const draft = document.published === null;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link to="/admin/documents">← Documents</Link>
        </p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">
          {document.title} <span className="text-ink-muted">v{document.version}</span>
        </h1>
        <p className="mt-1 text-ink-muted">
          {draft
            ? "Draft: not visible to workers until published."
            : `Published ${document.published} by ${document.publishedBy}. It can no longer change.`}
        </p>
      </div>
      <CosignatureNote draft={draft} cosignature={cosignature} />
      {actionData?.message ? (
        <p role="alert" className="text-danger">
          {actionData.message}
        </p>
      ) : null}
      {compliance ? (
        <Card title="Compliance" titleId="compliance-heading">
          <p data-testid="compliance-counts">
            {compliance.signed} acknowledged · {compliance.outstanding.length} outstanding
          </p>
          {compliance.outstanding.length > 0 ? (
            <details className="mt-2">
              <summary className="cursor-pointer text-sm font-medium">
                Who has not acknowledged it yet
              </summary>
              <ul className="mt-2 columns-2 text-sm sm:columns-3" data-testid="outstanding">
                {compliance.outstanding.map((name) => (
                  <li key={name}>{name}</li>
                ))}
              </ul>
            </details>
          ) : null}
        </Card>
      ) : null}
      <div className={draft ? "grid gap-6 lg:grid-cols-2" : ""}>
        {draft ? (
          <div className="space-y-4">
            <DocumentEditor
              defaults={document}
              lastResult={actionData?.result}
              slugLocked
              submitLabel="Save draft"
            />
            <div className="space-y-2">
              {publishImpact ? (
                <p className="text-sm text-ink-muted" data-testid="publish-impact">
                  Publishing puts collection on hold for {holdSummary(publishImpact)} until each
                  acknowledges this version.
                </p>
              ) : null}
              <ConfirmForm
                confirmKey={publishDocumentKey(document.id)}
                fields={{ intent: "publish" }}
                title={`Publish version ${document.version} of ${document.title}?`}
                confirmLabel={`Publish version ${document.version}`}
                triggerLabel={`Publish version ${document.version}`}
                triggerVariant="primary"
                confirmVariant={publishImpact ? "danger" : "primary"}
              >
                {publishImpact ? (
                  <p className="font-semibold">
                    Collection stops for {holdSummary(publishImpact)} until each acknowledges it.
                  </p>
                ) : null}
                <p>
                  Every worker sees it at once
                  {document.requiresAcknowledgement
                    ? ", and those who must acknowledge it see a banner"
                    : ""}
                  . A published version can never change: a correction is a new version.
                </p>
              </ConfirmForm>
            </div>
          </div>
        ) : null}
        <Card title={draft ? "Preview (as saved)" : "Text"} titleId="preview-heading">
          <article
            className="lull-prose"
            data-testid="document-preview"
            dangerouslySetInnerHTML={{ __html: document.html }}
          />
          {document.contentSha256 ? (
            <p className="mt-4 break-all text-xs text-ink-muted">
              SHA-256: <code>{document.contentSha256}</code>
            </p>
          ) : null}
        </Card>
      </div>
    </div>
  );
}

/** Who co-signed this version, or that publishing waits for a representative (ADR 0042). */
function CosignatureNote({
  draft,
  cosignature,
}: {
  draft: boolean;
  cosignature: { required: boolean; by: string | null; at: string | null };
}) {
  if (cosignature.by) {
    return (
      <p data-testid="cosignature" className="rounded-card border border-line p-3">
        Co-signed by {cosignature.by} (worker representative) on {cosignature.at}
        {draft ? ". Changing the text clears the co-signature." : "."}
      </p>
    );
  }
  if (!draft || !cosignature.required) return null;
  return (
    <p data-testid="cosignature" className="rounded-card border border-line p-3">
      Waiting for a representative's co-signature: the policy requires one before this version is
      published.
    </p>
  );
}
