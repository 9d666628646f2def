import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { presentExemption } from "#app/domain/exemption-presenter.ts";
import { listOwnExemptions } from "#app/models/exemption.server.ts";
import { getPolicySettings } from "#app/models/policy.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { StatusBadge } from "#app/components/status-badge.tsx";

export const meta: MetaFunction = () => [{ title: "Exemptions · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const [rows, policy] = await Promise.all([listOwnExemptions(user.id), getPolicySettings()]);
  return {
    maxExemptionDays: policy.maxExemptionDays,
    requests: rows.map((row) => presentExemption(row, now, user.timezone)),
  };
}

export default function ExemptionsPage() {
  const { requests, maxExemptionDays } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-3xl font-bold tracking-tight">Exemptions</h1>
          <p className="mt-2 max-w-2xl text-ink-muted">
            When 30 minutes is not enough — a medical appointment, confidential legal or HR work,
            union activity, a personal device — ask for an exemption of up to {maxExemptionDays}{" "}
            days, once or every week. A reviewer decides; while an approved exemption is in force,
            your agents collect nothing it covers.
          </p>
        </div>
        <Link to="/exemptions/new" className={buttonClasses("primary")}>
          Request an exemption
        </Link>
      </div>
      <section aria-labelledby="requests-heading">
        <h2 id="requests-heading" className="text-lg font-semibold">
          Your requests
        </h2>
        {requests.length === 0 ? (
          <p className="mt-2 text-ink-muted" data-testid="no-exemptions">
            You have not asked for an exemption yet.
          </p>
        ) : (
          <ul className="mt-3 space-y-3" data-testid="exemption-list">
            {requests.map((r) => (
              <li key={r.id} className="rounded-card border border-line bg-surface-raised p-4">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <Link to={`/exemptions/${r.id}`} className="font-semibold">
                    {r.reason}: {r.period}
                  </Link>
                  <StatusBadge status={r.status} label={r.statusLabel} />
                </div>
                <p className="mt-1 text-sm text-ink-muted">
                  {r.schedule} · {r.scope} · filed {r.filed}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
