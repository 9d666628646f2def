import {
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
} from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { Pagination } from "#app/components/pagination.tsx";
import { ScimTokenNotice } from "#app/components/scim-token-notice.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ConfirmForm } from "#app/components/ui/confirm-form.tsx";
import { ErrorList, Field, SelectField, TextareaField } from "#app/components/ui/field.tsx";
import { DataTable, TimeCell } from "#app/components/ui/table.tsx";
import { ToneBadge } from "#app/components/ui/tone-badge.tsx";
import { AuditLogSearchSchema, searchParamsObject } from "#app/domain/admin-forms.ts";
import { describeAuditAction } from "#app/domain/audit-actions.ts";
import { confirmStep, needsConfirmation } from "#app/domain/confirmation.ts";
import { describeIdentityEvent, describeSsoFailure } from "#app/domain/identity-history.ts";
import {
  IdentityActionSchema,
  PASSWORD_SIGN_IN_CHOICES,
  PASSWORD_SIGN_IN_LABELS,
} from "#app/domain/identity-forms.ts";
import { formatDateTime } from "#app/domain/local-time.ts";
import { ROLES, ROLE_LABELS } from "#app/domain/roles.ts";
import { getIdentitySettings, listGroupRoles } from "#app/models/directory.server.ts";
import {
  getSsoActivity,
  listProvisioningHistory,
  removeGroupRole,
  setGroupRole,
  updateIdentitySettings,
} from "#app/models/identity-settings.server.ts";
import { createScimToken, listScimTokens, revokeScimToken } from "#app/models/scim-token.server.ts";
import { setupLinkBase } from "#app/commands/setup-link.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Identity · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const { page } = AuditLogSearchSchema.parse(searchParamsObject(new URL(request.url)));
  const tz = admin.timezone;
  const oidc = getEnv().oidc;
  const [settings, groups, tokens, activity, history] = await Promise.all([
    getIdentitySettings(),
    listGroupRoles(),
    listScimTokens(),
    getSsoActivity(),
    listProvisioningHistory(page),
  ]);
  const when = (d: Date | null) =>
    d ? { iso: d.toISOString(), text: formatDateTime(d, tz) } : null;
  return {
    sso: oidc
      ? {
          issuer: oidc.issuer,
          clientId: oidc.clientId,
          providerName: oidc.providerName,
          groupsClaim: oidc.groupsClaim,
        }
      : null,
    scimUrl: `${setupLinkBase(request)}/scim/v2`,
    settings,
    groups,
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      created: when(t.createdAt)!,
      lastUsed: when(t.lastUsedAt),
      revoked: when(t.revokedAt),
    })),
    activity: {
      lastSignIn: when(activity.lastSignInAt),
      linked: activity.linked,
      directoryManaged: activity.directoryManaged,
      failures: activity.failures.map((f) => ({
        id: f.id,
        at: when(f.at)!,
        text: describeSsoFailure(f.metadata),
      })),
    },
    page,
    pageCount: history.pageCount,
    total: history.total,
    history: history.events.map((e) => ({
      id: e.id,
      at: when(e.at)!,
      action: describeAuditAction(e.action),
      who: e.subjectUser ? `${e.subjectUser.name} (${e.subjectUser.email})` : "—",
      by: e.actor?.name ?? "Directory",
      detail: describeIdentityEvent(e.action, e.metadata),
    })),
  };
}

const revokeTokenKey = (id: string) => `revoke-scim-token:${id}`;

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: IdentityActionSchema });
  const intent = String(form.get("intent") ?? "");
  if (submission.status !== "success") {
    return data({ intent, result: submission.reply(), token: null }, { status: 400 });
  }
  const value = submission.value;
  const now = new Date();
  const here = "/admin/identity";
  switch (value.intent) {
    case "settings": {
      const outcome = await updateIdentitySettings({
        actorId: admin.id,
        values: value,
        ssoConfigured: getEnv().oidc !== null,
        now,
      });
      if (!outcome.ok) {
        return refusalReply(submission, outcome.refusal, { extra: { intent, token: null } });
      }
      return redirectWithToast(here, {
        kind: "success",
        message:
          outcome.value.changed.length === 0 ? "Nothing changed." : "Sign-in settings saved.",
      });
    }
    case "add-group": {
      const { peopleChanged } = await setGroupRole({
        actorId: admin.id,
        group: value.group,
        role: value.role,
        now,
      });
      return redirectWithToast(here, {
        kind: "success",
        message: `Members of “${value.group}” are now at least ${ROLE_LABELS[value.role]}s. ${peopleChanged} ${peopleChanged === 1 ? "person's role" : "people's roles"} changed.`,
      });
    }
    case "remove-group": {
      const outcome = await removeGroupRole({ actorId: admin.id, key: value.key, now });
      if (!outcome.ok) {
        return refusalReply(submission, outcome.refusal, { extra: { intent, token: null } });
      }
      const { peopleChanged } = outcome.value;
      return redirectWithToast(here, {
        kind: "success",
        message: `Group role removed. ${peopleChanged} ${peopleChanged === 1 ? "person's role" : "people's roles"} changed.`,
      });
    }
    case "create-token": {
      const created = await createScimToken({ actorId: admin.id, name: value.name, now });
      return { intent, result: undefined, token: { name: value.name, value: created.token } };
    }
    case "revoke-token": {
      const key = revokeTokenKey(value.tokenId);
      if (needsConfirmation(form, key)) {
        return data({ ...confirmStep(key), intent, result: undefined, token: null });
      }
      const outcome = await revokeScimToken({ actorId: admin.id, tokenId: value.tokenId, now });
      if (!outcome.ok) {
        return refusalReply(submission, outcome.refusal, { extra: { intent, token: null } });
      }
      return redirectWithToast(here, {
        kind: "success",
        message: "Token revoked: the directory's next request with it is refused.",
      });
    }
  }
}

export default function IdentityPage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const location = useLocation();
  const { page, pageCount, total, history } = loaderData;
  return (
    <div className="space-y-8">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight">Identity</h1>
        <p className="mt-2 text-ink-muted">
          How people sign in and how accounts follow your company's directory: single sign-on,
          provisioning over SCIM, and which directory groups give which role. Every change here is
          recorded in the audit log.
        </p>
      </div>
      {actionData && "token" in actionData && actionData.token ? (
        <ScimTokenNotice name={actionData.token.name} token={actionData.token.value} />
      ) : null}
      <SsoStatus />
      <SignInSettings />
      <GroupRoles />
      <ScimTokens />
      <section aria-labelledby="history-heading" className="space-y-3">
        <h2 id="history-heading" className="text-xl font-semibold">
          Provisioning history
        </h2>
        {history.length === 0 ? (
          <p className="text-ink-muted" data-testid="identity-history-empty">
            Nobody has been provisioned, linked or deprovisioned yet.
          </p>
        ) : (
          <DataTable
            caption={`Provisioning and deprovisioning, newest first (${total})`}
            columns={["When", "What", "Who", "By", "Detail"]}
          >
            {history.map((h) => (
              <tr key={h.id} data-testid="identity-event">
                <TimeCell iso={h.at.iso} text={h.at.text} />
                <td className="px-4 py-2">{h.action}</td>
                <td className="px-4 py-2">{h.who}</td>
                <td className="px-4 py-2">{h.by}</td>
                <td className="px-4 py-2">{h.detail}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pagination
          page={page}
          pageCount={pageCount}
          search={location.search}
          label="Provisioning history pages"
        />
      </section>
    </div>
  );
}

function SsoStatus() {
  const { sso, settings, activity } = useLoaderData<typeof loader>();
  return (
    <Card title="Single sign-on" titleId="sso-heading">
      {sso ? (
        <div className="space-y-4">
          <p>
            <ToneBadge tone="ok">Configured</ToneBadge>{" "}
            <span className="ml-1">
              The sign-in page offers “Sign in with {sso.providerName}”.{" "}
              {settings.passwordSignIn === "BREAK_GLASS_ONLY"
                ? "Password sign-in is off except for the break-glass admins."
                : "Lull passwords still work for everyone."}
            </span>
          </p>
          <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
            <div className="min-w-0">
              <dt className="text-sm text-ink-muted">Issuer</dt>
              <dd className="break-all font-mono text-sm" data-testid="sso-issuer">
                {sso.issuer}
              </dd>
            </div>
            <div className="min-w-0">
              <dt className="text-sm text-ink-muted">Client id</dt>
              <dd className="break-all font-mono text-sm">{sso.clientId}</dd>
            </div>
            <div>
              <dt className="text-sm text-ink-muted">Groups claim</dt>
              <dd>{sso.groupsClaim ?? "None (roles come from SCIM groups only)"}</dd>
            </div>
            <div>
              <dt className="text-sm text-ink-muted">Last single sign-on</dt>
              <dd>
                {activity.lastSignIn ? (
                  <time dateTime={activity.lastSignIn.iso}>{activity.lastSignIn.text}</time>
                ) : (
                  "Nobody yet"
                )}
              </dd>
            </div>
            <div>
              <dt className="text-sm text-ink-muted">Accounts linked to the provider</dt>
              <dd>{activity.linked}</dd>
            </div>
            <div>
              <dt className="text-sm text-ink-muted">Roles managed by your directory</dt>
              <dd>{activity.directoryManaged}</dd>
            </div>
          </dl>
        </div>
      ) : (
        <p data-testid="sso-not-configured">
          <ToneBadge tone="muted">Not configured</ToneBadge>{" "}
          <span className="ml-1">
            People sign in with Lull passwords. To sign them in with your identity provider, set
            OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET on the server (see the README) and
            restart it.
          </span>
        </p>
      )}
      <h3 className="mt-5 font-semibold">Last errors</h3>
      {activity.failures.length === 0 ? (
        <p className="text-sm text-ink-muted" data-testid="sso-no-errors">
          No failed single sign-on attempts.
        </p>
      ) : (
        <ul className="mt-2 space-y-1 text-sm" data-testid="sso-errors">
          {activity.failures.map((f) => (
            <li key={f.id}>
              <time dateTime={f.at.iso} className="text-ink-muted">
                {f.at.text}
              </time>{" "}
              · {f.text}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function useIntentResult(intent: string) {
  const actionData = useActionData<typeof action>();
  return actionData && "intent" in actionData && actionData.intent === intent
    ? actionData.result
    : undefined;
}

function SignInSettings() {
  const { settings, sso } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    id: "sign-in-settings",
    lastResult: useIntentResult("settings"),
    constraint: getZodConstraint(IdentityActionSchema),
    defaultValue: {
      passwordSignIn: settings.passwordSignIn,
      breakGlassEmails: settings.breakGlassEmails.join("\n"),
      justInTimeProvisioning: settings.justInTimeProvisioning ? "on" : undefined,
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: IdentityActionSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Card title="Sign-in settings" titleId="settings-heading">
      <Form method="post" {...getFormProps(form)} className="space-y-5">
        <input type="hidden" name="intent" value="settings" />
        <fieldset aria-describedby={`${fields.passwordSignIn.id}-hint`}>
          <legend className="text-sm font-medium">Password sign-in</legend>
          <p id={`${fields.passwordSignIn.id}-hint`} className="text-sm text-ink-muted">
            {sso
              ? "With single sign-on only, the sign-in page shows no password form and refuses passwords, except for the break-glass admins."
              : "Passwords are the only way in until single sign-on is configured."}
          </p>
          <div className="mt-2 space-y-2">
            {PASSWORD_SIGN_IN_CHOICES.map((choice) => (
              <label key={choice} className="flex items-start gap-2">
                <input
                  type="radio"
                  name={fields.passwordSignIn.name}
                  value={choice}
                  defaultChecked={settings.passwordSignIn === choice}
                  className="mt-1"
                />
                <span>{PASSWORD_SIGN_IN_LABELS[choice]}</span>
              </label>
            ))}
          </div>
          <ErrorList id={fields.passwordSignIn.errorId} errors={fields.passwordSignIn.errors} />
        </fieldset>
        <div>
          <TextareaField
            label="Break-glass admins (one email address per line)"
            errors={fields.breakGlassEmails.errors}
            errorId={fields.breakGlassEmails.errorId}
            textareaProps={{
              ...getTextareaProps(fields.breakGlassEmails),
              id: fields.breakGlassEmails.id,
              autoComplete: "off",
            }}
            rows={3}
          />
          <p className="mt-1 text-sm text-ink-muted">
            Active admins with a Lull password who can still get in when the provider is down or
            misconfigured. Their role is set here in the console, never by the directory, and the
            directory deactivating every other admin still leaves them.
          </p>
        </div>
        <div>
          <label className="flex items-center gap-2 text-sm font-medium">
            <input
              {...getInputProps(fields.justInTimeProvisioning, { type: "checkbox", value: "on" })}
              aria-describedby="jit-hint"
            />
            Create an account at the first single sign-on of someone not yet provisioned
          </label>
          <p id="jit-hint" className="text-sm text-ink-muted">
            Their role comes from their groups (Worker when no group below matches). Off: only
            people your directory provisioned, or an admin added, can sign in.
          </p>
        </div>
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={busy}>
          Save sign-in settings
        </Button>
      </Form>
    </Card>
  );
}

function GroupRoles() {
  const { groups } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    id: "add-group",
    lastResult: useIntentResult("add-group"),
    constraint: getZodConstraint(IdentityActionSchema),
    defaultValue: { role: "REVIEWER" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: IdentityActionSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Card title="Directory groups and roles" titleId="groups-heading">
      <p className="text-sm text-ink-muted">
        A person whose role comes from your directory holds the highest role of any group below they
        are in, and is a Worker when they are in none. Names match without regard to case, against
        SCIM groups and the ID token's groups claim. Their accounts show the role as “managed by
        your directory”.
      </p>
      {groups.length === 0 ? (
        <p className="mt-3" data-testid="no-group-roles">
          No group gives a role yet: everyone managed by the directory is a Worker.
        </p>
      ) : (
        <ul className="mt-3 divide-y divide-line rounded-card border border-line">
          {groups.map((g) => (
            <li
              key={g.key}
              className="flex flex-wrap items-center justify-between gap-3 px-4 py-2"
              data-testid="group-role"
            >
              <span className="min-w-0 break-words">
                <span className="font-medium">{g.group}</span> → {ROLE_LABELS[g.role]}
              </span>
              <Form method="post">
                <input type="hidden" name="intent" value="remove-group" />
                <input type="hidden" name="key" value={g.key} />
                <Button
                  type="submit"
                  variant="secondary"
                  disabled={busy}
                  aria-label={`Remove the role of ${g.group}`}
                >
                  Remove
                </Button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      <Form
        method="post"
        {...getFormProps(form)}
        className="mt-4 grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-end"
      >
        <input type="hidden" name="intent" value="add-group" />
        <Field
          label="Group name"
          errors={fields.group.errors}
          inputProps={{
            ...getInputProps(fields.group, { type: "text" }),
            id: fields.group.id,
            autoComplete: "off",
          }}
        />
        <SelectField
          label="Role"
          errors={fields.role.errors}
          selectProps={{ ...getSelectProps(fields.role), id: fields.role.id }}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </SelectField>
        <Button type="submit" disabled={busy}>
          Give this role
        </Button>
        <div role="alert" className="sm:col-span-3">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
      </Form>
    </Card>
  );
}

function ScimTokens() {
  const { tokens, scimUrl } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    id: "create-token",
    lastResult: useIntentResult("create-token"),
    constraint: getZodConstraint(IdentityActionSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: IdentityActionSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Card title="SCIM provisioning" titleId="scim-heading">
      <p className="text-sm text-ink-muted">
        Give your identity provider this address and a token, and it creates, changes and
        deactivates accounts here as your directory changes. Deactivation ends the person's sessions
        and cuts off their agents at once.
      </p>
      <p
        className="mt-2 break-all rounded-lg border border-line bg-surface-sunken p-3 font-mono text-sm"
        data-testid="scim-url"
      >
        {scimUrl}
      </p>
      {tokens.length === 0 ? (
        <p className="mt-3" data-testid="no-scim-tokens">
          No tokens yet.
        </p>
      ) : (
        <div className="mt-3">
          <DataTable
            caption="SCIM tokens, newest first"
            columns={["Name", "Token", "Created", "Last used", "Status"]}
          >
            {tokens.map((t) => (
              <tr key={t.id} data-testid="scim-token">
                <td className="px-4 py-2">{t.name}</td>
                <td className="px-4 py-2 font-mono">{t.prefix}…</td>
                <TimeCell iso={t.created.iso} text={t.created.text} />
                <TimeCell iso={t.lastUsed?.iso ?? null} text={t.lastUsed?.text ?? "Never"} />
                <td className="px-4 py-2">
                  {t.revoked ? (
                    <span>Revoked {t.revoked.text}</span>
                  ) : (
                    <ConfirmForm
                      confirmKey={revokeTokenKey(t.id)}
                      fields={{ intent: "revoke-token", tokenId: t.id }}
                      title={`Revoke the token “${t.name}”?`}
                      confirmLabel="Revoke"
                      triggerLabel="Revoke"
                      triggerAriaLabel={`Revoke the token ${t.name}`}
                    >
                      <p>
                        Your identity provider's next request with this token is refused, so
                        provisioning stops until you give it a new one. This cannot be undone.
                      </p>
                    </ConfirmForm>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        </div>
      )}
      <Form
        method="post"
        {...getFormProps(form)}
        className="mt-4 grid gap-4 sm:grid-cols-[1fr_auto] sm:items-end"
      >
        <input type="hidden" name="intent" value="create-token" />
        <Field
          label="New token's name"
          hint="What will use it, e.g. “Entra ID provisioning”."
          errors={fields.name.errors}
          inputProps={{
            ...getInputProps(fields.name, { type: "text" }),
            id: fields.name.id,
            autoComplete: "off",
          }}
        />
        <Button type="submit" disabled={busy}>
          Create token
        </Button>
        <div role="alert" className="sm:col-span-2">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
      </Form>
    </Card>
  );
}
