import { ScrollArea } from "#app/components/ui/scroll-area.tsx";
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { Button, buttonClasses } from "#app/components/ui/button.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { EVENT_TYPES } from "#app/agent-protocol/v1.ts";
import { EventQuerySchema, encodeCursor } from "#app/domain/event-query.ts";
import { EVENT_TYPE_SHORT_LABELS, eventTypeLabel } from "#app/domain/exemption-labels.ts";
import {
  formatLongDay,
  formatTimeSeconds,
  groupByLocalDay,
  nextDateKey,
  startOfLocalDay,
} from "#app/domain/local-time.ts";
import { countEvents, listDeviceChoices, listEvents } from "#app/models/event.server.ts";
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
        days: [],
        total: null,
        olderCursor: null,
        newerCursor: null,
        isFirstPage: true,
        filtered: true,
      },
      { status: 400 },
    );
  }
  const q = parsed.data;
  const tz = user.timezone;
  const filters = {
    type: q.type,
    deviceId: q.device,
    app: q.app,
    from: q.from ? startOfLocalDay(q.from, tz) : undefined,
    to: q.to ? startOfLocalDay(nextDateKey(q.to), tz) : undefined,
  };
  const [page, total] = await Promise.all([
    listEvents(user.id, filters, { before: q.cursor, after: q.newer }),
    countEvents(user.id, filters),
  ]);
  return {
    errors: null,
    query: Object.fromEntries(url.searchParams),
    devices,
    days: groupByLocalDay(page.events, tz).map((day) => ({
      key: day.key,
      heading: formatLongDay(day.items[0]!.at, tz),
      events: day.items.map((e) => ({
        id: e.id,
        type: e.type,
        app: e.app,
        device: e.device.name,
        time: formatTimeSeconds(e.at, tz),
        atIso: e.at.toISOString(),
      })),
    })),
    total,
    olderCursor: page.older ? encodeCursor(page.older) : null,
    newerCursor: page.newer ? encodeCursor(page.newer) : null,
    isFirstPage: page.newer === null,
    filtered: Boolean(q.type || q.device || q.app || q.from || q.to),
  };
}

export default function EventsPage() {
  const { days, total, devices, query, errors, olderCursor, newerCursor, isFirstPage, filtered } =
    useLoaderData<typeof loader>();
  const location = useLocation();
  const withPosition = (position: { cursor?: string; newer?: string }) => {
    const params = new URLSearchParams(location.search);
    params.delete("cursor");
    params.delete("newer");
    for (const [name, value] of Object.entries(position)) params.set(name, value);
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

      {total !== null && total > 0 ? (
        <p className="text-sm text-ink-muted" data-testid="events-total">
          {total.toLocaleString("en-GB")} {total === 1 ? "event" : "events"}{" "}
          {filtered ? "match these filters" : "stored about you"}.
          {filtered ? (
            <>
              {" "}
              <Link to="/data/events" className="underline underline-offset-2">
                Clear the filters
              </Link>
            </>
          ) : null}
        </p>
      ) : null}

      {days.length === 0 ? (
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
        <ScrollArea
          label="Your records"
          className="rounded-card border border-line bg-surface-raised"
        >
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Your records</caption>
            <thead className="bg-surface-sunken text-ink-muted">
              <tr>
                {["Time", "Type", "Application", "Device"].map((column) => (
                  <th key={column} scope="col" className="px-4 py-2 font-medium">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            {days.map((day) => (
              <tbody key={day.key} className="divide-y divide-line" data-testid="events-day">
                <tr className="border-t border-line">
                  <th
                    scope="colgroup"
                    colSpan={4}
                    className="bg-surface px-4 pb-1 pt-3 text-left font-semibold text-ink"
                  >
                    {day.heading}
                  </th>
                </tr>
                {day.events.map((e) => (
                  <tr key={e.id}>
                    <td className="whitespace-nowrap px-4 py-2">
                      <Link to={`/data/events/${e.id}`} className="underline underline-offset-2">
                        <time dateTime={e.atIso}>{e.time}</time>
                      </Link>
                    </td>
                    <td className="px-4 py-2">{eventTypeLabel(e.type)}</td>
                    <td className="px-4 py-2">{e.app}</td>
                    <td className="px-4 py-2">{e.device}</td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </ScrollArea>
      )}
      <nav aria-label="Record pages" className="flex flex-wrap justify-between gap-2">
        <div className="flex gap-2">
          {isFirstPage ? null : (
            <>
              <Link to={withPosition({})} className={buttonClasses("secondary")}>
                ⇤ Newest
              </Link>
              {newerCursor ? (
                <Link
                  to={withPosition({ newer: newerCursor })}
                  className={buttonClasses("secondary")}
                  rel="prev"
                >
                  ← Newer
                </Link>
              ) : null}
            </>
          )}
        </div>
        {olderCursor ? (
          <Link
            to={withPosition({ cursor: olderCursor })}
            className={buttonClasses("secondary")}
            rel="next"
          >
            Older →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
