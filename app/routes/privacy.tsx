import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AddPrivateAppForm, privateAppActionResults } from "#app/components/private-app-form.tsx";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { isWildcard } from "#app/agent-protocol/private-apps.ts";
import { MAX_PRIVATE_APPS_PER_LIST, purgePrivateAppKey } from "#app/domain/private-app-rules.ts";
import { getOwnDeletionReceipt } from "#app/models/deletion-receipt.server.ts";
import { getPrivacySettings } from "#app/models/private-app.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { handlePrivateAppAction } from "#app/web/private-app-actions.server.ts";

export const meta: MetaFunction = () => [{ title: "Privacy settings · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const receiptId = new URL(request.url).searchParams.get("receipt");
  const [settings, receipt] = await Promise.all([
    getPrivacySettings(user.id),
    // After a deletion: the receipt it issued, if it is this worker's (anyone else's: nothing).
    receiptId && receiptId.length <= 100 ? getOwnDeletionReceipt(user.id, receiptId) : null,
  ]);
  const entry = (e: (typeof settings.own)[number]) => ({
    id: e.id,
    label: e.label,
    wildcard: isWildcard(e.pattern),
    storedEvents: e.storedEvents,
  });
  return {
    own: settings.own.map(entry),
    organisation: settings.organisation.map(entry),
    seenApps: settings.seenApps.slice(0, 200),
    maxPerList: MAX_PRIVATE_APPS_PER_LIST,
    receipt:
      receipt && receipt.kind === "PRIVATE_APP"
        ? { id: receipt.id, events: receipt.receipt.payload.deletion.events }
        : null,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handlePrivateAppAction(request, { kind: "worker", workerId: user.id }, "/privacy");
}

const count = (n: number) => n.toLocaleString("en-GB");

type Entry = ReturnType<typeof useLoaderData<typeof loader>>["own"][number];

export default function PrivacySettingsPage() {
  const { own, organisation, seenApps, maxPerList, receipt } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { addResult, changeError } = privateAppActionResults(actionData);

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Privacy settings</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Applications on these lists are never recorded: your agents leave them out, and anything
          still sent from them is discarded on arrival and only counted. Events already stored stay
          until you delete them here.
        </p>
      </div>

      {receipt ? (
        <p
          role="status"
          className="rounded-lg border border-success/40 bg-success-surface px-4 py-3 text-success"
          data-testid="purge-receipt"
        >
          {count(receipt.events)} stored {receipt.events === 1 ? "event was" : "events were"}{" "}
          deleted.{" "}
          <a href={`/data/deletions/${receipt.id}.json`} className="font-medium underline">
            Download the signed deletion receipt
          </a>{" "}
          or see{" "}
          <Link to="/data/access#deletions" className="font-medium underline">
            all your deletion receipts
          </Link>
          .
        </p>
      ) : null}

      {changeError ? (
        <p
          role="alert"
          className="rounded-lg border border-danger/40 bg-danger-surface px-4 py-3 text-danger"
        >
          {changeError}
        </p>
      ) : null}

      <AddPrivateAppForm seenApps={seenApps} lastResult={addResult} maxPerList={maxPerList} />

      <Card title="Your private applications" titleId="own-heading">
        {own.length === 0 ? (
          <p className="text-sm text-ink-muted">
            None yet. Add an application above to stop it being recorded.
          </p>
        ) : (
          <ul className="divide-y divide-line" data-testid="own-private-apps">
            {own.map((e) => (
              <EntryRow key={e.id} entry={e} removable />
            ))}
          </ul>
        )}
      </Card>

      <Card title="Set by your organisation" titleId="organisation-heading">
        <p className="mb-3 text-sm text-ink-muted">
          The privacy office keeps these private for everyone (password managers, banking, health
          portals…). You cannot remove them.
        </p>
        {organisation.length === 0 ? (
          <p className="text-sm text-ink-muted">Your organisation has set none.</p>
        ) : (
          <ul className="divide-y divide-line" data-testid="organisation-private-apps">
            {organisation.map((e) => (
              <EntryRow key={e.id} entry={e} removable={false} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function EntryRow({ entry, removable }: { entry: Entry; removable: boolean }) {
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="entry">
      <div className="min-w-0">
        <p className="break-words font-medium">{entry.label}</p>
        <p className="text-sm text-ink-muted">
          {entry.wildcard ? "Pattern" : "Exact name"}
          {entry.storedEvents > 0
            ? ` · ${count(entry.storedEvents)} stored ${entry.storedEvents === 1 ? "event" : "events"} still held`
            : " · nothing stored"}
          {removable ? null : (
            <>
              {" "}
              <ToneBadge tone="muted">Set by your organisation</ToneBadge>
            </>
          )}
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        {entry.storedEvents > 0 ? (
          <ConfirmForm
            confirmKey={purgePrivateAppKey(entry.id)}
            fields={{ intent: "purge", id: entry.id }}
            title={`Delete ${count(entry.storedEvents)} stored events of "${entry.label}"?`}
            confirmLabel="Delete stored events"
            triggerLabel={`Delete ${count(entry.storedEvents)} stored ${entry.storedEvents === 1 ? "event" : "events"}`}
            triggerAriaLabel={`Delete ${count(entry.storedEvents)} stored events of ${entry.label}`}
            triggerClassName="py-1"
          >
            <p>
              Every stored event of the applications this entry covers, and their hourly and daily
              counts, are deleted from all your devices&apos; records. You get a signed receipt of
              the deletion.
            </p>
            <p>This cannot be undone.</p>
          </ConfirmForm>
        ) : null}
        {removable ? (
          <Form method="post">
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="id" value={entry.id} />
            <button
              type="submit"
              className={buttonClasses("secondary", "py-1")}
              aria-label={`Remove ${entry.label} from your private list`}
            >
              Remove
            </button>
          </Form>
        ) : null}
      </div>
    </li>
  );
}
