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

/** A labelled input with its hint and errors wired up for assistive technology. */
export function Field({
  label,
  hint,
  errors,
  inputProps,
}: {
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[] | null;
  inputProps: InputHTMLAttributes<HTMLInputElement> & { id: string };
}) {
  const errorId = `${inputProps.id}-error`;
  const hintId = `${inputProps.id}-hint`;
  const invalid = (errors?.length ?? 0) > 0;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={inputProps.id} className="block text-sm font-medium text-ink">
        {label}
      </label>
      {hint ? (
        <p id={hintId} className="text-sm text-ink-muted">
          {hint}
        </p>
      ) : null}
      <input
        {...inputProps}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy || undefined}
        className={`mt-1 block w-full rounded-lg border bg-surface-raised px-3 py-2 text-ink shadow-sm placeholder:text-ink-muted/70 ${
          invalid ? "border-danger" : "border-line"
        }`}
      />
      <ErrorList id={errorId} errors={errors} />
    </div>
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
  label,
  hint,
  errors,
  selectProps,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[] | null;
  selectProps: SelectHTMLAttributes<HTMLSelectElement> & { id: string };
  children: ReactNode;
}) {
  const errorId = `${selectProps.id}-error`;
  const hintId = `${selectProps.id}-hint`;
  const invalid = (errors?.length ?? 0) > 0;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={selectProps.id} className="block text-sm font-medium text-ink">
        {label}
      </label>
      {hint ? (
        <p id={hintId} className="text-sm text-ink-muted">
          {hint}
        </p>
      ) : null}
      <select
        {...selectProps}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy || undefined}
        className={`mt-1 block w-full rounded-lg border bg-surface-raised px-3 py-2 text-ink ${
          invalid ? "border-danger" : "border-line"
        }`}
      >
        {children}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}
