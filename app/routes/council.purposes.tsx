import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { CosignPurposeSchema } from "#app/domain/purposes.ts";
import { cosignPurposeVersion, listPurposeHistory } from "#app/models/purpose-cosign.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalData } from "#app/web/refusal-response.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Purposes · Council · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const versions = await listPurposeHistory();
  const when = (d: Date | null) => (d ? formatDateTime(d, rep.timezone) : null);
  const keys = [...new Set(versions.map((v) => v.key))];
  return {
    purposes: keys.map((key) => {
      const ofKey = versions.filter((v) => v.key === key);
      return {
        key,
        name: ofKey[0]!.name,
        versions: ofKey.map((v) => ({
          id: v.id,
          version: v.version,
          name: v.name,
          description: v.description,
          legalBasis: v.legalBasis,
          retentionDays: v.retentionDays,
          prohibited: v.prohibited,
          retired: v.retired,
          pending: v.pending,
          createdBy: v.createdBy,
          created: formatDateTime(v.createdAt, rep.timezone),
          effective: when(v.effectiveAt),
          cosignedBy: v.cosignedBy,
          cosigned: when(v.cosignedAt),
          mine: v.createdById === rep.id,
        })),
      };
    }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const form = await readForm(request);
  const parsed = CosignPurposeSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const message = "Choose a purpose version to co-sign.";
    return refusalData({ code: "invalid", message }, { message });
  }
  const result = await cosignPurposeVersion({
    id: parsed.data.purposeId,
    actorId: rep.id,
    now: new Date(),
  });
  if (!result.ok) return refusalData(result.refusal, { message: result.refusal.message });
  return redirectWithToast("/council/purposes", {
    kind: "success",
    message: `Co-signed. Version ${result.version} of this purpose is in force from now on.`,
  });
}

export default function CouncilPurposesPage() {
  const { purposes } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Purposes</h1>
        <p className="mt-2 max-w-3xl text-ink-muted">
          Every purpose workers&apos; data may be used for, with every version the privacy office
          wrote, newest first. A version that widens use (a new purpose, a longer retention, a
          prohibited purpose permitted again) waits for a representative&apos;s co-signature when
          the policy requires one.
        </p>
      </div>
      {actionData?.message ? (
        <p role="alert" className="text-danger">
          {actionData.message}
        </p>
      ) : null}
      {purposes.map((p) => (
        <Card key={p.key} title={p.name} titleId={`purpose-${p.key}`}>
          <ol className="space-y-4">
            {p.versions.map((v) => (
              <li key={v.id} data-testid="purpose-version" className="space-y-1">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">Version {v.version}</span>
                  {v.pending ? (
                    <ToneBadge tone="warning">Waiting for a co-signature</ToneBadge>
                  ) : null}
                  {v.prohibited ? <ToneBadge tone="muted">Prohibited</ToneBadge> : null}
                  {v.retired ? <ToneBadge tone="muted">Retired</ToneBadge> : null}
                </div>
                <p>
                  {v.name}: {v.description}
                </p>
                <p className="text-sm text-ink-muted">
                  Legal basis: {v.legalBasis}. Kept for {v.retentionDays} days.{" "}
                  {v.createdBy
                    ? `Written by ${v.createdBy} on ${v.created}`
                    : `Written ${v.created}`}
                  {v.effective ? `; in force from ${v.effective}` : ""}
                  {v.cosignedBy ? `; co-signed by ${v.cosignedBy} on ${v.cosigned}` : ""}.
                </p>
                {v.pending ? (
                  v.mine ? (
                    <p className="text-sm">
                      You wrote this version: another representative must co-sign it.
                    </p>
                  ) : (
                    <Form method="post">
                      <input type="hidden" name="purposeId" value={v.id} />
                      <Button type="submit" disabled={navigation.state === "submitting"}>
                        Co-sign version {v.version}
                      </Button>
                    </Form>
                  )
                ) : null}
              </li>
            ))}
          </ol>
        </Card>
      ))}
    </div>
  );
}
