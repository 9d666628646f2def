import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AddPrivateAppForm, privateAppActionResults } from "#app/components/private-app-form.tsx";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { MAX_PRIVATE_APPS_PER_LIST } from "#app/domain/private-app-rules.ts";
import { isWildcard } from "#app/agent-protocol/private-apps.ts";
import { listOrganisationPrivateApps } from "#app/models/private-app.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { handlePrivateAppAction } from "#app/web/private-app-actions.server.ts";

export const meta: MetaFunction = () => [{ title: "Private applications · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const entries = await listOrganisationPrivateApps();
  return {
    maxPerList: MAX_PRIVATE_APPS_PER_LIST,
    entries: entries.map((e) => ({
      id: e.id,
      label: e.label,
      wildcard: isWildcard(e.pattern),
      added: formatDateTime(e.createdAt, admin.timezone),
      addedIso: e.createdAt.toISOString(),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  return handlePrivateAppAction(
    request,
    { kind: "organisation", actorId: admin.id },
    "/admin/privacy",
  );
}

export default function OrganisationPrivateAppsPage() {
  const { entries, maxPerList } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { addResult, changeError } = privateAppActionResults(actionData);
  return (
    <div className="space-y-8">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight">Private applications</h1>
        <p className="mt-2 text-ink-muted">
          Applications never recorded for anyone: password managers, banking, health portals. Every
          worker sees this list on their Privacy settings page and cannot remove an entry; their
          agents get a change within seconds. What workers keep private themselves is never shown
          here.
        </p>
      </div>

      {changeError ? (
        <p
          role="alert"
          className="rounded-lg border border-danger/40 bg-danger-surface px-4 py-3 text-danger"
        >
          {changeError}
        </p>
      ) : null}

      <AddPrivateAppForm
        seenApps={[]}
        lastResult={addResult}
        maxPerList={maxPerList}
        title="Make an application private for everyone"
      />

      <section aria-labelledby="organisation-list-heading" className="space-y-3">
        <h2 id="organisation-list-heading" className="text-xl font-semibold">
          The organisation&apos;s list
        </h2>
        {entries.length === 0 ? (
          <p className="text-ink-muted">No application is private for everyone yet.</p>
        ) : (
          <DataTable
            caption={`Applications private for everyone (${entries.length})`}
            columns={["Application", "Kind", "Added", "Remove"]}
          >
            {entries.map((e) => (
              <tr key={e.id} data-testid="organisation-entry">
                <th scope="row" className="break-words px-4 py-2 text-left font-medium">
                  {e.label}
                </th>
                <td className="px-4 py-2">{e.wildcard ? "Pattern" : "Exact name"}</td>
                <TimeCell iso={e.addedIso} text={e.added} />
                <td className="px-4 py-2">
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="id" value={e.id} />
                    <button
                      type="submit"
                      className={buttonClasses("secondary", "py-1")}
                      aria-label={`Remove ${e.label} from the organisation's list`}
                    >
                      Remove
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </div>
  );
}
