import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form, useNavigation } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { Button } from "#app/components/ui/button.tsx";
import { ErrorList, Field } from "#app/components/ui/field.tsx";
import { DocumentDraftSchema } from "#app/domain/acknowledgement-rules.ts";

const areaClass =
  "mt-1 block w-full rounded-lg border border-line bg-surface-raised px-3 py-2 font-mono text-sm";

/** The draft form, for a new document/version and for editing a draft. */
export function DocumentEditor({
  defaults,
  lastResult,
  slugLocked,
  submitLabel,
}: {
  defaults: {
    slug: string;
    title: string;
    body: string;
    summaryOfChanges: string;
    requiresAcknowledgement: boolean;
  };
  lastResult?: SubmissionResult<string[]> | null;
  slugLocked: boolean;
  submitLabel: string;
}) {
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "document-draft",
    lastResult,
    constraint: getZodConstraint(DocumentDraftSchema),
    defaultValue: {
      ...defaults,
      requiresAcknowledgement: defaults.requiresAcknowledgement ? "on" : undefined,
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: DocumentDraftSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      className="space-y-5 rounded-card border border-line bg-surface-raised p-6"
    >
      <input type="hidden" name="intent" value="save" />
      <Field
        label="Short name"
        hint="Stays the same across versions, e.g. monitoring-notice (the notice agents wait for)."
        errors={fields.slug.errors}
        inputProps={{
          ...getInputProps(fields.slug, { type: "text" }),
          id: fields.slug.id,
          readOnly: slugLocked,
        }}
      />
      <Field
        label="Title"
        errors={fields.title.errors}
        inputProps={{ ...getInputProps(fields.title, { type: "text" }), id: fields.title.id }}
      />
      <div>
        <label htmlFor={fields.body.id} className="block text-sm font-medium">
          Text (Markdown)
        </label>
        <textarea
          {...getTextareaProps(fields.body)}
          rows={18}
          className={areaClass}
          aria-describedby={fields.body.errors ? fields.body.errorId : undefined}
        />
        <ErrorList id={fields.body.errorId} errors={fields.body.errors} />
      </div>
      <div>
        <label htmlFor={fields.summaryOfChanges.id} className="block text-sm font-medium">
          Summary of changes (shown to workers who signed an earlier version)
        </label>
        <textarea {...getTextareaProps(fields.summaryOfChanges)} rows={3} className={areaClass} />
        <ErrorList id={fields.summaryOfChanges.errorId} errors={fields.summaryOfChanges.errors} />
      </div>
      <label className="flex items-center gap-2">
        <input
          {...getInputProps(fields.requiresAcknowledgement, { type: "checkbox", value: "on" })}
        />
        Every worker must acknowledge it
      </label>
      <div role="alert">
        <ErrorList id={form.errorId} errors={form.errors} />
      </div>
      <Button type="submit" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </Button>
    </Form>
  );
}
