import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { PurposeForm } from "#app/components/purpose-form.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { currentPurposes, NewPurposeSchema } from "#app/domain/purposes.ts";
import { listPurposeVersions, proposePurposeVersion } from "#app/models/purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Purposes · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const now = new Date();
  const versions = await listPurposeVersions();
  const current = currentPurposes(versions, now);
  const waiting = versions.filter((v) => v.effectiveAt === null);
  const keys = [...new Set(versions.map((v) => v.key))];
  return {
    purposes: keys.map((key) => {
      const inForce = current.find((p) => p.key === key) ?? null;
      const latest = versions.filter((v) => v.key === key).at(-1)!;
      const shown = inForce ?? latest;
      return {
        key,
        name: shown.name,
        version: shown.version,
        legalBasis: shown.legalBasis,
        retentionDays: shown.retentionDays,
        status: inForce
          ? inForce.prohibited
            ? "Prohibited"
            : "Permitted"
          : shown.retired
            ? "Retired"
            : "Waiting for co-signature",
        waiting: waiting.some((w) => w.key === key),
        since: inForce?.effectiveAt ? formatDateTime(inForce.effectiveAt, admin.timezone) : null,
      };
    }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const submission = parseWithZod(await readForm(request), { schema: NewPurposeSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const { key, ...settings } = submission.value;
  const result = await proposePurposeVersion({
    actorId: admin.id,
    key,
    settings,
    isNew: true,
    now: new Date(),
  });
  if (!result.ok) return refusalReply(submission, result.refusal);
  return redirectWithToast(`/admin/purposes/${key}`, {
    kind: "success",
    message: result.waits
      ? "Purpose added. It takes effect once a worker representative co-signs it."
      : "Purpose added. It is in force and listed on the monitoring notice.",
  });
}

export default function PurposesPage() {
  const { purposes } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-8">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight">Purposes</h1>
        <p className="mt-2 text-ink-muted">
          Every use of a worker&apos;s data by someone other than them names one of these purposes,
          and the worker sees it in their access log. The monitoring notice lists them. Prohibited
          purposes are listed so workers know, and can never be named. A change is a new version;
          the history is kept.
        </p>
      </div>
      <DataTable
        caption="The purpose registry"
        columns={["Purpose", "Status", "Legal basis", "Retention", "Version"]}
      >
        {purposes.map((p) => (
          <tr key={p.key}>
            <td className="px-4 py-2">
              <Link to={`/admin/purposes/${p.key}`} className="underline underline-offset-2">
                {p.name}
              </Link>
              {p.waiting ? (
                <p className="text-sm text-ink-muted">A change waits for co-signature.</p>
              ) : null}
            </td>
            <td className="px-4 py-2">{p.status}</td>
            <td className="px-4 py-2">{p.legalBasis}</td>
            <td className="px-4 py-2 tabular-nums">{p.retentionDays} days</td>
            <td className="px-4 py-2 tabular-nums">{p.version}</td>
          </tr>
        ))}
      </DataTable>
      <Card title="Add a purpose" titleId="add-purpose-heading" className="max-w-3xl">
        <PurposeForm
          id="new-purpose"
          lastResult={actionData?.result}
          defaults={null}
          submitLabel="Add the purpose"
        />
      </Card>
    </div>
  );
}
