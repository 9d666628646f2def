import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList } from "#app/components/ui/field.tsx";
import { tooManyAttemptsMessage } from "#app/domain/login-throttle.ts";
import { ChangePasswordSchema, MIN_PASSWORD_LENGTH } from "#app/domain/user-admin.ts";
import { changeOwnPassword } from "#app/models/own-password.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { currentSessionId, requireUser } from "#app/web/auth.server.ts";
import { refusalErrors, refusalStatus } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { reserveSignInAttempt } from "#app/web/sign-in-throttle.server.ts";
import { keepRetryAfter } from "#app/web/retry-after-headers.ts";
import { PasswordField } from "#app/components/ui/password-field.tsx";

export const meta: MetaFunction = () => [{ title: "Change your password · Lull" }];

/** The throttle's Retry-After reaches the browser. */
export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { email: user.email };
}

const HIDDEN = ["current", "password", "confirm"];

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await readForm(request), { schema: ChangePasswordSchema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: HIDDEN }), { status: 400 });
  }
  // Guessing the current password through this form counts like guessing it at sign-in.
  const attempt = await reserveSignInAttempt(user.email, context.clientIp);
  if (!attempt.allowed) {
    return data(
      submission.reply({
        fieldErrors: { current: [tooManyAttemptsMessage(attempt.retryAfterSeconds)] },
        hideFields: HIDDEN,
      }),
      { status: 429, headers: { "Retry-After": String(attempt.retryAfterSeconds) } },
    );
  }
  const sessionId = await currentSessionId(request);
  if (!sessionId) throw new Response("Not signed in", { status: 401 });
  const outcome = await changeOwnPassword({
    userId: user.id,
    currentSessionId: sessionId,
    current: submission.value.current,
    next: submission.value.password,
    now: new Date(),
  });
  if (!outcome.ok) {
    return data(submission.reply({ ...refusalErrors(outcome.refusal), hideFields: HIDDEN }), {
      status: refusalStatus(outcome.refusal),
    });
  }
  const ended = outcome.value.endedSessions;
  return redirectWithToast("/", {
    kind: "success",
    message:
      ended === 0
        ? "Your password is changed."
        : `Your password is changed, and ${ended} other ${ended === 1 ? "session was" : "sessions were"} signed out.`,
  });
}

export default function ChangePasswordPage() {
  const { email } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "change-password",
    lastResult,
    constraint: getZodConstraint(ChangePasswordSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangePasswordSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-3xl font-bold tracking-tight">Change your password</h1>
      <p className="mt-2 text-ink-muted">
        At least {MIN_PASSWORD_LENGTH} characters, and not one that is common or easy to guess: a
        phrase of four or more unrelated words works well. Every other place you are signed in will
        be signed out.
      </p>
      <Form method="post" className="mt-8 space-y-5" {...getFormProps(form)}>
        <input type="hidden" name="username" value={email} autoComplete="username" />
        <PasswordField
          label="Current password"
          meta={fields.current}
          autoComplete="current-password"
          autoFocus
        />
        <PasswordField label="New password" meta={fields.password} autoComplete="new-password" />
        <PasswordField
          label="Type the new password again"
          meta={fields.confirm}
          autoComplete="new-password"
        />
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <div className="flex flex-wrap items-center gap-4">
          <Button type="submit" disabled={navigation.state === "submitting"}>
            Change password
          </Button>
          <Link to="/" className="text-sm underline">
            Cancel
          </Link>
        </div>
      </Form>
    </div>
  );
}
