import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { TrackingStatus } from "#app/components/tracking-status.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { describeTimeZone, formatDateTime, greetingFor } from "#app/domain/local-time.ts";
import { ROLE_LABELS } from "#app/domain/roles.ts";
import { listActiveSessions } from "#app/models/session.server.ts";
import { getTrackingOverview } from "#app/models/tracking.server.ts";
import { getUserProfile } from "#app/models/user.server.ts";
import { requireUser } from "#app/utils/auth.server.ts";
import { describeUserAgent } from "#app/domain/user-agent.ts";

export const meta: MetaFunction = () => [{ title: "Home · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const [profile, sessions, overview] = await Promise.all([
    getUserProfile(user.id),
    listActiveSessions(user.id, now),
    getTrackingOverview(user, now),
  ]);
  if (!profile) throw new Response("Not found", { status: 404 });
  return {
    overview,
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

export default function HomePage() {
  const { greeting, profile, sessions, overview } = useLoaderData<typeof loader>();
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
