import { ScrollArea } from "#app/components/ui/scroll-area.tsx";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDateTime } from "#app/domain/local-time.ts";
import { parseEventId } from "#app/domain/event-query.ts";
import { getEvent } from "#app/models/event.server.ts";
import { listAnnotationsFor } from "#app/models/rights.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";

export const meta: MetaFunction = () => [{ title: "Record · Lull" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = parseEventId(params.eventId);
  const event = id === null ? null : await getEvent(user.id, id);
  // Another worker's record does not exist for this worker.
  if (!event) notFound();
  const tz = user.timezone;
  // Accepted corrections of this record, or of a span holding it (ADR 0042).
  const annotations = await listAnnotationsFor(user.id, event);
  return {
    id: event.id,
    annotations: annotations.map((a) => ({
      id: a.id,
      outcome: a.outcome ?? "",
      at: a.decidedAt ? formatDateTime(a.decidedAt, tz) : "",
    })),
    fields: [
      ["Record number", String(event.id)],
      ["Type", event.type],
      ["When (your time)", formatDateTime(event.at, tz)],
      ["When (UTC)", event.at.toISOString()],
      ["Application", event.app],
      ["Device", `${event.device.name} (${event.device.platform})`],
      ["Received by Lull", event.receivedAt.toISOString()],
    ] as [string, string][],
    data: JSON.stringify(JSON.parse(event.data), null, 2),
  };
}

export default function EventPage() {
  const { id, fields, data, annotations } = useLoaderData<typeof loader>();
  return (
    <div className="max-w-3xl space-y-6">
      <Link to="/data/events" className="text-sm underline underline-offset-2">
        ← All events
      </Link>
      <h1 className="text-3xl font-bold tracking-tight">Record {fields[0]![1]}</h1>
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 rounded-card border border-line bg-surface-raised p-5 text-sm">
        {fields.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-ink-muted">{label}</dt>
            <dd className="break-all">{value}</dd>
          </div>
        ))}
      </dl>
      {annotations.length > 0 ? (
        <section
          aria-labelledby="annotations-heading"
          className="rounded-card border border-line bg-surface-raised p-5"
          data-testid="event-annotations"
        >
          <h2 id="annotations-heading" className="mb-2 text-lg font-semibold">
            Corrections and annotations
          </h2>
          <ul className="space-y-2 text-sm">
            {annotations.map((a) => (
              <li key={a.id}>
                <p className="whitespace-pre-wrap break-words">{a.outcome}</p>
                <p className="text-ink-muted">
                  Accepted {a.at} · <Link to={`/data/rights/${a.id}`}>the request</Link>
                </p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p className="text-sm">
        <Link to={`/data/rights?eventId=${id}`} className="underline underline-offset-2">
          Ask for a correction
        </Link>{" "}
        <span className="text-ink-muted">if this record is wrong or needs context.</span>
      </p>
      <section aria-labelledby="data-heading">
        <h2 id="data-heading" className="mb-2 text-lg font-semibold">
          Data the agent sent
        </h2>
        <ScrollArea
          label="Data the agent sent"
          className="rounded-card border border-line bg-surface-sunken"
        >
          <pre className="p-4 font-mono text-sm" data-testid="event-data">
            {data}
          </pre>
        </ScrollArea>
      </section>
    </div>
  );
}
