import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { listNotifications, markNotificationsRead } from "#app/models/notification.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { TrackingStatus } from "#app/components/tracking-status.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { describeTimeZone, formatDateTime, greetingFor } from "#app/domain/local-time.ts";
import { ROLE_LABELS } from "#app/domain/roles.ts";
import { listActiveSessions } from "#app/models/session.server.ts";
import { getTrackingOverview } from "#app/models/tracking.server.ts";
import { getUserProfile } from "#app/models/user.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { describeUserAgent } from "#app/domain/user-agent.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Home · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const [profile, sessions, overview, notifications] = await Promise.all([
    getUserProfile(user.id),
    listActiveSessions(user.id, now),
    getTrackingOverview(user, now),
    listNotifications(user.id),
  ]);
  if (!profile) throw new Response("Not found", { status: 404 });
  return {
    overview,
    notifications: {
      unread: notifications.unread,
      items: notifications.items.map((n) => ({
        id: n.id,
        title: n.title,
        body: n.body,
        href: n.href,
        when: formatDateTime(n.createdAt, profile.timezone),
        unread: n.readAt === null,
      })),
    },
    greeting: greetingFor(now, profile.timezone),
    profile: {
      name: profile.name,
      email: profile.email,
      role: ROLE_LABELS[profile.role],
      timeZone: describeTimeZone(profile.timezone, now),
      manager: profile.manager?.name ?? null,
    },
    sessions: sessions.map((s) => ({
      key: s.id.slice(0, 12),
      device: describeUserAgent(s.userAgent),
      ip: s.ip,
      startedAt: formatDateTime(s.createdAt, profile.timezone),
      expiresAt: formatDateTime(s.expiresAt, profile.timezone),
    })),
  };
}

/** "Mark all as read" for the notifications card. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  if (form.get("intent") !== "mark-read") {
    throw new Response("Unknown action", { status: 400 });
  }
  await markNotificationsRead(user.id, new Date());
  return redirectWithToast("/", { kind: "success", message: "Notifications marked as read." });
}

export default function HomePage() {
  const { greeting, profile, sessions, overview, notifications } = useLoaderData<typeof loader>();
  const firstName = profile.name.split(" ")[0];
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">
          {greeting}, {firstName}
        </h1>
        <p className="mt-2 max-w-2xl text-ink-muted">
          Lull shows you what the monitoring agent on your computer collects about you, and lets you
          decide when it does. Everything here is about you, and only you and the people your
          company has named can see it.
        </p>
      </div>

      <TrackingStatus overview={overview} returnTo="/" />

      {notifications.items.length > 0 ? (
        <Card
          title={
            <>
              Notifications{" "}
              {notifications.unread > 0 ? (
                <span className="ml-1 rounded-full bg-brand-700 px-2 py-0.5 text-sm text-white dark:bg-brand-300 dark:text-brand-950">
                  {notifications.unread} new
                </span>
              ) : null}
            </>
          }
          titleId="notifications-heading"
        >
          <ul className="divide-y divide-line" data-testid="notifications">
            {notifications.items.map((n) => (
              <li key={n.id} className="py-2">
                <p className={n.unread ? "font-semibold" : ""}>
                  {n.unread ? <span className="sr-only">New: </span> : null}
                  {n.href ? <Link to={n.href}>{n.title}</Link> : n.title}
                </p>
                <p className="text-sm text-ink-muted">
                  {n.body} · {n.when}
                </p>
              </li>
            ))}
          </ul>
          {notifications.unread > 0 ? (
            <Form method="post" className="mt-3">
              <input type="hidden" name="intent" value="mark-read" />
              <Button type="submit" variant="secondary">
                Mark all as read
              </Button>
            </Form>
          ) : null}
        </Card>
      ) : null}

      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Your account" titleId="account-heading">
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-ink-muted">Name</dt>
            <dd data-testid="profile-name">{profile.name}</dd>
            <dt className="text-ink-muted">Email</dt>
            <dd>{profile.email}</dd>
            <dt className="text-ink-muted">Role</dt>
            <dd>{profile.role}</dd>
            <dt className="text-ink-muted">Time zone</dt>
            <dd>{profile.timeZone}</dd>
            <dt className="text-ink-muted">Manager</dt>
            <dd>{profile.manager ?? "None"}</dd>
          </dl>
        </Card>

        <Card title="Where you are signed in" titleId="sessions-heading">
          <p className="mb-3 text-sm text-ink-muted">
            Sessions end after 12 hours without use, and after 7 days at most.
          </p>
          <ul className="divide-y divide-line text-sm">
            {sessions.map((s) => (
              <li key={s.key} className="py-2">
                <p className="font-medium">{s.device}</p>
                <p className="text-ink-muted">
                  Signed in {s.startedAt}
                  {s.ip ? ` from ${s.ip}` : ""}; ends by {s.expiresAt}
                </p>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}
