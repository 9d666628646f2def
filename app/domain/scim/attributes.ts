/**
 * The attributes Lull knows on each SCIM resource (ADR 0040). Names are
 * matched without regard to case (RFC 7643 §2.1) and given back in their
 * schema's spelling. Core User attributes Lull does not keep (phone numbers,
 * addresses, title…) are accepted and dropped: a privacy portal stores no
 * more about a person than it needs. A name in no schema is refused.
 */
import { SCIM } from "./protocol.ts";

export type ResourceKind = "User" | "Group";

/** Attributes Lull stores or derives, and may be written. */
const USER_KEPT = ["externalId", "userName", "name", "displayName", "active", "timezone", "emails"];
/** Core and enterprise User attributes accepted and not kept. */
const USER_DROPPED = [
  "nickName",
  "profileUrl",
  "title",
  "userType",
  "preferredLanguage",
  "locale",
  "password",
  "phoneNumbers",
  "ims",
  "photos",
  "addresses",
  "entitlements",
  "roles",
  "x509Certificates",
];
const ENTERPRISE_KEPT = ["manager"];
const ENTERPRISE_DROPPED = [
  "employeeNumber",
  "costCenter",
  "organization",
  "division",
  "department",
];
const GROUP_KEPT = ["externalId", "displayName", "members"];
const READ_ONLY = ["id", "meta", "schemas", "groups"];

export type AttributeKind = "kept" | "dropped" | "readOnly";

function lookup(names: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return names.find((n) => n.toLowerCase() === lower);
}

/**
 * A top-level attribute name as the schema spells it, and what Lull does
 * with it; null when no schema has it. The enterprise extension's URN is an
 * attribute of its own (`SCIM.enterprise`); `core URN:name` is `name`.
 */
export function resolveAttribute(
  kind: ResourceKind,
  name: string,
): { name: string; kind: AttributeKind } | null {
  const core = kind === "User" ? SCIM.user : SCIM.group;
  if (name.toLowerCase().startsWith(`${core.toLowerCase()}:`)) {
    return resolveAttribute(kind, name.slice(core.length + 1));
  }
  if (kind === "User" && name.toLowerCase() === SCIM.enterprise.toLowerCase()) {
    return { name: SCIM.enterprise, kind: "kept" };
  }
  const readOnly = lookup(READ_ONLY, name);
  if (readOnly && (kind === "User" || readOnly !== "groups")) {
    return { name: readOnly, kind: "readOnly" };
  }
  const kept = lookup(kind === "User" ? USER_KEPT : GROUP_KEPT, name);
  if (kept) return { name: kept, kind: "kept" };
  const dropped = kind === "User" ? lookup(USER_DROPPED, name) : undefined;
  return dropped ? { name: dropped, kind: "dropped" } : null;
}

/** An enterprise-extension attribute's name, and what Lull does with it; null when unknown. */
export function resolveEnterpriseAttribute(
  name: string,
): { name: string; kind: AttributeKind } | null {
  const kept = lookup(ENTERPRISE_KEPT, name);
  if (kept) return { name: kept, kind: "kept" };
  const dropped = lookup(ENTERPRISE_DROPPED, name);
  return dropped ? { name: dropped, kind: "dropped" } : null;
}

/** Sub-attributes of `name` (the others are not in the schema). */
const NAME_PARTS = [
  "formatted",
  "givenName",
  "familyName",
  "middleName",
  "honorificPrefix",
  "honorificSuffix",
];

export function resolveNamePart(part: string): string | undefined {
  return lookup(NAME_PARTS, part);
}

export type Resolved =
  { known: true; path: string; kind: AttributeKind } | { known: false; attribute: string };

/**
 * An attribute path (`name.givenName`, `emails[type eq "work"].value`,
 * `urn:…:enterprise:2.0:User:manager`, `members[value eq "…"]`) with its
 * attribute names in the schema's spelling, or the name Lull does not know.
 */
export function resolvePath(kind: ResourceKind, path: string): Resolved {
  const extension = `${SCIM.enterprise.toLowerCase()}:`;
  if (kind === "User" && path.toLowerCase().startsWith(extension)) {
    const rest = path.slice(extension.length);
    const [head, ...tail] = rest.split(".");
    const attribute = resolveEnterpriseAttribute(head!);
    if (!attribute) return { known: false, attribute: rest };
    return {
      known: true,
      path: [`${SCIM.enterprise}:${attribute.name}`, ...tail].join("."),
      kind: attribute.kind,
    };
  }
  const match = /^([^.[]+)(.*)$/.exec(path);
  if (!match) return { known: false, attribute: path };
  const [, head, rest] = match as unknown as [string, string, string];
  const attribute = resolveAttribute(kind, head);
  if (!attribute) return { known: false, attribute: head };
  if (attribute.name === SCIM.enterprise) return { known: true, path, kind: "kept" };
  if (attribute.name === "name" && rest.startsWith(".")) {
    const part = resolveNamePart(rest.slice(1));
    if (!part) return { known: false, attribute: `name${rest}` };
    return { known: true, path: `name.${part}`, kind: attribute.kind };
  }
  return { known: true, path: `${attribute.name}${rest}`, kind: attribute.kind };
}
