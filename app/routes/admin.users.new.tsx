import { getFormProps, getInputProps, useForm } from "@conform-to/react";
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
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import { CreateUserSchema, timeZoneNames } from "#app/domain/user-admin.ts";
import { createUserAccount } from "#app/models/user-account.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { setupLinkBase } from "#app/commands/setup-link.server.ts";
import { refusalReply } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";

export const meta: MetaFunction = () => [{ title: "Add a person · Admin · Lull" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  return { timeZones: timeZoneNames(), defaultTimeZone: admin.timezone };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, ["ADMIN"]);
  const submission = parseWithZod(await readForm(request), { schema: CreateUserSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), created: null }, { status: 400 });
  }
  const now = new Date();
  const outcome = await createUserAccount({
    actorId: admin.id,
    input: submission.value,
    linkBase: setupLinkBase(request),
    now,
  });
  if (!outcome.ok) return refusalReply(submission, outcome.refusal, { extra: { created: null } });
  const { name, email } = submission.value;
  const { userId, link, url } = outcome.value;
  return {
    result: submission.reply({ resetForm: true }),
    created: {
      id: userId,
      name,
      email,
      url,
      expires: formatDateTime(link.expiresAt, admin.timezone),
    },
  };
}

export default function NewUserPage() {
  const { timeZones, defaultTimeZone } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "new-user",
    lastResult: actionData?.result,
    constraint: getZodConstraint(CreateUserSchema),
    defaultValue: { role: "WORKER", timezone: defaultTimeZone },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: CreateUserSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const created = actionData?.created;
  return (
    <div className="max-w-2xl space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Add a person</h1>
        <p className="mt-2 text-ink-muted">
          The account starts without a password. The person gets a one-time link, valid for 72
          hours, to choose one. Creating an account is recorded in the audit log.
        </p>
      </div>
      {created ? (
        <>
          <SetupLinkNotice
            heading={`Account created for ${created.name}`}
            name={created.name}
            email={created.email}
            url={created.url}
            expires={created.expires}
          />
          <p>
            <Link to={`/admin/users/${created.id}`} className="underline underline-offset-2">
              Open {created.name}'s account
            </Link>
          </p>
        </>
      ) : null}
      <Form
        method="post"
        {...getFormProps(form)}
        className="space-y-5 rounded-card border border-line bg-surface-raised p-6"
      >
        <Field
          label="Name"
          errors={fields.name.errors}
          inputProps={{
            ...getInputProps(fields.name, { type: "text" }),
            id: fields.name.id,
            autoComplete: "off",
          }}
        />
        <Field
          label="Work email"
          errors={fields.email.errors}
          inputProps={{
            ...getInputProps(fields.email, { type: "email" }),
            id: fields.email.id,
            autoComplete: "off",
          }}
        />
        <AccountFields fields={fields} timeZones={timeZones} />
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={navigation.state === "submitting"}>
          Create account and send link
        </Button>
      </Form>
    </div>
  );
}
