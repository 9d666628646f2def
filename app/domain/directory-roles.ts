import { ROLES, type Role } from "./roles.ts";

/**
 * Roles from the company's directory (ADR 0038). A group mapping names
 * directory groups whose members get a role; a person whose role comes from
 * the directory holds the highest role of any mapped group they are in, and
 * WORKER when they are in none. Groups are matched without regard to case or
 * surrounding space, so "Lull-Admins" in the console matches "lull-admins"
 * in an ID token or a SCIM group.
 */
export type GroupRoleMapping = { group: string; role: Role };

/** The key a group name is matched by. */
export function groupKey(name: string): string {
  return name.trim().toLowerCase();
}

function rank(role: Role): number {
  return ROLES.indexOf(role);
}

/** The higher of two roles (ADMIN > REVIEWER > DATA_STEWARD > REPRESENTATIVE > WORKER). */
export function higherRole(a: Role, b: Role): Role {
  return rank(a) >= rank(b) ? a : b;
}

/**
 * The role the directory gives someone in `groups`: the highest role any
 * mapping of one of their groups names, or WORKER. Does not depend on the
 * order of either list, on repeats, or on the case of the names.
 */
export function roleFromGroups(
  groups: readonly string[],
  mappings: readonly GroupRoleMapping[],
): Role {
  const theirs = new Set(groups.map(groupKey));
  let role: Role = "WORKER";
  for (const mapping of mappings) {
    if (theirs.has(groupKey(mapping.group))) role = higherRole(role, mapping.role);
  }
  return role;
}

/** The groups an ID token's claim carries: a list of strings, or one string; anything else is none. */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === "string") return value.trim() ? [value] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === "string" && g.trim() !== "").slice(0, 500);
}
