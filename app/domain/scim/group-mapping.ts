/**
 * SCIM Group ↔ directory group (ADR 0040): displayName, externalId and
 * members (Lull user ids). Group names feed the role mapping (ADR 0038).
 */
import { z } from "zod";
import { accept, type Outcome } from "../refusal.ts";
import { SCIM, scimRefusal, withMeta } from "./protocol.ts";
import {
  applyOperations,
  groupLocation,
  userLocation,
  type PatchOperation,
} from "./user-mapping.ts";

export type ScimGroup = {
  id: string;
  displayName: string;
  externalId: string | null;
  /** null: not read (the request left members out). */
  members: { id: string; name: string }[] | null;
  createdAt: Date;
  updatedAt: Date;
};

export type GroupValues = {
  displayName?: string;
  externalId?: string | null;
  memberIds?: string[];
};

export function groupResource(group: ScimGroup, baseUrl: string) {
  return withMeta(
    {
      schemas: [SCIM.group],
      id: group.id,
      ...(group.externalId !== null ? { externalId: group.externalId } : {}),
      displayName: group.displayName,
      ...(group.members
        ? {
            members: group.members.map((m) => ({
              value: m.id,
              display: m.name,
              type: "User",
              $ref: userLocation(baseUrl, m.id),
            })),
          }
        : {}),
    },
    {
      resourceType: "Group",
      created: group.createdAt,
      lastModified: group.updatedAt,
      location: groupLocation(baseUrl, group.id),
    },
  );
}

const Member = z.union([
  z.object({ value: z.string().min(1).max(200) }).passthrough(),
  z.string().min(1).max(200),
]);

const GroupBody = z
  .object({
    displayName: z.string().trim().min(1, "displayName is required.").max(200).optional(),
    externalId: z.union([z.string().trim().max(500), z.null()]).optional(),
    members: z.union([z.array(Member).max(100_000), z.null()]).optional(),
  })
  .passthrough();

function memberIds(members: z.output<typeof GroupBody>["members"]): string[] | undefined {
  if (members === undefined) return undefined;
  return [...new Set((members ?? []).map((m) => (typeof m === "string" ? m : m.value)))];
}

const KNOWN = new Set(["schemas", "id", "meta", "displayname", "externalid", "members"]);

export function groupValuesFromBody(
  body: unknown,
  mode: "create" | "replace",
): Outcome<GroupValues & { displayName: string }> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return scimRefusal("invalid_value", "The body must be a JSON object.");
  }
  const lowered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = key.replace(/^urn:ietf:params:scim:schemas:core:2\.0:Group:/i, "").toLowerCase();
    if (!KNOWN.has(name))
      return scimRefusal("invalid_value", `Lull does not know the attribute "${key}".`);
    lowered[name] = value;
  }
  const parsed = GroupBody.safeParse({
    displayName: lowered.displayname,
    externalId: lowered.externalid,
    members: lowered.members,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return scimRefusal("invalid_value", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  if (parsed.data.displayName === undefined) {
    return scimRefusal(
      "invalid_value",
      `displayName is required${mode === "replace" ? " in a PUT" : ""}.`,
    );
  }
  return accept({
    displayName: parsed.data.displayName,
    ...(parsed.data.externalId !== undefined ? { externalId: parsed.data.externalId || null } : {}),
    ...(parsed.data.members !== undefined ? { memberIds: memberIds(parsed.data.members) } : {}),
  });
}

/** What a PATCH changes on a group (its members as user ids). */
export function groupChangesFromPatch(
  group: ScimGroup & { members: { id: string; name: string }[] },
  operations: PatchOperation[],
): Outcome<GroupValues> {
  const before = {
    schemas: [SCIM.group],
    id: group.id,
    displayName: group.displayName,
    ...(group.externalId !== null ? { externalId: group.externalId } : {}),
    members: group.members.map((m) => ({ value: m.id })),
    meta: {},
  };
  const patched = applyOperations("Group", before, operations);
  if (!patched.ok) return patched;
  const after = GroupBody.safeParse(patched.value);
  if (!after.success) {
    const issue = after.error.issues[0]!;
    return scimRefusal("invalid_value", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  if (after.data.displayName === undefined) {
    return scimRefusal("mutability", "displayName cannot be removed.");
  }
  const changes: GroupValues = {};
  if (after.data.displayName !== group.displayName) changes.displayName = after.data.displayName;
  const externalId = after.data.externalId || null;
  if (externalId !== group.externalId) changes.externalId = externalId;
  const ids = memberIds(after.data.members ?? []) ?? [];
  const old = group.members.map((m) => m.id);
  if (ids.length !== old.length || ids.some((id) => !old.includes(id))) changes.memberIds = ids;
  return accept(changes);
}
