import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form, useNavigation } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field, TextareaField } from "#app/components/ui/field.tsx";
import { NewPurposeSchema, PurposeFormSchema } from "#app/domain/purposes.ts";

type Defaults = {
  name: string;
  description: string;
  legalBasis: string;
  retentionDays: number;
  prohibited: boolean;
  retired: boolean;
};

/** The privacy office's form for a new purpose, or a new version of one (`defaults` given). */
export function PurposeForm({
  id,
  lastResult,
  defaults,
  submitLabel,
}: {
  id: string;
  lastResult: SubmissionResult<string[]> | null | undefined;
  defaults: Defaults | null;
  submitLabel: string;
}) {
  const schema = defaults ? PurposeFormSchema : NewPurposeSchema;
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id,
    lastResult,
    constraint: getZodConstraint(schema),
    defaultValue: defaults
      ? {
          ...defaults,
          retentionDays: String(defaults.retentionDays),
          prohibited: defaults.prohibited ? "on" : undefined,
          retired: defaults.retired ? "on" : undefined,
        }
      : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const keyField = (fields as Record<string, (typeof fields)["name"]>).key;
  return (
    <Form method="post" {...getFormProps(form)} className="space-y-4">
      {keyField ? (
        <Field
          label="Key"
          hint="A short stable name, e.g. quality-assurance. It never changes."
          errors={keyField.errors}
          inputProps={{ ...getInputProps(keyField, { type: "text" }), id: keyField.id }}
        />
      ) : null}
      <Field
        label="Name"
        errors={fields.name.errors}
        inputProps={{ ...getInputProps(fields.name, { type: "text" }), id: fields.name.id }}
      />
      <TextareaField
        label="What the data is used for"
        errors={fields.description.errors}
        errorId={fields.description.errorId}
        textareaProps={{ ...getTextareaProps(fields.description), id: fields.description.id }}
      />
      <Field
        label="Legal basis"
        errors={fields.legalBasis.errors}
        inputProps={{
          ...getInputProps(fields.legalBasis, { type: "text" }),
          id: fields.legalBasis.id,
        }}
      />
      <Field
        label="Retention (days)"
        errors={fields.retentionDays.errors}
        inputProps={{
          ...getInputProps(fields.retentionDays, { type: "number" }),
          id: fields.retentionDays.id,
          inputMode: "numeric",
        }}
      />
      <label className="flex items-center gap-2 text-sm font-medium">
        <input {...getInputProps(fields.prohibited, { type: "checkbox", value: "on" })} />
        Prohibited by the policy: listed so workers know, never nameable for an access
      </label>
      {defaults ? (
        <label className="flex items-center gap-2 text-sm font-medium">
          <input {...getInputProps(fields.retired, { type: "checkbox", value: "on" })} />
          Retired: no longer offered
        </label>
      ) : null}
      <div role="alert">
        <ErrorList id={form.errorId} errors={form.errors} />
      </div>
      <Button type="submit" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </Button>
    </Form>
  );
}
