import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AccountFields } from "#app/components/account-fields.tsx";
import { SetupLinkNotice } from "#app/components/setup-link-notice.tsx";
import { BackLink } from "#app/components/back-link.tsx";
import { Button, buttonClasses } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { ROLE_LABELS } from "#app/domain/roles.ts";
import { UserActionSchema, timeZoneNames } from "#app/domain/user-admin.ts";
import type { Refusal } from "#app/domain/refusal.ts";
import { getUserForAdmin, updateUserAccount } from "#app/models/user-account.server.ts";
import { checkUserActive, setUserActive } from "#app/models/user-activation.server.ts";
import { confirmStep, needsConfirmation } from "#app/domain/confirmation.ts";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { issueSetupLink } from "#app/models/user-setup-link.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { setupLinkBase } from "#app/commands/setup-link.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalData, refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.person.name ?? "Person"} · Users · Admin · Lull` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const now = new Date();
  const person = await getUserForAdmin(params.userId ?? "", now);
  if (!person) notFound();
  const tz = admin.timezone;
  return {
    isSelf: person.id === admin.id,
    timeZones: timeZoneNames(),
    person: {
      id: person.id,
      name: person.name,
      email: person.email,
      role: person.role,
      roleLabel: ROLE_LABELS[person.role],
      timezone: person.timezone,
      managerEmail: person.manager?.email ?? "",
      managerName: person.manager?.name ?? null,
      reports: person._count.reports,
      active: person.deactivatedAt === null,
      deactivatedAt: person.deactivatedAt ? formatDateTime(person.deactivatedAt, tz) : null,
      created: formatDateTime(person.createdAt, tz),
      hasPassword: person.password !== null,
      pendingLinkExpires: person.pendingLinkExpiresAt
        ? formatDateTime(person.pendingLinkExpiresAt, tz)
        : null,
      activeDevices: person.activeDevices,
      activeSessions: person.activeSessions,
      directoryRole: person.roleSource === "DIRECTORY",
      externalId: person.externalId,
      deprovisioned: person.deprovisionedAt ? formatDateTime(person.deprovisionedAt, tz) : null,
      singleSignOn: person.connections[0]
        ? { lastSignIn: formatDateTime(person.connections[0].lastSignInAt, tz) }
        : null,
    },
  };
}

const deactivateUserKey = (userId: string) => `deactivate-user:${userId}`;

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const userId = params.userId ?? "";
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: UserActionSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), error: null, link: null }, { status: 400 });
  }
  const now = new Date();
  const here = `/admin/users/${userId}`;
  const value = submission.value;
  // A refused edit shows on its fields; a refused status change or link, above the page.
  const fail = ({ refusal }: { refusal: Refusal }) =>
    value.intent === "update"
      ? refusalReply(submission, refusal, { extra: { error: null, link: null } })
      : refusalData(refusal, { result: undefined, error: refusal.message, link: null });
  switch (value.intent) {
    case "update": {
      const outcome = await updateUserAccount({ actorId: admin.id, userId, values: value, now });
      if (!outcome.ok) return fail(outcome);
      return redirectWithToast(here, {
        kind: "success",
        message: outcome.value.changed.length === 0 ? "Nothing changed." : "Account saved.",
      });
    }
    case "deactivate":
    case "reactivate": {
      if (value.intent === "deactivate") {
        // A refusal (no such account, the last admin) comes before the question.
        const check = await checkUserActive({ actorId: admin.id, userId, active: false });
        if (!check.ok) return fail(check);
        const key = deactivateUserKey(userId);
        if (needsConfirmation(form, key)) {
          return data({ ...confirmStep(key), result: undefined, error: null, link: null });
        }
      }
      const outcome = await setUserActive({
        actorId: admin.id,
        userId,
        active: value.intent === "reactivate",
        now,
      });
      if (!outcome.ok) return fail(outcome);
      const { revokedDevices } = outcome.value;
      return redirectWithToast(here, {
        kind: "success",
        message:
          value.intent === "deactivate"
            ? `Account deactivated: its sessions have ended and ${revokedDevices} ${revokedDevices === 1 ? "device was" : "devices were"} revoked.`
            : "Account reactivated. The person can sign in again and enroll their devices afresh.",
      });
    }
    case "issue-link": {
      const outcome = await issueSetupLink({
        actorId: admin.id,
        userId,
        linkBase: setupLinkBase(request),
        now,
      });
      if (!outcome.ok) return fail(outcome);
      const issued = outcome.value;
      const url = issued.url;
      if (issued.isReset) {
        return redirectWithToast(here, {
          kind: "success",
          message: `A password reset link was mailed to ${issued.email}. It is not shown here: only they may use it.`,
        });
      }
      return {
        result: undefined,
        error: null,
        link: {
          name: issued.name,
          email: issued.email,
          url,
          expires: formatDateTime(issued.link.expiresAt, admin.timezone),
        },
      };
    }
  }
}

export default function UserPage() {
  const { person, isSelf, timeZones } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const [form, fields] = useForm({
    id: "edit-user",
    lastResult: actionData?.result,
    constraint: getZodConstraint(UserActionSchema),
    defaultValue: {
      role: person.role,
      managerEmail: person.managerEmail,
      timezone: person.timezone,
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: UserActionSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <BackLink to="/admin/users">Users</BackLink>
        <h1 className="text-3xl font-bold tracking-tight">
          {person.name}
          {isSelf ? <span className="text-ink-muted"> (you)</span> : null}
        </h1>
        <p className="mt-1 text-ink-muted">
          {person.email} · {person.roleLabel} ·{" "}
          {person.active ? "Active" : `Deactivated ${person.deactivatedAt}`}
        </p>
      </div>

      {actionData?.error ? (
        <p
          role="alert"
          className="rounded-card border border-danger bg-danger-surface p-4"
          data-testid="account-error"
        >
          {actionData.error}
        </p>
      ) : null}

      {actionData?.link ? (
        <SetupLinkNotice heading="New set-password link" {...actionData.link} />
      ) : null}

      <Card title="Account" titleId="account-heading">
        <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
          <div>
            <dt className="text-sm text-ink-muted">Created</dt>
            <dd>{person.created}</dd>
          </div>
          <div>
            <dt className="text-sm text-ink-muted">Password</dt>
            <dd data-testid="password-state">
              {person.hasPassword
                ? "Set"
                : person.pendingLinkExpires
                  ? `Not set yet; link valid until ${person.pendingLinkExpires}`
                  : "Not set, and no valid link"}
            </dd>
          </div>
          <div>
            <dt className="text-sm text-ink-muted">Single sign-on</dt>
            <dd data-testid="sso-state">
              {person.singleSignOn
                ? `Linked; last signed in ${person.singleSignOn.lastSignIn}`
                : "Not linked yet"}
            </dd>
          </div>
          {person.directoryRole || person.externalId ? (
            <div>
              <dt className="text-sm text-ink-muted">Directory</dt>
              <dd data-testid="directory-state">
                {person.deprovisioned
                  ? `Removed by the directory ${person.deprovisioned}`
                  : person.externalId
                    ? "Provisioned by your directory"
                    : "Role managed by your directory"}
              </dd>
            </div>
          ) : null}
          <div>
            <dt className="text-sm text-ink-muted">Signed in on</dt>
            <dd>
              {person.activeSessions} {person.activeSessions === 1 ? "session" : "sessions"}
            </dd>
          </div>
          <div>
            <dt className="text-sm text-ink-muted">Enrolled devices</dt>
            <dd>{person.activeDevices}</dd>
          </div>
          <div>
            <dt className="text-sm text-ink-muted">Manages</dt>
            <dd>
              {person.reports} {person.reports === 1 ? "person" : "people"}
            </dd>
          </div>
        </dl>
      </Card>

      <Card title="Role, manager and time zone" titleId="edit-heading">
        <Form method="post" {...getFormProps(form)} className="space-y-5">
          <input type="hidden" name="intent" value="update" />
          <AccountFields
            fields={fields}
            timeZones={timeZones}
            directoryRole={person.directoryRole ? person.role : undefined}
          />
          <div role="alert">
            <ErrorList id={form.errorId} errors={form.errors} />
          </div>
          <Button type="submit" disabled={busy}>
            Save changes
          </Button>
        </Form>
      </Card>

      <Card title="Access" titleId="access-heading">
        <div className="space-y-4">
          {person.active ? (
            <>
              <Form method="post" className="flex flex-wrap items-center gap-3">
                <p className="flex-1 text-sm text-ink-muted">
                  {person.hasPassword
                    ? "A reset link is mailed to the person only (never shown here), so they can choose a new password. Older links stop working."
                    : "A new link lets the person set their password; it is mailed, and shown here once. Older links stop working."}
                </p>
                <button
                  type="submit"
                  name="intent"
                  value="issue-link"
                  className={buttonClasses("secondary")}
                  disabled={busy}
                >
                  {person.hasPassword
                    ? "Mail a password reset link"
                    : "Send a new set-password link"}
                </button>
              </Form>
              <div className="flex flex-wrap items-center gap-3">
                <p className="flex-1 text-sm text-ink-muted">
                  Deactivating ends every session at once and revokes all {person.activeDevices} of
                  their devices, so their agents stop at their next request.
                </p>
                <ConfirmForm
                  confirmKey={deactivateUserKey(person.id)}
                  fields={{ intent: "deactivate" }}
                  title={`Deactivate ${isSelf ? "your own account" : person.name}?`}
                  confirmLabel="Deactivate"
                  triggerLabel={`Deactivate ${isSelf ? "my account" : person.name}`}
                >
                  <p>
                    {isSelf ? "You are" : `${person.name} is`} signed out everywhere at once, and{" "}
                    {person.activeDevices === 1
                      ? `${isSelf ? "your" : "their"} 1 device is`
                      : `all ${person.activeDevices} of ${isSelf ? "your" : "their"} devices are`}{" "}
                    revoked for good: reactivating the account later does not bring them back.
                  </p>
                </ConfirmForm>
              </div>
            </>
          ) : (
            <Form method="post" className="flex flex-wrap items-center gap-3">
              <p className="flex-1 text-sm text-ink-muted">
                The person can sign in again. Their old devices stay revoked.
              </p>
              <button
                type="submit"
                name="intent"
                value="reactivate"
                className={buttonClasses("primary")}
                disabled={busy}
              >
                Reactivate {person.name}
              </button>
            </Form>
          )}
        </div>
      </Card>

      {!isSelf && person.active ? (
        <Card title="Exceptional access" titleId="exceptional-heading">
          <p className="text-sm text-ink-muted">
            This console shows totals only. If you must look at {person.name}'s own data, you will
            be asked for the reason first; the access and the reason are recorded and shown to{" "}
            {person.name} in their access log.
          </p>
          <Link
            to={`/admin/users/${person.id}/data`}
            className={buttonClasses("secondary", "mt-3")}
          >
            Open {person.name}'s data…
          </Link>
        </Card>
      ) : null}
    </div>
  );
}
