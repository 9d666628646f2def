import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { DocumentChanges } from "#app/components/document-changes.tsx";
import {
  documentStatus,
  MONITORING_NOTICE_SLUG,
  signatureSchema,
} from "#app/domain/acknowledgement-rules.ts";
import { PurposeList, type ListedPurpose } from "#app/components/purpose-list.tsx";
import { getCurrentPurposes } from "#app/models/purpose.server.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { lastSignedVersion, signDocument } from "#app/models/acknowledgement.server.ts";
import { getCurrentDocument } from "#app/models/policy-document.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { documentChangesView } from "#app/utils/document-changes.server.ts";
import { renderMarkdown } from "#app/utils/markdown.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { throwIfNotFound } from "#app/web/refusal-response.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.document.title ?? "Document"} · Lull` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const doc = await getCurrentDocument(params.slug ?? "");
  if (!doc || !doc.publishedAt) notFound();
  const now = new Date();
  const [previous, purposes] = await Promise.all([
    lastSignedVersion(user.id, doc.slug),
    // The monitoring notice lists the purpose registry as it stands (ADR 0042).
    doc.slug === MONITORING_NOTICE_SLUG ? getCurrentPurposes(now) : null,
  ]);
  const status = documentStatus({
    currentVersion: doc.version,
    signedVersions: previous ? [previous.version] : [],
    requiresAcknowledgement: doc.requiresAcknowledgement,
  });
  return {
    profileName: user.name,
    document: {
      id: doc.id,
      slug: doc.slug,
      title: doc.title,
      version: doc.version,
      published: formatDateTime(doc.publishedAt, user.timezone),
      summaryOfChanges: doc.summaryOfChanges,
      contentSha256: doc.contentSha256,
      html: renderMarkdown(doc.body),
      cosignedBy: doc.cosignedBy?.name ?? null,
      cosigned: doc.cosignedAt ? formatDateTime(doc.cosignedAt, user.timezone) : null,
    },
    status,
    purposes: purposes
      ? {
          permitted: purposes.filter((p) => !p.prohibited).map(listed),
          prohibited: purposes.filter((p) => p.prohibited).map(listed),
        }
      : null,
    changes:
      status === "outdated" && previous
        ? {
            fromVersion: previous.version,
            view: documentChangesView(previous, doc),
          }
        : null,
  };
}

const listed = (p: ListedPurpose) => ({
  key: p.key,
  name: p.name,
  description: p.description,
  legalBasis: p.legalBasis,
  retentionDays: p.retentionDays,
  version: p.version,
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await readForm(request), {
    schema: signatureSchema(user.name),
  });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const result = await signDocument({
    worker: { id: user.id, name: user.name, email: user.email },
    documentId: submission.value.documentId,
    signedName: submission.value.signedName,
    ip: context.clientIp ?? null,
    userAgent: request.headers.get("user-agent"),
    now: new Date(),
  });
  if (!result.ok) {
    throwIfNotFound(result.refusal);
    // not_current: a new version appeared while the worker was reading: show it.
    return redirect(`/acknowledgements/${params.slug ?? ""}`);
  }
  return redirectWithToast(`/acknowledgements/receipts/${result.acknowledgementId}`, {
    kind: "success",
    message: result.alreadySigned
      ? "You had already acknowledged this version; here is your receipt."
      : "Acknowledged. Your receipt is below; keep a copy.",
  });
}

export default function DocumentPage() {
  const { document, status, changes, profileName, purposes } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm print:hidden">
          <Link to="/acknowledgements">← Acknowledgements</Link>
        </p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">{document.title}</h1>
        <p className="mt-1 text-ink-muted">
          Version {document.version}, published {document.published}.
        </p>
        {document.cosignedBy ? (
          <p className="mt-1" data-testid="document-cosignature">
            Co-signed by {document.cosignedBy} (worker representative) on {document.cosigned}.
          </p>
        ) : null}
      </div>
      {changes ? (
        <Card title={`What changed since version ${changes.fromVersion}`} titleId="changes-heading">
          {document.summaryOfChanges ? <p className="mb-3">{document.summaryOfChanges}</p> : null}
          <DocumentChanges view={changes.view} fromVersion={changes.fromVersion} />
        </Card>
      ) : null}
      <Card>
        <article
          className="lull-prose"
          data-testid="document-body"
          dangerouslySetInnerHTML={{ __html: document.html }}
        />
        <p className="mt-4 break-all text-xs text-ink-muted">
          SHA-256 of this version: <code>{document.contentSha256}</code>
        </p>
      </Card>
      {purposes ? (
        <PurposeList permitted={purposes.permitted} prohibited={purposes.prohibited} />
      ) : null}
      {status === "signed" ? (
        <p className="rounded-card border border-line bg-surface-sunken p-4" data-testid="signed">
          You have acknowledged this version. Your receipt is listed on the{" "}
          <Link to="/acknowledgements">acknowledgements page</Link>.
        </p>
      ) : (
        <SignForm documentId={document.id} profileName={profileName} />
      )}
    </div>
  );
}

function SignForm({ documentId, profileName }: { documentId: string; profileName: string }) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const schema = signatureSchema(profileName);
  const [form, fields] = useForm({
    id: "sign-document",
    lastResult: actionData?.result,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Card title="Acknowledge" titleId="sign-heading" className="print:hidden">
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <input type="hidden" name="documentId" value={documentId} />
        <div>
          <label className="flex items-start gap-2">
            <input
              {...getInputProps(fields.confirm, { type: "checkbox", value: "on" })}
              className="mt-1"
              aria-describedby={fields.confirm.errors ? fields.confirm.errorId : undefined}
            />
            <span>I have read and understand this document.</span>
          </label>
          <ErrorList id={fields.confirm.errorId} errors={fields.confirm.errors} />
        </div>
        <Field
          label="Your full name"
          hint={`Type it as in your profile: ${profileName}. Capitals and extra spaces do not matter.`}
          errors={fields.signedName.errors}
          inputProps={{
            ...getInputProps(fields.signedName, { type: "text" }),
            id: fields.signedName.id,
            autoComplete: "name",
          }}
        />
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={navigation.state === "submitting"}>
          Sign and get my receipt
        </Button>
      </Form>
    </Card>
  );
}
