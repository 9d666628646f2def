import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { Button, buttonClasses } from "#app/components/ui/button.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { DataTable } from "#app/components/ui/table.tsx";
import { EVENT_TYPES } from "#app/agent-protocol/v1.ts";
import { EventQuerySchema, encodeCursor } from "#app/domain/event-query.ts";
import { EVENT_TYPE_SHORT_LABELS, eventTypeLabel } from "#app/domain/exemption-labels.ts";
import { formatDateTimeSeconds, nextDateKey, startOfLocalDay } from "#app/domain/local-time.ts";
import { listDeviceChoices, listEvents } from "#app/models/event.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { MY_DATA_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "All events · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const parsed = EventQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  const devices = await listDeviceChoices(user.id);
  if (!parsed.success) {
    return data(
      {
        errors: parsed.error.flatten().fieldErrors,
        query: Object.fromEntries(url.searchParams),
        devices,
        events: [],
        nextCursor: null,
        isFirstPage: true,
        filtered: true,
      },
      { status: 400 },
    );
  }
  const q = parsed.data;
  const tz = user.timezone;
  const { events, next } = await listEvents(
    user.id,
    {
      type: q.type,
      deviceId: q.device,
      app: q.app,
      from: q.from ? startOfLocalDay(q.from, tz) : undefined,
      to: q.to ? startOfLocalDay(nextDateKey(q.to), tz) : undefined,
    },
    q.cursor ?? null,
  );
  return {
    errors: null,
    query: Object.fromEntries(url.searchParams),
    devices,
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      app: e.app,
      device: e.device.name,
      at: formatDateTimeSeconds(e.at, tz),
      atIso: e.at.toISOString(),
    })),
    nextCursor: next ? encodeCursor(next) : null,
    isFirstPage: !q.cursor,
    filtered: Boolean(q.type || q.device || q.app || q.from || q.to),
  };
}

export default function EventsPage() {
  const { events, devices, query, errors, nextCursor, isFirstPage, filtered } =
    useLoaderData<typeof loader>();
  const location = useLocation();
  const withCursor = (cursor: string | null) => {
    const params = new URLSearchParams(location.search);
    if (cursor) params.set("cursor", cursor);
    else params.delete("cursor");
    return `?${params}`;
  };
  const control = "mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2";
  return (
    <div className="space-y-6">
      <SectionNav label="My data" sections={MY_DATA_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">All events</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Every event the monitoring agents stored about you, newest first, in your time zone. Open
          one to see everything kept about it.
        </p>
      </div>
      <Form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter records">
        <div>
          <label htmlFor="f-type" className="block text-sm font-medium">
            Type
          </label>
          <select id="f-type" name="type" defaultValue={query.type ?? ""} className={control}>
            <option value="">All types</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {EVENT_TYPE_SHORT_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-device" className="block text-sm font-medium">
            Device
          </label>
          <select id="f-device" name="device" defaultValue={query.device ?? ""} className={control}>
            <option value="">All devices</option>
            {devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-app" className="block text-sm font-medium">
            Application
          </label>
          <input id="f-app" name="app" defaultValue={query.app ?? ""} className={control} />
        </div>
        <div>
          <label htmlFor="f-from" className="block text-sm font-medium">
            From
          </label>
          <input
            id="f-from"
            name="from"
            type="date"
            defaultValue={query.from ?? ""}
            className={control}
          />
          <ErrorList errors={errors?.from} />
        </div>
        <div>
          <label htmlFor="f-to" className="block text-sm font-medium">
            To
          </label>
          <input
            id="f-to"
            name="to"
            type="date"
            defaultValue={query.to ?? ""}
            className={control}
          />
          <ErrorList errors={errors?.to} />
        </div>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
      </Form>

      {events.length === 0 ? (
        <p className="text-ink-muted" data-testid="no-events">
          {filtered ? (
            <>
              No events match these filters.{" "}
              <Link to="/data/events" className="underline underline-offset-2">
                Clear the filters
              </Link>
            </>
          ) : devices.length === 0 ? (
            <>
              Nothing is stored about you. Once an agent is enrolled on your computer (see{" "}
              <Link to="/devices" className="underline underline-offset-2">
                Devices
              </Link>
              ), what it collects appears here.
            </>
          ) : (
            "Nothing is stored about you yet: your devices have not sent anything that was kept."
          )}
        </p>
      ) : (
        <DataTable caption="Your records" columns={["When", "Type", "Application", "Device"]}>
          {events.map((e) => (
            <tr key={e.id}>
              <td className="whitespace-nowrap px-4 py-2">
                <Link to={`/data/events/${e.id}`} className="underline underline-offset-2">
                  <time dateTime={e.atIso}>{e.at}</time>
                </Link>
              </td>
              <td className="px-4 py-2">{eventTypeLabel(e.type)}</td>
              <td className="px-4 py-2">{e.app}</td>
              <td className="px-4 py-2">{e.device}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <nav aria-label="Record pages" className="flex justify-between">
        {isFirstPage ? (
          <span />
        ) : (
          <Link to={withCursor(null)} className={buttonClasses("secondary")}>
            ← Newest
          </Link>
        )}
        {nextCursor ? (
          <Link to={withCursor(nextCursor)} className={buttonClasses("secondary")} rel="next">
            Older →
          </Link>
        ) : (
          <span />
        )}
      </nav>
    </div>
  );
}
