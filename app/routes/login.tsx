import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { safeRedirect } from "#app/domain/safe-redirect.ts";
import { SignInSchema } from "#app/domain/sign-in.ts";
import { requireAnonymous, signIn } from "#app/web/auth.server.ts";
import { refusalErrors, refusalStatus } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { keepRetryAfter } from "#app/web/retry-after-headers.ts";
import { PasswordField } from "#app/components/ui/password-field.tsx";

export const meta: MetaFunction = () => [{ title: "Sign in · Lull" }];

/** The throttle's Retry-After reaches the browser. */
export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: SignInSchema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const result = await signIn({
    email: submission.value.email,
    password: submission.value.password,
    ip: context.clientIp,
    userAgent: request.headers.get("user-agent"),
  });
  if (!result.ok) {
    // The login page's action data is the bare reply.
    return data(submission.reply({ ...refusalErrors(result.refusal), hideFields: ["password"] }), {
      status: refusalStatus(result.refusal),
      headers: result.retryAfterSeconds
        ? { "Retry-After": String(result.retryAfterSeconds) }
        : undefined,
    });
  }
  const next = safeRedirect(submission.value.redirectTo);
  if (result.secondFactorPending) {
    const search = next === "/" ? "" : `?${new URLSearchParams({ redirectTo: next })}`;
    throw redirect(`/login/two-factor${search}`, { headers: { "Set-Cookie": result.setCookie } });
  }
  throw redirect(next, { headers: { "Set-Cookie": result.setCookie } });
}

export default function LoginPage() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "sign-in",
    lastResult,
    constraint: getZodConstraint(SignInSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignInSchema }),
  });
  const redirectTo = searchParams.get("redirectTo") ?? "";
  const submitting = navigation.state !== "idle" && navigation.formAction?.startsWith("/login");

  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-3xl font-bold tracking-tight">Sign in to Lull</h1>
      <p className="mt-2 text-ink-muted">
        See what is collected about you, and pause tracking when you need to.
      </p>
      <Form method="post" className="mt-8 space-y-5" {...getFormProps(form)}>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field
          label="Work email"
          errors={fields.email.errors}
          inputProps={{
            ...getInputProps(fields.email, { type: "email" }),
            id: fields.email.id,
            autoComplete: "username",
            autoFocus: true,
          }}
        />
        <PasswordField label="Password" meta={fields.password} autoComplete="current-password" />
        <div role="alert" aria-live="assertive">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" className="w-full" disabled={submitting}>
          {submitting ? "Signing in…" : "Sign in"}
        </Button>
      </Form>
    </div>
  );
}
