import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { DocumentEditor } from "#app/components/document-editor.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { DocumentDraftSchema, MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import {
  getCompliance,
  getDocumentById,
  publishDraft,
  updateDraft,
} from "#app/models/policy-document.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalData, refusalReply } from "#app/web/refusal-response.server.ts";
import { renderMarkdown } from "#app/utils/markdown.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { BODY_LIMITS } from "#app/domain/body-limits.ts";

export const meta: MetaFunction = () => [{ title: "Document · Admin · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const doc = await getDocumentById(params.documentId ?? "");
  if (!doc) notFound();
  const compliance = doc.publishedAt ? await getCompliance(doc.id) : null;
  return {
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
  const saved = await updateDraft(id, text);
  if (!saved.ok) return refusalReply(submission, saved.refusal, { extra: { message: null } });
  return redirectWithToast(`/admin/documents/${id}`, { kind: "success", message: "Draft saved." });
}

export default function DocumentAdminPage() {
  const { document, compliance } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
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
            <Form method="post" className="space-y-2">
              {document.slug === MONITORING_NOTICE_SLUG && document.requiresAcknowledgement ? (
                <p className="text-sm text-ink-muted">
                  Publishing a new monitoring notice stops collection from every person until they
                  acknowledge it (when the policy asks for acknowledgement first).
                </p>
              ) : null}
              <input type="hidden" name="intent" value="publish" />
              <Button type="submit" disabled={navigation.state === "submitting"}>
                Publish version {document.version}
              </Button>
            </Form>
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
