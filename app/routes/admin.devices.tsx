import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ReactNode } from "react";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { searchParamsObject } from "#app/domain/admin-forms.ts";
import {
  FLEET_FILTERS,
  FLEET_FILTER_LABELS,
  FleetSearchSchema,
  healthBadges,
  lastSeenStatus,
  platformLabel,
  type HealthBadge,
} from "#app/domain/fleet-health.ts";
import { formatDateTime, formatDay } from "#app/domain/local-time.ts";
import { getFleetSummary, listFleetDevices } from "#app/models/fleet.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { TONE_CLASSES } from "#app/components/ui/tone-badge.tsx";

export const meta: MetaFunction = () => [{ title: "Fleet health · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const search = FleetSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const now = new Date();
  const [summary, list] = await Promise.all([
    getFleetSummary(now),
    listFleetDevices({ ...search, now }),
  ]);
  return {
    search,
    timeZone: admin.timezone,
    summary: {
      total: summary.total,
      behind: summary.behind,
      staleOver15m: summary.staleOver15m,
      offlineOver24h: summary.offlineOver24h,
      neverSeen: summary.neverSeen,
      byPlatform: summary.byPlatform.map((p) => ({
        platform: platformLabel(p.platform),
        count: p.count,
      })),
      byVersion: summary.byVersion,
      discardedPerDay: summary.discardedPerDay.map((d) => ({
        ...d,
        label: formatDay(new Date(`${d.day}T00:00:00Z`), "UTC"),
        discarded: d.discardedPaused + d.discardedExempt + d.discardedUnacknowledged,
      })),
    },
    total: list.total,
    pageCount: list.pageCount,
    // The agent and its owner only: never what it collected.
    devices: list.devices.map((d) => ({
      id: d.id,
      name: d.name,
      owner: d.ownerName,
      platform: platformLabel(d.platform),
      agentVersion: d.agentVersion,
      lastSeen: d.lastSeenAt ? formatDateTime(d.lastSeenAt, admin.timezone) : "Never",
      lastSeenIso: d.lastSeenAt?.toISOString() ?? null,
      badges: healthBadges({ behind: d.behind, lastSeen: lastSeenStatus(d.lastSeenAt, now) }),
    })),
  };
}

const BADGE_TONE: Record<HealthBadge["tone"], string> = TONE_CLASSES;

function Stat({
  label,
  value,
  children,
  emphasised = false,
}: {
  label: string;
  value: number;
  children?: ReactNode;
  emphasised?: boolean;
}) {
  return (
    <div
      className={`rounded-card border bg-surface-raised p-5 shadow-sm ${
        emphasised ? "border-2 border-danger sm:col-span-2" : "border-line"
      }`}
    >
      <dt className={`text-sm ${emphasised ? "font-semibold text-ink" : "text-ink-muted"}`}>
        {label}
      </dt>
      <dd className={`mt-1 font-bold tabular-nums ${emphasised ? "text-4xl" : "text-3xl"}`}>
        {value}
      </dd>
      {children ? <dd className="mt-2 text-sm text-ink-muted">{children}</dd> : null}
    </div>
  );
}

export default function FleetHealthPage() {
  const { summary, search, devices, total, pageCount, timeZone } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Fleet health</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          How the monitoring agents of active workers are doing: whether they follow pauses and
          exemptions, and when they were last in touch. Revoked devices and deactivated workers are
          left out. Nothing here shows what an agent collected.
        </p>
      </div>

      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5" data-testid="fleet-stats">
        <Stat label="Active devices" value={summary.total}>
          {summary.neverSeen} never seen
        </Stat>
        <Stat label="Behind by more than a minute" value={summary.behind} emphasised>
          Agents that have not picked up a worker&apos;s latest pause, exemption or notice change a
          minute after it happened may still be collecting when they must not.{" "}
          {summary.behind > 0 ? (
            <Link to="?filter=behind" className="font-medium text-ink underline underline-offset-2">
              Show these devices
            </Link>
          ) : null}
        </Stat>
        <Stat label="Last seen more than 15 minutes ago" value={summary.staleOver15m} />
        <Stat label="Last seen more than 24 hours ago" value={summary.offlineOver24h} />
      </dl>

      <div className="grid gap-6 md:grid-cols-2">
        <Card title="By platform" titleId="by-platform-heading">
          {summary.byPlatform.length === 0 ? (
            <p className="text-ink-muted">No active devices.</p>
          ) : (
            <DataTable caption="Active devices by platform" columns={["Platform", "Devices"]}>
              {summary.byPlatform.map((p) => (
                <tr key={p.platform}>
                  <td className="px-4 py-2">{p.platform}</td>
                  <td className="px-4 py-2 tabular-nums">{p.count}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
        <Card title="By agent version" titleId="by-version-heading">
          {summary.byVersion.length === 0 ? (
            <p className="text-ink-muted">No active devices.</p>
          ) : (
            <DataTable caption="Active devices by agent version" columns={["Version", "Devices"]}>
              {summary.byVersion.map((v) => (
                <tr key={v.agentVersion}>
                  <td className="px-4 py-2 font-mono">{v.agentVersion}</td>
                  <td className="px-4 py-2 tabular-nums">{v.count}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
      </div>

      <Card title="Events refused at ingestion, per day" titleId="discarded-heading">
        <p className="mb-3 max-w-2xl text-sm text-ink-muted">
          Events agents sent for times when collection was off. A rising number means agents keep
          collecting during pauses, exemptions or before the notice was acknowledged. Last 14 days,
          UTC, oldest first; all devices, including revoked ones.
        </p>
        <DataTable
          caption="Events refused at ingestion per UTC day, last 14 days"
          columns={[
            "Day (UTC)",
            "During a pause",
            "During an exemption",
            "Before acknowledgement",
            "Total refused",
            "Dated in the future",
          ]}
        >
          {summary.discardedPerDay.map((d) => (
            <tr key={d.day}>
              <th scope="row" className="whitespace-nowrap px-4 py-2 font-normal">
                <time dateTime={d.day}>{d.label}</time>
              </th>
              <td className="px-4 py-2 tabular-nums">{d.discardedPaused}</td>
              <td className="px-4 py-2 tabular-nums">{d.discardedExempt}</td>
              <td className="px-4 py-2 tabular-nums">{d.discardedUnacknowledged}</td>
              <td className="px-4 py-2 font-semibold tabular-nums">{d.discarded}</td>
              <td className="px-4 py-2 tabular-nums">{d.rejectedFuture}</td>
            </tr>
          ))}
        </DataTable>
      </Card>

      <section aria-labelledby="fleet-devices-heading" className="space-y-4">
        <h2 id="fleet-devices-heading" className="text-xl font-semibold">
          Devices
        </h2>
        <Form method="get" className="flex flex-wrap items-end gap-3" role="search">
          <div>
            <label htmlFor="fleet-filter" className="block text-sm font-medium">
              Show
            </label>
            <select
              id="fleet-filter"
              name="filter"
              defaultValue={search.filter}
              className="mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2"
            >
              {FLEET_FILTERS.map((f) => (
                <option key={f} value={f}>
                  {FLEET_FILTER_LABELS[f]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="fleet-q" className="block text-sm font-medium">
              Owner name
            </label>
            <input
              id="fleet-q"
              name="q"
              type="search"
              defaultValue={search.q}
              className="mt-1 rounded-lg border border-line bg-surface-raised px-3 py-2"
            />
          </div>
          <Button type="submit" variant="secondary">
            Apply
          </Button>
        </Form>

        <p className="text-sm text-ink-muted" aria-live="polite">
          {total} {total === 1 ? "device" : "devices"}: {FLEET_FILTER_LABELS[search.filter]}
          {search.q ? `, owner name contains “${search.q}”` : ""}. Times in {timeZone}.
        </p>

        <DataTable
          caption="Active devices"
          columns={["Owner", "Device", "Platform", "Agent version", "Last seen", "Status"]}
        >
          {devices.map((d) => (
            <tr key={d.id}>
              <td className="px-4 py-2 font-medium">{d.owner}</td>
              <td className="px-4 py-2">{d.name}</td>
              <td className="px-4 py-2">{d.platform}</td>
              <td className="px-4 py-2 font-mono">{d.agentVersion}</td>
              <TimeCell iso={d.lastSeenIso} text={d.lastSeen} />
              <td className="px-4 py-2">
                <ul className="flex flex-wrap gap-1">
                  {d.badges.map((b) => (
                    <li
                      key={b.label}
                      className={`inline-block rounded-full border px-2.5 py-0.5 text-xs font-medium ${BADGE_TONE[b.tone]}`}
                    >
                      {b.label}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </DataTable>
        {devices.length === 0 ? <p className="text-ink-muted">No devices match.</p> : null}
        <Pagination
          page={search.page}
          pageCount={pageCount}
          search={location.search}
          label="Device pages"
        />
      </section>
    </div>
  );
}
