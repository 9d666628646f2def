import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "#app/components/pagination.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { searchParamsObject } from "#app/domain/admin-forms.ts";
import { accessPurpose, accessReason, describeAccess } from "#app/domain/access-log.ts";
import {
  DELETION_KIND_LABELS,
  DELETION_KIND_OF_COLUMN,
  describeDeletedCounts,
  describeDeletionFor,
} from "#app/domain/deletion-receipts.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { ROLE_LABELS } from "#app/domain/roles.ts";
import { listAccessLog } from "#app/models/access-log.server.ts";
import { listOwnActions } from "#app/models/audit.server.ts";
import { describeAuditAction } from "#app/domain/audit-actions.ts";
import { listDeletionReceipts } from "#app/models/deletion-receipt.server.ts";
import { listDatasetsHolding } from "#app/models/dataset-lineage.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { MY_DATA_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "Data history · Lull" }];

const pageNumber = z.coerce.number().int().min(1).max(100_000).catch(1);
/** Two paged lists: the access log (`page`) and the deletions (`deletions`). */
const DataHistorySearchSchema = z.object({
  page: pageNumber,
  deletions: pageNumber,
  own: pageNumber,
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const {
    page,
    deletions: deletionsPage,
    own: ownPage,
  } = DataHistorySearchSchema.parse(searchParamsObject(new URL(request.url)));
  const [{ events, total, pageCount }, deletions, own, datasets] = await Promise.all([
    listAccessLog(user.id, page),
    listDeletionReceipts(user.id, deletionsPage),
    listOwnActions(user.id, ownPage),
    listDatasetsHolding(user.id),
  ]);
  return {
    page,
    pageCount,
    total,
    events: events.map((e) => ({
      id: e.id,
      at: formatDateTime(e.at, user.timezone),
      atIso: e.at.toISOString(),
      who: e.actor ? `${e.actor.name} (${ROLE_LABELS[e.actor.role]})` : "The system",
      what: describeAccess(e, user.timezone),
      purpose: accessPurpose(e),
      reason: accessReason(e),
    })),
    datasets: datasets.map((m) => ({
      id: m.dataset.id,
      name: m.dataset.name,
      purpose: m.dataset.purpose.name,
      events: m.events,
      span: `${formatDateTime(m.firstAt, user.timezone)} to ${formatDateTime(m.lastAt, user.timezone)}`,
      builtAt: m.dataset.finishedAt ? formatDateTime(m.dataset.finishedAt, user.timezone) : "",
      builtAtIso: m.dataset.finishedAt?.toISOString() ?? "",
      fileDeleted: m.dataset.fileDeletedAt !== null,
    })),
    own: {
      page: ownPage,
      pageCount: own.pageCount,
      total: own.total,
      events: own.events.map((e) => ({
        id: e.id,
        at: formatDateTime(e.at, user.timezone),
        atIso: e.at.toISOString(),
        what: describeAuditAction(e.action),
      })),
    },
    deletions: {
      page: deletionsPage,
      pageCount: deletions.pageCount,
      total: deletions.total,
      receipts: deletions.receipts.map((r) => ({
        id: r.id,
        kind: DELETION_KIND_LABELS[DELETION_KIND_OF_COLUMN[r.kind]],
        what: describeDeletionFor(r, user.timezone),
        removed: describeDeletedCounts(r),
        at: formatDateTime(r.createdAt, user.timezone),
        atIso: r.createdAt.toISOString(),
      })),
    },
  };
}

export default function DataHistoryPage() {
  const { events, page, pageCount, total, deletions, own, datasets } =
    useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-6">
      <SectionNav label="My data" sections={MY_DATA_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Data history</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Who else looked at your data, and what was deleted and when, each deletion with a signed
          receipt.
        </p>
      </div>

      <section aria-labelledby="access-heading" className="space-y-3">
        <h2 id="access-heading" className="text-xl font-semibold">
          Who looked at your data
        </h2>
        <p className="max-w-2xl text-ink-muted">
          Every time someone other than you viewed, exported or decided on anything of yours, it is
          recorded here with the purpose they named, newest first. Your own actions are listed
          below. {total} {total === 1 ? "entry" : "entries"}.
        </p>
        {events.length === 0 ? (
          <p className="text-ink-muted" data-testid="no-access">
            Nobody else has accessed your data.
          </p>
        ) : (
          <DataTable caption="Accesses by others" columns={["When", "Who", "What"]}>
            {events.map((e) => (
              <tr key={e.id}>
                <TimeCell iso={e.atIso} text={e.at} />
                <td className="px-4 py-2">{e.who}</td>
                <td className="px-4 py-2">
                  {e.what}
                  {e.purpose ? (
                    <p className="text-sm text-ink-muted" data-testid="access-purpose">
                      Purpose: {e.purpose}
                    </p>
                  ) : null}
                  {e.reason ? (
                    <p className="text-sm text-ink-muted">
                      Reason given: <q>{e.reason}</q>
                    </p>
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pagination
          page={page}
          pageCount={pageCount}
          search={location.search}
          label="Access log pages"
        />
      </section>

      <section id="datasets" aria-labelledby="datasets-heading" className="space-y-3">
        <h2 id="datasets-heading" className="text-xl font-semibold">
          Datasets holding your data
        </h2>
        <p className="max-w-2xl text-ink-muted">
          The AI-training datasets built with your events, under a pseudonym made for each dataset.
          An erasure, a restriction or an objection you ask for is carried to every dataset listed
          here.
        </p>
        {datasets.length === 0 ? (
          <p className="text-ink-muted" data-testid="no-datasets">
            No dataset holds your data.
          </p>
        ) : (
          <ul
            className="divide-y divide-line rounded-card border border-line bg-surface-raised"
            data-testid="dataset-lineage"
          >
            {datasets.map((d) => (
              <li key={d.id} className="space-y-1 px-4 py-3">
                <p className="font-semibold">{d.name}</p>
                <p>
                  {d.events.toLocaleString("en-GB")} {d.events === 1 ? "event" : "events"}, from{" "}
                  {d.span}. Purpose: {d.purpose}.
                </p>
                <p className="text-sm text-ink-muted">
                  Built <time dateTime={d.builtAtIso}>{d.builtAt}</time>
                  {d.fileDeleted ? "; its file has since been deleted." : "."}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section id="deletions" aria-labelledby="deletions-heading" className="space-y-3">
        <h2 id="deletions-heading" className="text-xl font-semibold">
          Deletions
        </h2>
        <p className="max-w-2xl text-ink-muted">
          Every deletion of your data: the spans you asked to forget, the stored events of
          applications you made private, and what the retention period removed. Each has a receipt
          signed by the portal that anyone can check, in the portal with{" "}
          <Link to="/acknowledgements/verify" className="underline underline-offset-2">
            Verify a receipt
          </Link>{" "}
          or offline. {deletions.total} {deletions.total === 1 ? "deletion" : "deletions"}.
        </p>
        {deletions.receipts.length === 0 ? (
          <p className="text-ink-muted" data-testid="no-deletions">
            Nothing of yours has been deleted yet.
          </p>
        ) : (
          <ul
            className="divide-y divide-line rounded-card border border-line bg-surface-raised"
            data-testid="deletion-list"
          >
            {deletions.receipts.map((r) => (
              <li key={r.id} className="space-y-1 px-4 py-3">
                <p id={`deletion-${r.id}`} className="font-semibold">
                  {r.kind}, <time dateTime={r.atIso}>{r.at}</time>
                </p>
                <p>{r.what}.</p>
                <p className="text-sm text-ink-muted">Removed: {r.removed}.</p>
                <a
                  href={`/data/deletions/${r.id}.json`}
                  download
                  aria-describedby={`deletion-${r.id}`}
                  className="inline-block text-sm underline underline-offset-2"
                >
                  Download receipt (JSON)
                </a>
              </li>
            ))}
          </ul>
        )}
        <Pagination
          page={deletions.page}
          pageCount={deletions.pageCount}
          search={location.search}
          label="Deletion pages"
          param="deletions"
          hash="#deletions"
        />
      </section>

      <section id="own" aria-labelledby="own-heading" className="space-y-3">
        <h2 id="own-heading" className="text-xl font-semibold">
          Your own actions
        </h2>
        <p className="max-w-2xl text-ink-muted">
          What you did yourself: signing in, pausing, forgetting, asking for exemptions. Staff do
          not browse these by name; they are kept for a security audit, whose every export is listed
          above. {own.total} {own.total === 1 ? "entry" : "entries"}.
        </p>
        {own.events.length === 0 ? (
          <p className="text-ink-muted">Nothing yet.</p>
        ) : (
          <DataTable caption="Your own actions" columns={["When", "What"]}>
            {own.events.map((e) => (
              <tr key={e.id}>
                <TimeCell iso={e.atIso} text={e.at} />
                <td className="px-4 py-2">{e.what}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pagination
          page={own.page}
          pageCount={own.pageCount}
          search={location.search}
          label="Your own actions pages"
          param="own"
          hash="#own"
        />
      </section>
    </div>
  );
}
