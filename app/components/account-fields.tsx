import { getInputProps, getSelectProps, type FieldMetadata } from "@conform-to/react";
import { ErrorList, Field, SelectField } from "#app/components/ui/field.tsx";
import { ROLES, ROLE_LABELS, type Role } from "#app/domain/roles.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any form whose fields include these
type Meta = FieldMetadata<any, any, string[]>;

/**
 * Role, manager and time zone: the part of an account an admin sets, the
 * same on the create and edit forms. `timeZones` comes from the loader so
 * server and browser render the same list.
 */
export function AccountFields({
  fields,
  timeZones,
  directoryRole,
}: {
  fields: { role: Meta; managerEmail: Meta; timezone: Meta };
  timeZones: readonly string[];
  /** The role, when the directory sets it: shown, not editable (ADR 0038). */
  directoryRole?: Role;
}) {
  const listId = `${fields.timezone.id}-zones`;
  return (
    <>
      {directoryRole ? (
        <div data-testid="directory-role">
          <p className="text-sm font-medium">Role</p>
          <p>
            {ROLE_LABELS[directoryRole]}{" "}
            <span className="text-ink-muted">· managed by your directory</span>
          </p>
          <p className="text-sm text-ink-muted">
            Set by the person's groups in your company's directory (see Identity); change their
            groups there.
          </p>
          <input type="hidden" name={fields.role.name} value={directoryRole} />
          <ErrorList id={fields.role.errorId} errors={fields.role.errors} />
        </div>
      ) : (
        <SelectField
          label="Role"
          hint="Workers see their own data. Reviewers also decide exemption requests. Admins run this console."
          errors={fields.role.errors}
          selectProps={{ ...getSelectProps(fields.role), id: fields.role.id }}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </SelectField>
      )}
      <Field
        label="Manager's email"
        hint="Leave empty for no manager. Used only for team totals, which hide teams under 5 people."
        errors={fields.managerEmail.errors}
        inputProps={{
          ...getInputProps(fields.managerEmail, { type: "email" }),
          id: fields.managerEmail.id,
          required: false,
        }}
      />
      <Field
        label="Time zone"
        hint="Where the person works, e.g. Europe/Berlin. Pauses, days and charts use it."
        errors={fields.timezone.errors}
        inputProps={{
          ...getInputProps(fields.timezone, { type: "text" }),
          id: fields.timezone.id,
          list: listId,
          autoComplete: "off",
        }}
      />
      <datalist id={listId}>
        {timeZones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
