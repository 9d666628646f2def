import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { safeRedirect } from "#app/domain/safe-redirect.ts";
import { SecondFactorSchema } from "#app/domain/two-factor.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { completeSecondFactor, requireAnonymous } from "#app/web/auth.server.ts";
import { refusalErrors, refusalStatus } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import {
  clearPendingSecondFactor,
  readPendingSecondFactor,
} from "#app/web/second-factor.server.ts";
import { keepRetryAfter } from "#app/web/retry-after-headers.ts";

export const meta: MetaFunction = () => [{ title: "Two-factor sign-in · Lull" }];

/** The throttle's Retry-After reaches the browser. */
export const headers = keepRetryAfter;

/** Only right after a right password: otherwise back to the sign-in page. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  if (!(await readPendingSecondFactor(request, new Date()))) throw redirect("/login");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous(request);
  const submission = parseWithZod(await readForm(request), { schema: SecondFactorSchema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: ["code"] }), { status: 400 });
  }
  const result = await completeSecondFactor({
    request,
    code: submission.value.code,
    ip: context.clientIp,
    userAgent: request.headers.get("user-agent"),
  });
  if (!result.ok) {
    if (result.refusal.code === "expired") {
      throw await redirectWithToast(
        "/login",
        { kind: "error", message: result.refusal.message },
        { headers: { "Set-Cookie": await clearPendingSecondFactor() } },
      );
    }
    return data(submission.reply({ ...refusalErrors(result.refusal), hideFields: ["code"] }), {
      status: refusalStatus(result.refusal),
      headers: result.retryAfterSeconds
        ? { "Retry-After": String(result.retryAfterSeconds) }
        : undefined,
    });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", result.setCookie);
  headers.append("Set-Cookie", await clearPendingSecondFactor());
  const next = safeRedirect(submission.value.redirectTo);
  if (result.recoveryCodesLeft !== null) {
    const left = result.recoveryCodesLeft;
    throw await redirectWithToast(
      next,
      {
        kind: left > 2 ? "success" : "error",
        message: `You signed in with a recovery code. ${left} ${left === 1 ? "code is" : "codes are"} left: make new ones under Two-factor sign-in.`,
      },
      { headers },
    );
  }
  throw redirect(next, { headers });
}

export default function TwoFactorSignInPage() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "second-factor",
    lastResult,
    constraint: getZodConstraint(SecondFactorSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SecondFactorSchema }),
  });
  const submitting = navigation.state !== "idle";
  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-3xl font-bold tracking-tight">Two-factor sign-in</h1>
      <p className="mt-2 text-ink-muted">
        Enter the 6-digit code your authenticator app shows for Lull. Lost the app? Enter one of
        your recovery codes instead.
      </p>
      <Form method="post" className="mt-8 space-y-5" {...getFormProps(form)}>
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <Field
          label="Code"
          errors={fields.code.errors}
          inputProps={{
            ...getInputProps(fields.code, { type: "text" }),
            id: fields.code.id,
            autoComplete: "one-time-code",
            inputMode: "text",
            spellCheck: false,
            autoFocus: true,
          }}
        />
        <div role="alert" aria-live="assertive">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" className="w-full" disabled={submitting}>
          {submitting ? "Checking…" : "Sign in"}
        </Button>
      </Form>
      <p className="mt-6 text-sm text-ink-muted">
        <Link to="/login" className="underline">
          Start again with your email and password
        </Link>
      </p>
    </div>
  );
}
