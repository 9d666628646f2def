import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { describeTimeZone, formatDateTime } from "#app/domain/local-time.ts";
import { ROLE_LABELS, hasRole } from "#app/domain/roles.ts";
import { TWO_FACTOR_ROLES } from "#app/domain/two-factor.ts";
import { describeUserAgent } from "#app/domain/user-agent.ts";
import {
  endOwnSessions,
  listActiveSessions,
  SESSION_KEY_LENGTH,
} from "#app/models/session.server.ts";
import { hasTwoFactor } from "#app/models/two-factor.server.ts";
import { getUserProfile } from "#app/models/user.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { currentSessionId, requireUser } from "#app/web/auth.server.ts";
import { redirectWithRefusal } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Your account · Lull" }];

/** Who the person is to Lull, where they are signed in, and their sign-in's security. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const current = await currentSessionId(request);
  const [profile, sessions, twoFactor] = await Promise.all([
    getUserProfile(user.id),
    listActiveSessions(user.id, now),
    hasTwoFactor(user.id),
  ]);
  if (!profile) throw new Response("Not found", { status: 404 });
  return {
    profile: {
      name: profile.name,
      email: profile.email,
      role: ROLE_LABELS[profile.role],
      timeZone: describeTimeZone(profile.timezone, now),
      manager: profile.manager?.name ?? null,
    },
    security: {
      canUseTwoFactor: hasRole(user.role, TWO_FACTOR_ROLES),
      twoFactor,
    },
    sessions: sessions
      .map((s) => ({
        key: s.id.slice(0, SESSION_KEY_LENGTH),
        current: s.id === current,
        device: describeUserAgent(s.userAgent),
        ip: s.ip,
        startedAt: formatDateTime(s.createdAt, profile.timezone),
        expiresAt: formatDateTime(s.expiresAt, profile.timezone),
      }))
      // This browser first.
      .sort((a, b) => Number(b.current) - Number(a.current)),
  };
}

const AccountActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("end-session"),
    session: z.string().regex(new RegExp(`^[0-9a-f]{${SESSION_KEY_LENGTH}}$`)),
  }),
  z.object({ intent: z.literal("end-other-sessions") }),
]);

/** Ending one of one's own other sessions, or all of them but this one. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = AccountActionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) throw new Response("Unknown action", { status: 400 });
  const now = new Date();
  const form = parsed.data;
  const current = await currentSessionId(request);
  if (!current) throw new Response("Not signed in", { status: 401 });
  const outcome = await endOwnSessions({
    userId: user.id,
    currentSessionId: current,
    which: form.intent === "end-session" ? { key: form.session } : "others",
    now,
  });
  if (!outcome.ok) return redirectWithRefusal("/account", outcome.refusal);
  const { ended } = outcome.value;
  return redirectWithToast("/account", {
    kind: "success",
    message:
      form.intent === "end-session"
        ? "That session is signed out."
        : ended === 0
          ? "You were not signed in anywhere else."
          : `Signed out everywhere else (${ended} ${ended === 1 ? "session" : "sessions"}).`,
  });
}

export default function AccountPage() {
  const { profile, sessions, security } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <h1 className="text-3xl font-bold tracking-tight">Your account</h1>
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
          <ul className="divide-y divide-line text-sm" data-testid="sessions">
            {sessions.map((s) => (
              <li key={s.key} className="flex flex-wrap items-start justify-between gap-2 py-2">
                <div>
                  <p className="font-medium">
                    {s.device}
                    {s.current ? (
                      <span className="ml-2 text-ink-muted">(this browser, this session)</span>
                    ) : null}
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
        <Card title="Signing in" titleId="security-heading">
          <ul className="space-y-2 text-sm">
            <li>
              <Link to="/account/password" className="underline">
                Change your password
              </Link>{" "}
              (every other session is signed out).
            </li>
            {security.canUseTwoFactor ? (
              <li data-testid="two-factor-summary">
                <Link to="/account/two-factor" className="underline">
                  Two-factor sign-in
                </Link>
                : {security.twoFactor ? "on" : "off"}.
              </li>
            ) : null}
          </ul>
        </Card>
      </div>
    </div>
  );
}
