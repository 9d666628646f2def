import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { PurposeField } from "#app/components/purpose-field.tsx";
import { DATASET_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { Field } from "#app/components/ui/field.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { PURPOSE_KEYS } from "#app/domain/purposes.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { findPersonByEmail, listDatasetsHolding } from "#app/models/dataset-lineage.server.ts";
import { getPurposeChoices } from "#app/models/purpose.server.ts";
import { purposeFromUrl } from "#app/web/access-purpose.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "Dataset lineage · Datasets · Lull" }];

type LookupErrors = { email?: string; purpose?: string };

const EmailSchema = z.string().trim().toLowerCase().email().max(254);

/**
 * The privacy office's lineage view (ADR 0043): every dataset holding one
 * person's events, with their pseudonym in each, so an erasure or a
 * restriction can be carried to them. Looking it up is an access to that
 * person's data: it names a purpose, recorded and shown to them.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireRole(request, ["DATA_STEWARD", "ADMIN"]);
  const now = new Date();
  const url = new URL(request.url);
  const given = url.searchParams.get("email");
  const choices = await getPurposeChoices(now);
  const base = { choices, email: given ?? "", purposeKey: url.searchParams.get("purpose") };
  if (given === null) return { ...base, errors: null as LookupErrors | null, result: null };
  // The purpose comes before the lookup: whether someone has an address is theirs too.
  const email = EmailSchema.safeParse(given);
  const purpose = await purposeFromUrl(request, now);
  if (!email.success || !purpose.ok) {
    const errors: LookupErrors = {
      ...(email.success ? {} : { email: "Enter an email address." }),
      ...(purpose.ok ? {} : { purpose: purpose.refusal.message }),
    };
    return data({ ...base, errors, result: null }, { status: 400 });
  }
  const worker = await findPersonByEmail(email.data);
  if (!worker) {
    return data(
      {
        ...base,
        errors: { email: "Nobody has that email address." } as LookupErrors,
        result: null,
      },
      { status: 400 },
    );
  }
  const holdings = await listDatasetsHolding(worker.id);
  await runCommand(now, ({ audit }) =>
    audit({
      actorId: staff.id,
      subjectUserId: worker.id,
      action: "dataset.lineage_view",
      targetType: "User",
      targetId: worker.id,
      purposeId: purpose.purpose.id,
      metadata: { datasets: holdings.length },
    }),
  );
  return {
    ...base,
    errors: null as LookupErrors | null,
    result: {
      name: worker.name,
      purpose: purpose.purpose.name,
      datasets: holdings.map((h) => ({
        id: h.dataset.id,
        name: h.dataset.name,
        pseudonym: h.pseudonym,
        events: h.events,
        span: `${formatDateTime(h.firstAt, staff.timezone)} to ${formatDateTime(h.lastAt, staff.timezone)}`,
        fileDeleted: h.dataset.fileDeletedAt !== null,
      })),
    },
  };
}

export default function LineagePage() {
  const { choices, email, purposeKey, errors, result } = useLoaderData<typeof loader>();
  return (
    <div className="max-w-4xl space-y-6">
      <SectionNav label="Datasets" sections={DATASET_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Dataset lineage</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Which datasets hold a person&apos;s events, and under which pseudonym, so an erasure, a
          restriction or an objection can be carried to them. Looking someone up is an access to
          their data: name its purpose; it is recorded and they see it in their Data history.
        </p>
      </div>
      <Card title="Look someone up" titleId="lookup-heading">
        <form method="get" className="space-y-4">
          <Field
            label="Email"
            errors={errors?.email ? [errors.email] : null}
            inputProps={{
              id: "lineage-email",
              name: "email",
              type: "email",
              required: true,
              defaultValue: email,
              autoComplete: "off",
            }}
          />
          <PurposeField
            id="lineage-purpose"
            choices={choices}
            defaultValue={purposeKey ?? PURPOSE_KEYS.rightsRequest}
            errors={errors?.purpose ? [errors.purpose] : null}
          />
          <Button type="submit">Look up</Button>
        </form>
      </Card>
      {result ? (
        <section aria-labelledby="holdings-heading" className="space-y-3">
          <h2 id="holdings-heading" className="text-xl font-semibold">
            Datasets holding {result.name}&apos;s data
          </h2>
          <p className="text-ink-muted" data-testid="lineage-purpose">
            Looked up for {result.purpose}.
          </p>
          {result.datasets.length === 0 ? (
            <p className="text-ink-muted" data-testid="no-holdings">
              No dataset holds their data.
            </p>
          ) : (
            <DataTable
              caption="Datasets holding their data"
              columns={["Dataset", "Pseudonym", "Events"]}
            >
              {result.datasets.map((d) => (
                <tr key={d.id} data-testid="holding-row">
                  <td className="px-4 py-2">
                    <a href={`/datasets/${d.id}`} className="underline underline-offset-2">
                      {d.name}
                    </a>
                    {d.fileDeleted ? <p className="text-ink-muted">File deleted</p> : null}
                  </td>
                  <td className="break-all px-4 py-2 font-mono">{d.pseudonym}</td>
                  <td className="px-4 py-2">
                    {d.events.toLocaleString("en-GB")}
                    <p className="text-ink-muted">{d.span}</p>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      ) : null}
    </div>
  );
}
