import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { PasswordField } from "#app/components/ui/password-field.tsx";
import { SignInSchema } from "#app/domain/sign-in.ts";

/** Email and password, posted to the page it is on (the sign-in page, or the break-glass page). */
export function PasswordSignInForm({
  lastResult,
  redirectTo,
  autoFocus,
}: {
  lastResult: SubmissionResult<string[]> | undefined;
  redirectTo: string;
  autoFocus: boolean;
}) {
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "sign-in",
    lastResult,
    constraint: getZodConstraint(SignInSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignInSchema }),
  });
  const submitting = navigation.state !== "idle" && navigation.formAction?.startsWith("/login");
  return (
    <Form method="post" className="space-y-5" {...getFormProps(form)}>
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <Field
        label="Work email"
        errors={fields.email.errors}
        inputProps={{
          ...getInputProps(fields.email, { type: "email" }),
          id: fields.email.id,
          autoComplete: "username",
          autoFocus,
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
  );
}
