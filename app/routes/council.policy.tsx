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
import { CosignPolicyChangeSchema, type PolicyChangeStatus } from "#app/domain/policy-change.ts";
import { cosignPolicyChange, listPolicyChanges } from "#app/models/policy.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalData } from "#app/web/refusal-response.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Policy history · Council · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const changes = await listPolicyChanges();
  const when = (d: Date | null) => (d ? formatDateTime(d, rep.timezone) : null);
  return {
    changes: changes.map((c) => ({
      id: c.id,
      status: c.status,
      widens: c.widens,
      proposedBy: c.proposedBy ?? "Someone",
      proposed: formatDateTime(c.proposedAt, rep.timezone),
      proposedAtIso: c.proposedAt.toISOString(),
      cosignedBy: c.cosignedBy,
      cosigned: when(c.cosignedAt),
      applied: when(c.appliedAt),
      withdrawn: when(c.withdrawnAt),
      mine: c.proposedById === rep.id,
      changes: c.changes,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const rep = await requireRole(request, ["REPRESENTATIVE"]);
  const form = await readForm(request);
  const parsed = CosignPolicyChangeSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const message = "Choose a change to co-sign.";
    return refusalData({ code: "invalid", message }, { message });
  }
  const result = await cosignPolicyChange({
    id: parsed.data.changeId,
    actorId: rep.id,
    now: new Date(),
  });
  if (!result.ok) return refusalData(result.refusal, { message: result.refusal.message });
  return redirectWithToast("/council/policy", {
    kind: "success",
    message: "Co-signed. The change applies from now on.",
  });
}

const STATUS: Record<PolicyChangeStatus, { label: string; tone: "ok" | "warning" | "muted" }> = {
  applied: { label: "Applied", tone: "ok" },
  pending: { label: "Waiting for a co-signature", tone: "warning" },
  withdrawn: { label: "Withdrawn", tone: "muted" },
};

export default function CouncilPolicyPage() {
  const { changes } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Policy history</h1>
        <p className="mt-2 max-w-3xl text-ink-muted">
          Every change the privacy office made or proposed to the policy, newest first. A change
          that widens collection (longer retention, shorter pauses, fewer forgets…) waits for a
          representative&apos;s co-signature when the policy requires one.
        </p>
      </div>
      {actionData?.message ? (
        <p role="alert" className="text-danger">
          {actionData.message}
        </p>
      ) : null}
      {changes.length === 0 ? (
        <p data-testid="policy-changes-empty">The policy has not been changed yet.</p>
      ) : (
        <ol className="space-y-4">
          {changes.map((c) => (
            <li key={c.id} data-testid="policy-change">
              <Card>
                <div className="flex flex-wrap items-center gap-2">
                  <ToneBadge tone={STATUS[c.status].tone}>{STATUS[c.status].label}</ToneBadge>
                  {c.widens ? <ToneBadge tone="warning">Widens collection</ToneBadge> : null}
                </div>
                <ul className="mt-3 list-disc space-y-1 pl-5">
                  {c.changes.map((ch) => (
                    <li key={ch.setting}>
                      <span className="font-medium">{ch.setting}</span>: {ch.from}{" "}
                      <span aria-hidden="true">→</span>
                      <span className="sr-only">to</span> {ch.to}
                      {ch.widens ? " (widens)" : ""}
                    </li>
                  ))}
                </ul>
                <p className="mt-3 text-sm text-ink-muted">
                  Proposed by {c.proposedBy} on <time dateTime={c.proposedAtIso}>{c.proposed}</time>
                  {c.cosignedBy ? `; co-signed by ${c.cosignedBy} on ${c.cosigned}` : ""}
                  {c.applied ? `; applied ${c.applied}` : ""}
                  {c.withdrawn ? `; withdrawn ${c.withdrawn}` : ""}.
                </p>
                {c.status === "pending" ? (
                  c.mine ? (
                    <p className="mt-3 text-sm">
                      You proposed this change: another representative must co-sign it.
                    </p>
                  ) : (
                    <Form method="post" className="mt-3">
                      <input type="hidden" name="intent" value="cosign" />
                      <input type="hidden" name="changeId" value={c.id} />
                      <Button type="submit" disabled={navigation.state === "submitting"}>
                        Co-sign this change
                      </Button>
                    </Form>
                  )
                ) : null}
              </Card>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
