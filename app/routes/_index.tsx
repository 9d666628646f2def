import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Button } from "#app/components/ui/button.tsx";
import { listNotifications, markNotificationsRead } from "#app/models/notification.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { ForgetRecent } from "#app/components/forget-recent.tsx";
import { TrackingStatus } from "#app/components/tracking-status.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { formatDateTime, greetingFor } from "#app/domain/local-time.ts";
import { getTrackingOverview } from "#app/models/tracking.server.ts";
import { whatIsKept } from "#app/models/data-overview.server.ts";
import { getUserProfile } from "#app/models/user.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Home · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const [profile, kept, overview, notifications] = await Promise.all([
    getUserProfile(user.id),
    whatIsKept(user.id, now, user.timezone),
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
    profile: { name: profile.name, email: profile.email },
    kept: {
      today: kept.today,
      retentionDays: kept.retentionDays,
      oldestDeletion: kept.oldestDeletion
        ? formatDateTime(kept.oldestDeletion, profile.timezone)
        : null,
    },
  };
}

const HomeActionSchema = z.object({ intent: z.literal("mark-read") });

/** "Mark all as read" for the notifications card. (Sessions are ended on /account.) */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = HomeActionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) throw new Response("Unknown action", { status: 400 });
  await markNotificationsRead(user.id, new Date());
  return redirectWithToast("/", { kind: "success", message: "Notifications marked as read." });
}

export default function HomePage() {
  const { greeting, profile, kept, overview, notifications } = useLoaderData<typeof loader>();
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

      <ForgetRecent forget={overview.forget} returnTo="/" />

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
        <Card title="What is kept about you" titleId="kept-heading">
          <p className="text-sm" data-testid="kept-today">
            <span className="text-2xl font-bold tabular-nums">
              {kept.today.toLocaleString("en-GB")}
            </span>{" "}
            {kept.today === 1 ? "event" : "events"} stored today.
          </p>
          <p className="mt-2 text-sm text-ink-muted" data-testid="kept-retention">
            Each record is kept {kept.retentionDays} days
            {kept.oldestDeletion
              ? `; your oldest will be deleted on ${kept.oldestDeletion}`
              : ""}.{" "}
            <Link to="/data" className="underline">
              See your data
            </Link>
          </p>
        </Card>
        <Card title="Your account" titleId="account-heading">
          <p className="text-sm">
            <span data-testid="profile-name">{profile.name}</span> · {profile.email}
          </p>
          <p className="mt-2 text-sm">
            <Link to="/account" className="underline">
              Your account, where you are signed in, and your password
            </Link>
          </p>
        </Card>
      </div>
    </div>
  );
}
