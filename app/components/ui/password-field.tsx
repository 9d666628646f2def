import { getInputProps, type FieldMetadata } from "@conform-to/react";
import { Field } from "./field.tsx";

/** A Conform password field: the label, its errors, and what password managers need to know. */
export function PasswordField({
  label,
  meta,
  autoComplete,
  autoFocus,
}: {
  label: string;
  meta: FieldMetadata<string>;
  autoComplete: "current-password" | "new-password";
  autoFocus?: boolean;
}) {
  return (
    <Field
      label={label}
      errors={meta.errors}
      inputProps={{
        ...getInputProps(meta, { type: "password" }),
        id: meta.id,
        autoComplete,
        autoFocus,
      }}
    />
  );
}
