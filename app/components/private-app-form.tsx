import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { AddPrivateAppSchema } from "#app/domain/private-app-rules.ts";

/**
 * Adding an application to a private list (ADR 0041), the worker's or the
 * organisation's: one text field, with the applications already seen offered
 * in a `<datalist>`; errors from the schema (or the server's refusal) on the
 * field. A plain form: it works without JavaScript.
 */
export function AddPrivateAppForm({
  seenApps,
  lastResult,
  maxPerList,
  title = "Make an application private",
}: {
  seenApps: readonly string[];
  lastResult: SubmissionResult<string[]> | null | undefined;
  maxPerList: number;
  title?: string;
}) {
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "add-private-app",
    lastResult,
    constraint: getZodConstraint(AddPrivateAppSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: AddPrivateAppSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "add";
  return (
    <Card title={title} titleId="add-heading">
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <input type="hidden" name="intent" value="add" />
        <Field
          label="Application name or pattern"
          hint={`An exact name ("1Password") matches that application only, in any case. A * stands for anything: "*bank*" covers "My Bank Online", "Health*" covers "HealthPortal". Up to ${maxPerList} entries.`}
          errors={fields.app.errors}
          inputProps={{
            ...getInputProps(fields.app, { type: "text" }),
            id: fields.app.id,
            list: seenApps.length > 0 ? "seen-apps" : undefined,
            autoComplete: "off",
          }}
        />
        {seenApps.length > 0 ? (
          <datalist id="seen-apps" data-testid="seen-apps">
            {seenApps.map((app) => (
              <option key={app} value={app} />
            ))}
          </datalist>
        ) : null}
        <div role="alert">
          <ErrorList id={form.errorId} errors={form.errors} />
        </div>
        <Button type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add to the list"}
        </Button>
      </Form>
    </Card>
  );
}

/**
 * What a private-application action answered, for the page that shows it: the add form's
 * result, or a change's refusal in words (`handlePrivateAppAction`; /privacy and /admin/privacy).
 */
export function privateAppActionResults(actionData: unknown): {
  addResult: SubmissionResult<string[]> | null;
  changeError: string | null;
} {
  const answer = (actionData ?? {}) as {
    intent?: string;
    result?: SubmissionResult<string[]>;
    message?: string;
  };
  return {
    addResult: answer.intent === "add" ? (answer.result ?? null) : null,
    changeError: answer.intent === "change" ? (answer.message ?? null) : null,
  };
}
