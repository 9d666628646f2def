import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { BackLink } from "#app/components/back-link.tsx";
import { PurposeForm } from "#app/components/purpose-form.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { currentPurposes, PurposeFormSchema } from "#app/domain/purposes.ts";
import { listPurposeVersions, proposePurposeVersion } from "#app/models/purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.name ?? "Purpose"} · Purposes · Admin · Lull` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const now = new Date();
  const key = params.purposeKey ?? "";
  const versions = (await listPurposeVersions()).filter((v) => v.key === key);
  if (versions.length === 0) notFound();
  const inForce = currentPurposes(versions, now)[0] ?? null;
  const latest = versions.at(-1)!;
  const tz = admin.timezone;
  return {
    key,
    name: (inForce ?? latest).name,
    waiting: versions.some((v) => v.effectiveAt === null),
    defaults: {
      name: latest.name,
      description: latest.description,
      legalBasis: latest.legalBasis,
      retentionDays: latest.retentionDays,
      prohibited: latest.prohibited,
      retired: latest.retired,
    },
    versions: versions
      .map((v) => ({
        id: v.id,
        version: v.version,
        name: v.name,
        description: v.description,
        legalBasis: v.legalBasis,
        retentionDays: v.retentionDays,
        prohibited: v.prohibited,
        retired: v.retired,
        inForce: inForce?.id === v.id,
        created: formatDateTime(v.createdAt, tz),
        effective: v.effectiveAt ? formatDateTime(v.effectiveAt, tz) : null,
        cosigned: v.cosignedAt ? formatDateTime(v.cosignedAt, tz) : null,
      }))
      .reverse(),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const key = params.purposeKey ?? "";
  const submission = parseWithZod(await readForm(request), { schema: PurposeFormSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const result = await proposePurposeVersion({
    actorId: admin.id,
    key,
    settings: submission.value,
    isNew: false,
    now: new Date(),
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast(`/admin/purposes/${key}`, {
    kind: "success",
    message: result.waits
      ? `Version ${result.version} saved. It widens the use of workers' data, so it takes effect once a worker representative co-signs it.`
      : `Version ${result.version} is in force.`,
  });
}

export default function PurposePage() {
  const { name, versions, defaults, waiting } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="max-w-3xl space-y-8">
      <BackLink to="/admin/purposes">Back to purposes</BackLink>
      <h1 className="text-3xl font-bold tracking-tight">{name}</h1>
      <section aria-labelledby="versions-heading" className="space-y-3">
        <h2 id="versions-heading" className="text-xl font-semibold">
          Versions
        </h2>
        <ol className="space-y-3">
          {versions.map((v) => (
            <li key={v.id} className="rounded-card border border-line bg-surface-raised p-4">
              <p className="font-semibold">
                Version {v.version}: {v.name}
                {v.inForce ? " (in force)" : v.effective ? "" : " (waiting for co-signature)"}
              </p>
              <p className="mt-1">{v.description}</p>
              <p className="mt-1 text-sm text-ink-muted">
                {v.prohibited ? "Prohibited. " : ""}
                {v.retired ? "Retired. " : ""}
                Legal basis: {v.legalBasis}. Retention: {v.retentionDays} days. Written {v.created}
                {v.effective ? `; in force from ${v.effective}` : ""}
                {v.cosigned ? `; co-signed ${v.cosigned}` : ""}.
              </p>
            </li>
          ))}
        </ol>
      </section>
      <Card title="Write a new version" titleId="new-version-heading">
        {waiting ? (
          <p className="text-ink-muted">
            A new version waits for a worker representative&apos;s co-signature; write the next one
            after it is co-signed.
          </p>
        ) : (
          <PurposeForm
            id="purpose-version"
            lastResult={actionData?.result}
            defaults={defaults}
            submitLabel="Save as a new version"
          />
        )}
      </Card>
    </div>
  );
}
