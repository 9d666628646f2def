import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Button } from "#app/components/ui/button.tsx";
import { listNotifications, markNotificationsRead } from "#app/models/notification.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { TrackingStatus } from "#app/components/tracking-status.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { describeTimeZone, formatDateTime, greetingFor } from "#app/domain/local-time.ts";
import { ROLE_LABELS } from "#app/domain/roles.ts";
import {
  endOwnSessions,
  listActiveSessions,
  SESSION_KEY_LENGTH,
} from "#app/models/session.server.ts";
import { getTrackingOverview } from "#app/models/tracking.server.ts";
import { getUserProfile } from "#app/models/user.server.ts";
import { currentSessionId, requireUser } from "#app/web/auth.server.ts";
import { redirectWithRefusal } from "#app/web/refusal-response.server.ts";
import { describeUserAgent } from "#app/domain/user-agent.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Home · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const current = await currentSessionId(request);
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
      key: s.id.slice(0, SESSION_KEY_LENGTH),
      current: s.id === current,
      device: describeUserAgent(s.userAgent),
      ip: s.ip,
      startedAt: formatDateTime(s.createdAt, profile.timezone),
      expiresAt: formatDateTime(s.expiresAt, profile.timezone),
    })),
  };
}

const HomeActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("mark-read") }),
  z.object({
    intent: z.literal("end-session"),
    session: z.string().regex(new RegExp(`^[0-9a-f]{${SESSION_KEY_LENGTH}}$`)),
  }),
  z.object({ intent: z.literal("end-other-sessions") }),
]);

/** "Mark all as read" for the notifications card; ending one's own other sessions. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = HomeActionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) throw new Response("Unknown action", { status: 400 });
  const now = new Date();
  const form = parsed.data;
  if (form.intent === "mark-read") {
    await markNotificationsRead(user.id, now);
    return redirectWithToast("/", { kind: "success", message: "Notifications marked as read." });
  }
  const current = await currentSessionId(request);
  if (!current) throw new Response("Not signed in", { status: 401 });
  const outcome = await endOwnSessions({
    userId: user.id,
    currentSessionId: current,
    which: form.intent === "end-session" ? { key: form.session } : "others",
    now,
  });
  if (!outcome.ok) return redirectWithRefusal("/", outcome.refusal);
  const { ended } = outcome.value;
  return redirectWithToast("/", {
    kind: "success",
    message:
      form.intent === "end-session"
        ? "That session is signed out."
        : ended === 0
          ? "You were not signed in anywhere else."
          : `Signed out everywhere else (${ended} ${ended === 1 ? "session" : "sessions"}).`,
  });
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
          <p className="mt-3 text-sm">
            <Link to="/account/password" className="underline">
              Change your password
            </Link>
          </p>
        </Card>

        <Card title="Where you are signed in" titleId="sessions-heading">
          <p className="mb-3 text-sm text-ink-muted">
            Sessions end after 12 hours without use, and after 7 days at most.
          </p>
          <ul className="divide-y divide-line text-sm" data-testid="sessions">
            {sessions.map((s) => (
              <li key={s.key} className="flex flex-wrap items-start justify-between gap-2 py-2">
                <div>
                  <p className="font-medium">
                    {s.device}
                    {s.current ? <span className="ml-2 text-ink-muted">(this session)</span> : null}
                  </p>
                  <p className="text-ink-muted">
                    Signed in {s.startedAt}
                    {s.ip ? ` from ${s.ip}` : ""}; ends by {s.expiresAt}
                  </p>
                </div>
                {s.current ? null : (
                  <Form method="post">
                    <input type="hidden" name="session" value={s.key} />
                    <Button
                      type="submit"
                      name="intent"
                      value="end-session"
                      variant="secondary"
                      aria-label={`Sign out the session on ${s.device} from ${s.startedAt}`}
                    >
                      Sign out
                    </Button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
          {sessions.some((s) => !s.current) ? (
            <Form method="post" className="mt-3">
              <Button type="submit" name="intent" value="end-other-sessions" variant="secondary">
                Sign out everywhere else
              </Button>
            </Form>
          ) : null}
        </Card>
      </div>
    </div>
  );
}
