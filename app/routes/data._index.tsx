import { eventTypeLabel } from "#app/domain/exemption-labels.ts";
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { PERIODS, PERIOD_LABELS, PeriodQuerySchema, periodRange } from "#app/domain/data-period.ts";
import { formatDateTime, formatDay } from "#app/domain/local-time.ts";
import { ActivityChart } from "#app/components/activity-chart.tsx";
import { getActivitySeries, getDataOverview } from "#app/models/data-overview.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { MY_DATA_SECTIONS, SectionNav } from "#app/components/section-nav.tsx";

export const meta: MetaFunction = () => [{ title: "My data · Lull" }];

const DAY_MS = 24 * 3600_000;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const raw = Object.fromEntries(url.searchParams);
  const parsed = PeriodQuerySchema.safeParse({ period: "7d", ...raw });
  const query = parsed.success ? parsed.data : ({ period: "7d" } as const);
  const now = new Date();
  const tz = user.timezone;
  const { start, end } = periodRange(query, now, tz);
  const [overview, series] = await Promise.all([
    getDataOverview(user.id, start, end),
    getActivitySeries(user.id, start, end, tz),
  ]);
  // An invalid period still shows the default one, with the errors, as a 400.
  return data(
    {
      query: { period: query.period, from: raw.from ?? "", to: raw.to ?? "" },
      errors: parsed.success ? null : parsed.error.flatten().fieldErrors,
      range: `${formatDay(start, tz)} – ${formatDay(new Date(end.getTime() - 1), tz)}`,
      series,
      total: overview.total,
      // Types in words, as everywhere the worker reads them.
      byType: overview.byType.map((t) => ({ ...t, name: eventTypeLabel(t.name) })),
      byDevice: overview.byDevice,
      topApps: overview.topApps,
      devices: overview.devices,
      retentionDays: overview.retentionDays,
      oldestDeletion: overview.oldestEventAt
        ? formatDateTime(
            new Date(overview.oldestEventAt.getTime() + overview.retentionDays * DAY_MS),
            tz,
          )
        : null,
    },
    { status: parsed.success ? 200 : 400 },
  );
}

function Bars({ rows, label }: { rows: { name: string; count: number }[]; label: string }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <table className="w-full table-fixed text-sm">
      <caption className="sr-only">{label}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <th scope="row" className="w-28 break-words py-1 pr-3 text-left font-normal sm:w-40">
              {r.name}
            </th>
            <td className="py-1">
              <div className="flex items-center gap-2">
                <svg
                  aria-hidden="true"
                  className="h-3 w-full min-w-0 flex-1"
                  width="100%"
                  height="12"
                  focusable="false"
                >
                  {/* SVG attributes, not inline styles: the CSP allows no style attributes. */}
                  <rect
                    width={`${Math.max(0.5, (r.count / max) * 100)}%`}
                    height="12"
                    rx="2"
                    className="fill-brand-600 dark:fill-brand-300"
                  />
                </svg>
                <span className="tabular-nums">{r.count.toLocaleString("en-GB")}</span>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function DataOverviewPage() {
  const data = useLoaderData<typeof loader>();
  const control = "mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2";
  return (
    <div className="space-y-8">
      <SectionNav label="My data" sections={MY_DATA_SECTIONS} />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">My data</h1>
        <p className="mt-2 max-w-3xl text-ink-muted">
          The monitoring agent records your keystrokes, clicks, scrolling and which application is
          in front (not what you type), to train the company&apos;s AI models. Under the monitoring
          policy it is not used to evaluate your performance. It is kept for {data.retentionDays}{" "}
          days
          {data.oldestDeletion
            ? `; your oldest record will be deleted on ${data.oldestDeletion}`
            : ""}
          . See every record in{" "}
          <Link to="/data/events" className="underline underline-offset-2">
            All events
          </Link>
          , and who else looked and what was deleted in your{" "}
          <Link to="/data/access" className="underline underline-offset-2">
            data history
          </Link>
          .
        </p>
      </div>

      <Form method="get" className="flex flex-wrap items-end gap-3" aria-label="Choose a period">
        <div>
          <label htmlFor="d-period" className="block text-sm font-medium">
            Period
          </label>
          <select id="d-period" name="period" defaultValue={data.query.period} className={control}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {PERIOD_LABELS[p]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="d-from" className="block text-sm font-medium">
            From (custom)
          </label>
          <input
            id="d-from"
            name="from"
            type="date"
            defaultValue={data.query.from}
            className={control}
          />
          <ErrorList errors={data.errors?.from} />
        </div>
        <div>
          <label htmlFor="d-to" className="block text-sm font-medium">
            To (custom)
          </label>
          <input id="d-to" name="to" type="date" defaultValue={data.query.to} className={control} />
          <ErrorList errors={data.errors?.to} />
        </div>
        <Button type="submit" variant="secondary">
          Show
        </Button>
      </Form>

      {data.devices.length === 0 ? (
        <Card title="Nothing collected yet" titleId="empty-heading">
          <p className="text-ink-muted">
            No agent is enrolled for you yet. Once one is (see{" "}
            <Link to="/devices" className="underline underline-offset-2">
              Devices
            </Link>
            ), this page shows how many events it collected, by type, device and application, and
            proves your pauses were respected.
          </p>
        </Card>
      ) : (
        <>
          <p className="text-lg" data-testid="data-total">
            <strong className="tabular-nums">{data.total.toLocaleString("en-GB")}</strong> events
            stored, {data.range}.
          </p>
          <Card title="Activity over time" titleId="activity-heading">
            <ActivityChart {...data.series} />
          </Card>
          <div className="grid gap-6 lg:grid-cols-3">
            <Card title="By type" titleId="by-type-heading">
              <Bars rows={data.byType} label="Events by type" />
            </Card>
            <Card title="By device" titleId="by-device-heading">
              <Bars rows={data.byDevice} label="Events by device" />
            </Card>
            <Card title="Top applications" titleId="top-apps-heading">
              <Bars rows={data.topApps} label="Events by application" />
            </Card>
          </div>
          <Card title="Pause integrity" titleId="integrity-heading">
            <p className="mb-3 text-sm text-ink-muted">
              Events your agents sent from inside a pause or exemption are refused and never stored.
              Counted since each device was enrolled:
            </p>
            <ul className="divide-y divide-line text-sm" data-testid="pause-integrity">
              {data.devices.map((d) => (
                <li key={d.id} className="flex flex-wrap justify-between gap-2 py-2">
                  <span className="font-medium">{d.name}</span>
                  <span>
                    {d.discardedPaused} refused during pauses · {d.discardedExempt} during
                    exemptions · {d.discardedUnacknowledged} before you acknowledged the notice ·{" "}
                    {d.rejectedFuture} dated in the future
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        </>
      )}
    </div>
  );
}
