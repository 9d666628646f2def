import type { SelectHTMLAttributes } from "react";
import { Button } from "#app/components/ui/button.tsx";
import { SelectField } from "#app/components/ui/field.tsx";

export type PurposeOption = { key: string; name: string; description?: string };

/**
 * The purpose of an access to someone else's data (ADR 0042): the permitted
 * purposes in force, and the prohibited ones shown but disabled, so the
 * choice is visibly ruled out (the server refuses them too).
 */
export function PurposeField({
  id,
  choices,
  defaultValue,
  errors,
  label = "Purpose of this access",
  hint = "Recorded with the access and shown to the worker in their access log.",
  selectProps,
}: {
  id: string;
  choices: { choosable: readonly PurposeOption[]; prohibited: readonly PurposeOption[] };
  defaultValue?: string;
  errors?: readonly string[] | null;
  label?: string;
  hint?: string;
  selectProps?: Omit<SelectHTMLAttributes<HTMLSelectElement>, "id" | "name" | "defaultValue">;
}) {
  return (
    <SelectField
      label={label}
      hint={hint}
      errors={errors}
      selectProps={{
        required: true,
        ...selectProps,
        id,
        name: "purpose",
        defaultValue: defaultValue ?? "",
      }}
    >
      <option value="" disabled>
        Choose a purpose
      </option>
      {choices.choosable.map((p) => (
        <option key={p.key} value={p.key}>
          {p.name}
        </option>
      ))}
      {choices.prohibited.length > 0 ? (
        <optgroup label="Prohibited by the policy">
          {choices.prohibited.map((p) => (
            <option key={p.key} value={p.key} disabled>
              {p.name} (prohibited)
            </option>
          ))}
        </optgroup>
      ) : null}
    </SelectField>
  );
}

/**
 * A page that reads someone else's data shows this first (ADR 0042): a GET
 * form naming the purpose, which the page then records with the access.
 * Other search parameters of the page are kept as hidden fields.
 */
export function PurposeGate({
  title,
  what,
  gate,
  keep = {},
}: {
  title: string;
  /** What opening will show, e.g. "Lena Ortiz's exemption request". */
  what: string;
  gate: {
    choices: { choosable: readonly PurposeOption[]; prohibited: readonly PurposeOption[] };
    defaultKey: string;
    error: string | null;
  };
  keep?: Record<string, string>;
}) {
  return (
    <section
      aria-labelledby="purpose-gate-heading"
      className="max-w-xl rounded-card border border-line bg-surface-raised p-5 shadow-sm"
      data-testid="purpose-gate"
    >
      <h2 id="purpose-gate-heading" className="text-lg font-semibold text-ink">
        {title}
      </h2>
      <p className="mt-1 text-sm text-ink-muted">
        Opening {what} is an access to their data. Name its purpose: it is recorded and the worker
        sees it in their access log. Purposes the policy prohibits cannot be named.
      </p>
      <form method="get" className="mt-4 space-y-4">
        {Object.entries(keep).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <PurposeField
          id="purpose-gate"
          choices={gate.choices}
          defaultValue={gate.defaultKey}
          errors={gate.error ? [gate.error] : null}
        />
        <Button type="submit">Open</Button>
      </form>
    </section>
  );
}
