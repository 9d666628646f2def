import type {
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from "react";

/** A list of errors with an id, so the field can point at it with aria-describedby. */
export function ErrorList({ id, errors }: { id?: string; errors?: readonly string[] | null }) {
  const shown = errors?.filter(Boolean) ?? [];
  if (shown.length === 0) return null;
  return (
    <ul id={id} className="mt-1 space-y-1 text-sm text-danger">
      {shown.map((error) => (
        <li key={error} className="flex gap-1">
          <span aria-hidden="true">⚠</span>
          {error}
        </li>
      ))}
    </ul>
  );
}

type FieldFrameProps = {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[] | null;
};

/**
 * The label, hint and errors around one control, and the ARIA wiring the
 * control needs (`aria-invalid`, `aria-describedby` naming hint and errors).
 */
function FieldFrame({
  id,
  label,
  hint,
  errors,
  control,
}: FieldFrameProps & {
  control: (aria: {
    "aria-invalid": true | undefined;
    "aria-describedby": string | undefined;
    borderClass: string;
  }) => ReactNode;
}) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = (errors?.length ?? 0) > 0;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-ink">
        {label}
      </label>
      {hint ? (
        <p id={hintId} className="text-sm text-ink-muted">
          {hint}
        </p>
      ) : null}
      {control({
        "aria-invalid": invalid || undefined,
        "aria-describedby": describedBy || undefined,
        borderClass: invalid ? "border-danger" : "border-line",
      })}
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}

/** A labelled input with its hint and errors wired up for assistive technology. */
export function Field({
  inputProps,
  ...frame
}: Omit<FieldFrameProps, "id"> & {
  inputProps: InputHTMLAttributes<HTMLInputElement> & { id: string };
}) {
  return (
    <FieldFrame
      id={inputProps.id}
      {...frame}
      control={({ borderClass, ...aria }) => (
        <input
          {...inputProps}
          {...aria}
          className={`mt-1 block w-full rounded-lg border bg-surface-raised px-3 py-2 text-ink shadow-sm placeholder:text-ink-muted/70 ${borderClass}`}
        />
      )}
    />
  );
}

/** A labelled multi-line text field with its errors, like Field. */
export function TextareaField({
  label,
  errors,
  errorId,
  textareaProps,
  rows = 3,
}: {
  label: ReactNode;
  errors?: readonly string[] | null;
  errorId: string;
  textareaProps: TextareaHTMLAttributes<HTMLTextAreaElement> & { id: string };
  rows?: number;
}) {
  const invalid = (errors?.length ?? 0) > 0;
  return (
    <div>
      <label htmlFor={textareaProps.id} className="block text-sm font-medium">
        {label}
      </label>
      <textarea
        {...textareaProps}
        rows={rows}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
        className="mt-1 block w-full rounded-lg border border-line bg-surface-raised px-3 py-2"
      />
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}

/** A labelled select with its hint and errors, like Field. */
export function SelectField({
  selectProps,
  children,
  ...frame
}: Omit<FieldFrameProps, "id"> & {
  selectProps: SelectHTMLAttributes<HTMLSelectElement> & { id: string };
  children: ReactNode;
}) {
  return (
    <FieldFrame
      id={selectProps.id}
      {...frame}
      control={({ borderClass, ...aria }) => (
        <select
          {...selectProps}
          {...aria}
          className={`mt-1 block w-full rounded-lg border bg-surface-raised px-3 py-2 text-ink ${borderClass}`}
        >
          {children}
        </select>
      )}
    />
  );
}
