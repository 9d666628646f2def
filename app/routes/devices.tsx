import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { Button, buttonClasses } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { DeviceFootprint } from "#app/components/device-footprint.tsx";
import { DeviceActionSchema } from "#app/domain/device-forms.ts";
import { footprintHours, presentFootprint } from "#app/domain/device-footprint.ts";
import { deviceHealth } from "#app/domain/fleet-health.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { timeWithZone } from "#app/domain/pause-presenter.ts";
import { confirmStep, needsConfirmation } from "#app/domain/confirmation.ts";
import {
  createEnrollmentCode,
  isActiveOwnDevice,
  listDevices,
  renameDevice,
  revokeDevice,
} from "#app/models/device.server.ts";
import { listDeviceFootprints } from "#app/models/device-footprint.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

const revokeDeviceKey = (deviceId: string) => `revoke-device:${deviceId}`;

export const meta: MetaFunction = () => [{ title: "Devices · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { devices, stateVersion, stateVersionAt } = await listDevices(user.id);
  const tz = user.timezone;
  const now = new Date();
  const footprints = await listDeviceFootprints(
    devices.map((d) => d.id),
    footprintHours(now, tz).week,
  );
  return {
    origin: new URL(request.url).origin,
    devices: devices.map((d) => {
      const health = deviceHealth(
        {
          lastSeenAt: d.lastSeenAt,
          lastStateVersion: d.lastStateVersion,
          stateVersion,
          stateVersionAt,
          enrolledAt: d.createdAt,
        },
        now,
      );
      return {
        id: d.id,
        name: d.name,
        platform: d.platform,
        agentVersion: d.agentVersion,
        enrolled: formatDateTime(d.createdAt, tz),
        lastSeen: d.lastSeenAt ? formatDateTime(d.lastSeenAt, tz) : null,
        connection: health.lastSeen,
        // Only a device that has connected, and missed a change for over a minute, is behind.
        behind: health.behind && health.lastSeen !== "never",
        revoked: d.revokedAt ? formatDateTime(d.revokedAt, tz) : null,
        counts: {
          stored: d.storedEvents,
          discardedPaused: d.discardedPaused,
          discardedExempt: d.discardedExempt,
          discardedUnacknowledged: d.discardedUnacknowledged,
          discardedForgotten: d.discardedForgotten,
          discardedPrivateApp: d.discardedPrivateApp,
          rejectedFuture: d.rejectedFuture,
        },
        footprint: presentFootprint(footprints.get(d.id), now, tz),
      };
    }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: DeviceActionSchema });
  if (submission.status !== "success") {
    return data({ kind: "error" as const, result: submission.reply() }, { status: 400 });
  }
  const now = new Date();
  const value = submission.value;
  if (value.intent === "create-code") {
    const { code, expiresAt } = await createEnrollmentCode(user.id, now);
    // Shown once, in this response only; the database keeps its hash.
    return data(
      { kind: "code" as const, code, expires: timeWithZone(expiresAt, user.timezone) },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
  if (value.intent === "revoke") {
    // Someone else's device, or one already revoked, is not found before anything is asked.
    if (!(await isActiveOwnDevice(user.id, value.deviceId))) notFound();
    const key = revokeDeviceKey(value.deviceId);
    if (needsConfirmation(form, key)) return data(confirmStep(key));
  }
  const changed =
    value.intent === "rename"
      ? await renameDevice({ workerId: user.id, deviceId: value.deviceId, name: value.name, now })
      : await revokeDevice({ workerId: user.id, deviceId: value.deviceId, now });
  if (!changed) notFound();
  return redirectWithToast("/devices", {
    kind: "success",
    message:
      value.intent === "rename"
        ? "Device renamed."
        : "Device revoked. Its agent can no longer sync or upload.",
  });
}

export default function DevicesPage() {
  const { devices, origin } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Devices</h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          The monitoring agents on your computers. Each one follows your pauses within a second,
          keeps following your schedule while offline, and can be revoked here at any time.
        </p>
      </div>

      <Card title="Add a device" titleId="add-device-heading">
        {actionData?.kind === "code" ? (
          <div className="space-y-3" data-testid="enrollment-code">
            <p>
              Enter this code in the agent within 15 minutes (until {actionData.expires}). It works
              once.
            </p>
            <p
              className="font-mono text-3xl font-bold tracking-widest"
              aria-label={`Enrollment code ${actionData.code.split("").join(" ")}`}
            >
              {actionData.code}
            </p>
            <p className="text-sm text-ink-muted">
              With the reference agent:{" "}
              <code className="rounded bg-surface-sunken px-1 py-0.5 font-mono">
                npm run agent -- enroll --server {origin} --code {actionData.code}
              </code>
            </p>
          </div>
        ) : (
          <p className="mb-3 text-sm text-ink-muted">
            Create a one-time code and type it into the agent on the new computer.
          </p>
        )}
        <Form method="post" className="mt-3">
          <input type="hidden" name="intent" value="create-code" />
          <Button type="submit" variant={actionData?.kind === "code" ? "secondary" : "primary"}>
            {actionData?.kind === "code" ? "Create another code" : "Create enrollment code"}
          </Button>
        </Form>
        {actionData?.kind === "error" ? (
          <div role="alert" className="mt-2">
            <ErrorList
              errors={Object.values(actionData.result.error ?? {})
                .flat()
                .filter((m): m is string => typeof m === "string")}
            />
          </div>
        ) : null}
      </Card>

      <section aria-labelledby="devices-heading" className="space-y-4">
        <h2 id="devices-heading" className="text-xl font-semibold">
          Your devices
        </h2>
        {devices.length === 0 ? (
          <p className="text-ink-muted">
            No devices yet. Create a code above to enroll the agent on your computer.
          </p>
        ) : (
          <ul className="grid gap-4 md:grid-cols-2" data-testid="device-list">
            {devices.map((d) => {
              const refused = [
                ["sent during a pause", d.counts.discardedPaused],
                ["sent during an exemption", d.counts.discardedExempt],
                ["before you acknowledged the notice", d.counts.discardedUnacknowledged],
                ["inside a span you forgot", d.counts.discardedForgotten],
                ["from a private application", d.counts.discardedPrivateApp],
                ["dated in the future", d.counts.rejectedFuture],
              ] as const;
              const refusedTotal = refused.reduce((s, [, n]) => s + n, 0);
              return (
                <li
                  key={d.id}
                  className={`rounded-card border border-line p-5 ${d.revoked ? "bg-surface-sunken" : "bg-surface-raised"}`}
                  data-testid="device"
                >
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <h3 className="text-lg font-semibold">{d.name}</h3>
                    <span className="text-sm text-ink-muted">
                      {d.platform} · agent {d.agentVersion}
                    </span>
                  </div>
                  <p className="mt-2 text-sm" data-testid="device-status">
                    <ToneBadge
                      tone={
                        d.revoked
                          ? "muted"
                          : d.connection === "recent"
                            ? "ok"
                            : d.connection === "never"
                              ? "muted"
                              : "warning"
                      }
                    >
                      {d.revoked
                        ? "Revoked"
                        : d.connection === "recent"
                          ? "Online"
                          : d.connection === "never"
                            ? "Waiting for first connection"
                            : "Offline"}
                    </ToneBadge>{" "}
                    {d.revoked
                      ? `on ${d.revoked}; it can no longer send or receive anything.`
                      : d.lastSeen
                        ? `Last contact ${d.lastSeen}.`
                        : "Enrolled; the agent has not connected yet."}
                  </p>
                  {d.revoked ? null : (
                    <p className="mt-1 text-sm" data-testid="device-state">
                      {d.behind
                        ? "⚠ Has not received your latest change yet. It will get it when it next connects."
                        : d.connection === "never"
                          ? "Gets your pauses and exemptions when it first connects."
                          : "✓ Has your current pauses and exemptions."}
                    </p>
                  )}
                  <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                    <dt className="text-ink-muted">Enrolled</dt>
                    <dd>{d.enrolled}</dd>
                    <dt className="text-ink-muted">Events stored</dt>
                    <dd className="tabular-nums">{d.counts.stored.toLocaleString("en-GB")}</dd>
                  </dl>
                  {refusedTotal === 0 ? (
                    <p className="mt-1 text-sm text-ink-muted">Nothing refused.</p>
                  ) : (
                    <details className="mt-1 text-sm">
                      <summary className="cursor-pointer">
                        {refusedTotal.toLocaleString("en-GB")} events refused and not stored
                      </summary>
                      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                        {refused
                          .filter(([, n]) => n > 0)
                          .map(([why, n]) => (
                            <Fragment key={why}>
                              <dt className="text-ink-muted">Refused, {why}</dt>
                              <dd className="tabular-nums">{n.toLocaleString("en-GB")}</dd>
                            </Fragment>
                          ))}
                      </dl>
                    </details>
                  )}
                  <DeviceFootprint deviceId={d.id} {...d.footprint} />
                  {d.revoked ? null : (
                    <div className="mt-4 flex flex-wrap items-end gap-3">
                      <Form method="post" className="flex items-end gap-2">
                        <input type="hidden" name="intent" value="rename" />
                        <input type="hidden" name="deviceId" value={d.id} />
                        <div>
                          <label htmlFor={`rename-${d.id}`} className="block text-sm font-medium">
                            Name
                          </label>
                          <input
                            id={`rename-${d.id}`}
                            name="name"
                            defaultValue={d.name}
                            required
                            maxLength={100}
                            className="mt-1 w-40 rounded-lg border border-line bg-surface-raised px-3 py-1.5"
                          />
                        </div>
                        <button type="submit" className={buttonClasses("secondary", "py-1.5")}>
                          Rename
                        </button>
                      </Form>
                      <ConfirmForm
                        confirmKey={revokeDeviceKey(d.id)}
                        fields={{ intent: "revoke", deviceId: d.id }}
                        title={`Revoke ${d.name}?`}
                        confirmLabel="Revoke device"
                        triggerLabel="Revoke"
                        triggerAriaLabel={`Revoke ${d.name}`}
                        triggerClassName="py-1.5"
                      >
                        <p>
                          Its agent stops at once: it can no longer fetch your pauses or upload
                          anything. Events it already uploaded stay in your records.
                        </p>
                        <p>This cannot be undone; to use the computer again, enroll it anew.</p>
                      </ConfirmForm>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
