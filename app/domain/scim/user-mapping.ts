/**
 * SCIM User ↔ Lull account (ADR 0040): userName is the sign-in email
 * (lower-cased), name.formatted, else givenName + familyName, else
 * displayName is the name, `active`, `timezone` (IANA), the enterprise
 * extension's manager.value (a Lull user id) and externalId. Attributes a
 * request leaves out are not asserted: they keep their value.
 */
import { scimPatch, ScimError, type ScimPatchOperation } from "scim-patch";
import { z } from "zod";
import { emailField, isValidTimeZone, nameField } from "../user-admin.ts";
import { accept, type Outcome } from "../refusal.ts";
import {
  resolveAttribute,
  resolveEnterpriseAttribute,
  resolveNamePart,
  resolvePath,
  type ResourceKind,
} from "./attributes.ts";
import { SCIM, scimRefusal, withMeta } from "./protocol.ts";

export type ScimAccount = {
  id: string;
  email: string;
  name: string;
  timezone: string;
  active: boolean;
  externalId: string | null;
  manager: { id: string; name: string } | null;
  groups: { id: string; displayName: string }[];
  createdAt: Date;
  updatedAt: Date;
};

/** What a request asserts about an account; absent: unchanged. */
export type AccountValues = Partial<{
  email: string;
  name: string;
  active: boolean;
  timezone: string;
  externalId: string | null;
  managerId: string | null;
}>;

export function userLocation(baseUrl: string, id: string) {
  return `${baseUrl}/scim/v2/Users/${id}`;
}

export function groupLocation(baseUrl: string, id: string) {
  return `${baseUrl}/scim/v2/Groups/${id}`;
}

/** The account's SCIM representation, without meta. */
function userRepresentation(account: ScimAccount, baseUrl: string) {
  return {
    schemas: [SCIM.user, SCIM.enterprise],
    id: account.id,
    ...(account.externalId !== null ? { externalId: account.externalId } : {}),
    userName: account.email,
    name: { formatted: account.name },
    displayName: account.name,
    active: account.active,
    timezone: account.timezone,
    emails: [{ value: account.email, type: "work", primary: true }],
    groups: account.groups.map((g) => ({
      value: g.id,
      display: g.displayName,
      $ref: groupLocation(baseUrl, g.id),
    })),
    [SCIM.enterprise]: account.manager
      ? {
          manager: {
            value: account.manager.id,
            $ref: userLocation(baseUrl, account.manager.id),
            displayName: account.manager.name,
          },
        }
      : {},
  };
}

export function userResource(account: ScimAccount, baseUrl: string) {
  return withMeta(userRepresentation(account, baseUrl), {
    resourceType: "User",
    created: account.createdAt,
    lastModified: account.updatedAt,
    location: userLocation(baseUrl, account.id),
  });
}

const Bool = z.preprocess(
  // Entra ID has sent "True"/"False" as strings.
  (v) => (typeof v === "string" && /^(true|false)$/i.test(v) ? v.toLowerCase() === "true" : v),
  z.boolean({ invalid_type_error: "active must be true or false." }),
);
const Text = z.string().trim().max(500);
const Reference = z.union([
  z.string(),
  z.object({ value: z.string().optional().nullable() }).passthrough(),
  z.null(),
]);

const UserBody = z
  .object({
    userName: z.unknown().optional(),
    externalId: z.union([Text, z.null()]).optional(),
    displayName: z.union([Text, z.null()]).optional(),
    name: z
      .object({
        formatted: Text.nullable().optional(),
        givenName: Text.nullable().optional(),
        familyName: Text.nullable().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
    active: Bool.optional(),
    timezone: z.union([Text, z.null()]).optional(),
    [SCIM.enterprise]: z
      .object({ manager: Reference.optional() })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();
type UserBody = z.output<typeof UserBody>;

class BadValue extends Error {
  constructor(
    message: string,
    readonly code: "invalid_value" | "invalid_path" | "mutability" = "invalid_value",
  ) {
    super(message);
  }
}

/**
 * A body's attributes under their schema spelling, dropping what Lull does
 * not keep or may not be written; a name in no schema is refused.
 */
function canonicalBody(kind: ResourceKind, body: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const extension = `${SCIM.enterprise.toLowerCase()}:`;
    if (kind === "User" && key.toLowerCase().startsWith(extension)) {
      const attribute = resolveEnterpriseAttribute(key.slice(extension.length));
      if (!attribute) throw new BadValue(`Lull does not know the attribute "${key}".`);
      if (attribute.kind === "kept") {
        out[SCIM.enterprise] = { ...(out[SCIM.enterprise] as object), [attribute.name]: value };
      }
      continue;
    }
    const attribute = resolveAttribute(kind, key);
    if (!attribute) throw new BadValue(`Lull does not know the attribute "${key}".`);
    if (attribute.kind !== "kept") continue;
    if (attribute.name === SCIM.enterprise && value && typeof value === "object") {
      const ext: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const sub = resolveEnterpriseAttribute(k);
        if (!sub) throw new BadValue(`Lull does not know the attribute "${SCIM.enterprise}:${k}".`);
        if (sub.kind === "kept") ext[sub.name] = v;
      }
      out[SCIM.enterprise] = ext;
      continue;
    }
    if (attribute.name === "name" && value && typeof value === "object") {
      const name: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const part = resolveNamePart(k);
        if (!part) throw new BadValue(`Lull does not know the attribute "name.${k}".`);
        name[part] = v;
      }
      out.name = name;
      continue;
    }
    out[attribute.name] = value;
  }
  return out;
}

function parseBody(kind: ResourceKind, body: unknown): UserBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadValue("The body must be a JSON object.", "invalid_value");
  }
  const parsed = UserBody.safeParse(canonicalBody(kind, body as Record<string, unknown>));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadValue(`${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

function emailOf(userName: unknown): string {
  const parsed = emailField.safeParse(userName);
  if (!parsed.success) {
    throw new BadValue("userName must be the person's email address, like name@company.com.");
  }
  return parsed.data;
}

function nameOf(text: string): string {
  const parsed = nameField.safeParse(text);
  if (!parsed.success) throw new BadValue(`name: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function timezoneOf(value: string | null): string {
  if (value === null || value === "") return "UTC";
  if (!isValidTimeZone(value)) {
    throw new BadValue(`timezone "${value}" is not an IANA time zone such as Europe/Berlin.`);
  }
  return value;
}

function managerOf(value: z.output<typeof Reference> | undefined): string | null {
  if (value === null || value === undefined) return null;
  const id = typeof value === "string" ? value : (value.value ?? "");
  return id.trim() === "" ? null : id.trim();
}

/** The name a full representation gives: formatted, else given + family, else displayName. */
function fullName(body: UserBody): string | undefined {
  const formatted = body.name?.formatted?.trim();
  if (formatted) return formatted;
  const parts = [body.name?.givenName?.trim(), body.name?.familyName?.trim()].filter(Boolean);
  if (parts.length > 0) return parts.join(" ");
  return body.displayName?.trim() || undefined;
}

function valuesOf(body: UserBody, name: string | undefined): AccountValues {
  const values: AccountValues = {};
  if (body.userName !== undefined) values.email = emailOf(body.userName);
  if (name !== undefined) values.name = nameOf(name);
  if (body.active !== undefined) values.active = body.active;
  if (body.timezone !== undefined) values.timezone = timezoneOf(body.timezone);
  if (body.externalId !== undefined) values.externalId = body.externalId?.trim() || null;
  const extension = body[SCIM.enterprise];
  if (extension === null) values.managerId = null;
  else if (extension && "manager" in extension) values.managerId = managerOf(extension.manager);
  return values;
}

function outcome<T>(work: () => T): Outcome<T> {
  try {
    return accept(work());
  } catch (error) {
    if (error instanceof BadValue) return scimRefusal(error.code, error.message);
    throw error;
  }
}

/**
 * A POST or PUT body's values. userName is required; a new account with no
 * name is named after its userName.
 */
export function accountValuesFromBody(
  body: unknown,
  mode: "create" | "replace",
): Outcome<AccountValues & { email: string }> {
  return outcome(() => {
    const parsed = parseBody("User", body);
    if (parsed.userName === undefined) throw new BadValue("userName is required.");
    const name = fullName(parsed) ?? (mode === "create" ? emailOf(parsed.userName) : undefined);
    return { ...valuesOf(parsed, name), email: emailOf(parsed.userName) };
  });
}

export const PatchBody = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(SCIM.patchOp), {
    message: `schemas must include ${SCIM.patchOp}.`,
  }),
  Operations: z
    .array(
      z
        .object({
          op: z.string().refine((op) => /^(add|remove|replace)$/i.test(op), {
            message: "op must be add, remove or replace.",
          }),
          path: z.string().max(1000).optional(),
          value: z.unknown().optional(),
        })
        .passthrough(),
    )
    .min(1, "Operations must hold at least one operation.")
    .max(1000, "At most 1,000 operations a request."),
});
export type PatchOperation = z.output<typeof PatchBody>["Operations"][number];

export function parsePatchBody(body: unknown): Outcome<PatchOperation[]> {
  const parsed = PatchBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return scimRefusal("invalid_syntax", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return accept(parsed.data.Operations);
}

/**
 * Operations in the library's terms: op lower-case, paths and value keys in
 * the schema's spelling. A path to an attribute in no schema is
 * `invalidPath`; one to a read-only attribute (id, meta, groups) `mutability`.
 */
export function normaliseOperations(
  kind: ResourceKind,
  operations: PatchOperation[],
): ScimPatchOperation[] {
  return operations.flatMap((operation) => {
    const op = operation.op.toLowerCase() as "add" | "remove" | "replace";
    if (operation.path === undefined || operation.path.trim() === "") {
      if (op === "remove") throw new BadValue("A remove operation needs a path.", "invalid_path");
      const value = operation.value;
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new BadValue("An operation without a path needs an object value.");
      }
      const entries: [string, unknown][] = [];
      for (const [key, v] of Object.entries(value)) {
        const resolved = resolvePath(kind, key);
        if (!resolved.known) {
          throw new BadValue(`Lull does not know the attribute "${resolved.attribute}".`);
        }
        if (resolved.kind === "kept") entries.push([resolved.path, v]);
      }
      return entries.length > 0 ? [{ op, value: Object.fromEntries(entries) }] : [];
    }
    const resolved = resolvePath(kind, operation.path.trim());
    if (!resolved.known) {
      throw new BadValue(
        `Lull does not know the attribute "${resolved.attribute}".`,
        "invalid_path",
      );
    }
    if (resolved.kind === "readOnly") {
      throw new BadValue(`${operation.path} cannot be changed.`, "mutability");
    }
    if (resolved.kind === "dropped") return [];
    let value = operation.value;
    // Entra ID sends the manager as its id alone.
    if (resolved.path === `${SCIM.enterprise}:manager` && typeof value === "string") {
      value = { value };
    }
    // Members are told apart by their value alone (Entra ID removes { value } it added).
    if (/^members$/i.test(resolved.path) && value !== undefined) {
      const list = Array.isArray(value) ? value : [value];
      value = list.map((m) =>
        m && typeof m === "object" && "value" in m ? { value: (m as { value: unknown }).value } : m,
      );
    }
    return [
      value === undefined ? { op, path: resolved.path } : { op, path: resolved.path, value },
    ] as ScimPatchOperation[];
  });
}

/** Applies operations with `scim-patch` to a copy; its errors become SCIM refusals. */
export function applyOperations<T extends { meta: unknown; schemas: string[] }>(
  kind: ResourceKind,
  resource: T,
  operations: PatchOperation[],
): Outcome<T> {
  try {
    const normalised = normaliseOperations(kind, operations);
    return accept(
      scimPatch(structuredClone(resource) as never, normalised, {
        mutateDocument: true,
        treatMissingAsAdd: true,
      }) as T,
    );
  } catch (error) {
    if (error instanceof BadValue) return scimRefusal(error.code, error.message);
    if (error instanceof ScimError) {
      const code = error.scimCode === "noTarget" ? "no_target" : "invalid_value";
      return scimRefusal(code, error.message);
    }
    if (error instanceof RangeError || error instanceof TypeError) {
      return scimRefusal("invalid_value", "The operations could not be applied to this resource.");
    }
    throw error;
  }
}

/**
 * What a PATCH changes on an account: the operations applied to its SCIM
 * representation, then each mapped attribute that differs afterwards. A
 * changed name.formatted, else both name parts, else a changed displayName
 * renames the person.
 */
export function accountChangesFromPatch(
  account: ScimAccount,
  baseUrl: string,
  operations: PatchOperation[],
): Outcome<AccountValues> {
  const before = userRepresentation(account, baseUrl);
  const patched = applyOperations("User", { ...before, meta: {} }, operations);
  if (!patched.ok) return patched;
  return outcome(() => {
    const after = parseBody("User", { ...patched.value, meta: undefined });
    const afterName = after.name ?? {};
    let name: string | undefined;
    if (afterName.formatted?.trim() && afterName.formatted.trim() !== account.name) {
      name = afterName.formatted;
    } else if (afterName.givenName?.trim() && afterName.familyName?.trim()) {
      name = `${afterName.givenName.trim()} ${afterName.familyName.trim()}`;
    } else if (after.displayName?.trim() && after.displayName.trim() !== account.name) {
      name = after.displayName;
    }
    const all = valuesOf(
      {
        ...after,
        userName: after.userName === undefined ? null : after.userName,
        timezone: after.timezone === undefined ? null : after.timezone,
        externalId: after.externalId ?? null,
        [SCIM.enterprise]: { manager: after[SCIM.enterprise]?.manager ?? null },
      },
      name,
    );
    const changes: AccountValues = {};
    if (all.email !== account.email) changes.email = all.email;
    if (all.name !== undefined && all.name !== account.name) changes.name = all.name;
    if (all.active !== undefined && all.active !== account.active) changes.active = all.active;
    if (all.timezone !== account.timezone) changes.timezone = all.timezone;
    if (all.externalId !== account.externalId) changes.externalId = all.externalId;
    if (all.managerId !== (account.manager?.id ?? null)) changes.managerId = all.managerId;
    return changes;
  });
}
