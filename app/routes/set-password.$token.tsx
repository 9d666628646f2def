import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import {
  MIN_PASSWORD_LENGTH,
  SETUP_LINK_EXPIRED_MESSAGE,
  SetPasswordSchema,
} from "#app/domain/user-admin.ts";
import { completePasswordSetup, findValidSetupToken } from "#app/models/password-setup.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { refusalErrors, refusalStatus } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { PasswordField } from "#app/components/ui/password-field.tsx";

export const meta: MetaFunction = () => [
  { title: "Set your password · Lull" },
  // The address holds a one-time secret: keep it out of search engines.
  { name: "robots", content: "noindex" },
];

/** The page a one-time link opens: anyone holding the link may use it, once, within 72 hours. */
export async function loader({ params }: LoaderFunctionArgs) {
  const valid = await findValidSetupToken(params.token ?? "", new Date());
  if (!valid) return data({ person: null }, { status: 410 });
  return { person: { name: valid.user.name, email: valid.user.email } };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema: SetPasswordSchema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: ["password", "confirm"] }), { status: 400 });
  }
  const outcome = await completePasswordSetup(
    params.token ?? "",
    submission.value.password,
    new Date(),
  );
  if (!outcome.ok) {
    // link_expired (410): the page's action data is the bare reply.
    return data(
      submission.reply({
        ...refusalErrors(outcome.refusal),
        hideFields: ["password", "confirm"],
      }),
      { status: refusalStatus(outcome.refusal) },
    );
  }
  return redirectWithToast("/login", {
    kind: "success",
    message: `Your password is set. Sign in as ${outcome.email}.`,
  });
}

export default function SetPasswordPage() {
  const { person } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "set-password",
    lastResult,
    constraint: getZodConstraint(SetPasswordSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SetPasswordSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  if (!person) {
    return (
      <div className="mx-auto max-w-md space-y-3">
        <h1 className="text-3xl font-bold tracking-tight">This link no longer works</h1>
        <p className="text-ink-muted">{SETUP_LINK_EXPIRED_MESSAGE}</p>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-3xl font-bold tracking-tight">Set your password</h1>
      <p className="mt-2 text-ink-muted">
        Welcome to Lull, {person.name}. Choose a password for {person.email}: at least{" "}
        {MIN_PASSWORD_LENGTH} characters, and not one that is common or easy to guess. A phrase of
        four or more unrelated words is strong and easiest to remember.
      </p>
      <Form method="post" className="mt-8 space-y-5" {...getFormProps(form)}>
        {/* Lets password managers save the new password under the right account. */}
        <input type="hidden" name="username" value={person.email} autoComplete="username" />
        <PasswordField
          label="New password"
          meta={fields.password}
          autoComplete="new-password"
          autoFocus
        />
        <PasswordField label="Type it again" meta={fields.confirm} autoComplete="new-password" />
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" className="w-full" disabled={navigation.state === "submitting"}>
          Set password
        </Button>
      </Form>
    </div>
  );
}
