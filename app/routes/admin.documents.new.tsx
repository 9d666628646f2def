import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { DocumentEditor } from "#app/components/document-editor.tsx";
import { DocumentDraftSchema } from "#app/domain/acknowledgement-rules.ts";
import { createDraft, getCurrentDocument } from "#app/models/policy-document.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { BODY_LIMITS } from "#app/domain/body-limits.ts";

export const meta: MetaFunction = () => [{ title: "New document · Admin · Lull" }];

/** A new document, or (?from=slug) a new version starting from the current text. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["ADMIN"]);
  const from = new URL(request.url).searchParams.get("from");
  const current = from ? await getCurrentDocument(from) : null;
  return {
    slugLocked: current !== null,
    defaults: {
      slug: current?.slug ?? "",
      title: current?.title ?? "",
      body: current?.body ?? "",
      summaryOfChanges: "",
      requiresAcknowledgement: current?.requiresAcknowledgement ?? true,
    },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const submission = parseWithZod(await readForm(request, { limit: BODY_LIMITS.documentForm }), {
    schema: DocumentDraftSchema,
  });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const result = await createDraft(submission.value, admin.id, new Date());
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast(`/admin/documents/${result.id}`, {
    kind: "success",
    message: "Draft saved. Preview it below, then publish when it is right.",
  });
}

export default function NewDocumentPage() {
  const { defaults, slugLocked } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to="/admin/documents">← Documents</Link>
        </p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">
          {slugLocked ? `New version of ${defaults.slug}` : "New document"}
        </h1>
      </div>
      <DocumentEditor
        defaults={defaults}
        lastResult={actionData?.result}
        slugLocked={slugLocked}
        submitLabel="Save draft"
      />
    </div>
  );
}
