/**
 * SCIM 2.0 (RFC 7643/7644) as Lull speaks it: the schema URNs, the error and
 * list shapes, paging and the resource version (ADR 0040). Pure: no I/O.
 */
import { createHash } from "node:crypto";
import { refuse, type Refused } from "../refusal.ts";

export const SCIM = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  enterprise: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";

/** The most resources one list answer holds (`count` above it is capped). */
export const MAX_PAGE_SIZE = 200;

/**
 * SCIM's `scimType`s Lull answers with, by refusal code. `not_found` is a 404
 * and `uniqueness` a 409; every other is a 400 (RFC 7644 §3.12).
 */
export const SCIM_TYPES = {
  invalid_filter: "invalidFilter",
  invalid_syntax: "invalidSyntax",
  invalid_path: "invalidPath",
  invalid_value: "invalidValue",
  no_target: "noTarget",
  mutability: "mutability",
  uniqueness: "uniqueness",
  too_many: "tooMany",
} as const;
export type ScimRefusalCode = keyof typeof SCIM_TYPES | "not_found";

export function scimRefusal(code: ScimRefusalCode, detail: string): Refused {
  return refuse(code, detail);
}

export type ScimErrorBody = {
  schemas: [typeof SCIM.error];
  status: string;
  scimType?: string;
  detail: string;
};

/** The RFC 7644 §3.12 error body. */
export function scimErrorBody(status: number, detail: string, scimType?: string): ScimErrorBody {
  return {
    schemas: [SCIM.error],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}

/** The status and scimType of a refusal (`not_found` 404, `uniqueness` 409, the rest 400). */
export function scimStatusOf(code: string): { status: number; scimType?: string } {
  if (code === "not_found") return { status: 404 };
  const scimType = (SCIM_TYPES as Record<string, string>)[code];
  if (code === "uniqueness") return { status: 409, scimType };
  return { status: 400, scimType: scimType ?? "invalidValue" };
}

export type Page = { startIndex: number; count: number };

/**
 * `startIndex` (1-based; below 1 is 1) and `count` (negative is 0; capped at
 * MAX_PAGE_SIZE; absent is MAX_PAGE_SIZE), RFC 7644 §3.4.2.4.
 */
export function parsePage(
  startIndex: string | null,
  count: string | null,
): { ok: true; page: Page } | Refused {
  const whole = (text: string | null, name: string, fallback: number) => {
    if (text === null || text.trim() === "") return fallback;
    if (!/^-?\d{1,12}$/.test(text.trim())) return name;
    return Number(text.trim());
  };
  const start = whole(startIndex, "startIndex", 1);
  const size = whole(count, "count", MAX_PAGE_SIZE);
  if (typeof start === "string" || typeof size === "string") {
    const which = typeof start === "string" ? start : size;
    return scimRefusal("invalid_value", `${which} must be a whole number.`);
  }
  return {
    ok: true,
    page: { startIndex: Math.max(1, start), count: Math.min(MAX_PAGE_SIZE, Math.max(0, size)) },
  };
}

export function listResponse<T>(resources: T[], totalResults: number, page: Page) {
  return {
    schemas: [SCIM.listResponse],
    totalResults,
    startIndex: page.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** A weak version of a resource's representation: changes exactly when what it says changes. */
export function resourceVersion(representation: unknown): string {
  const hash = createHash("sha256").update(JSON.stringify(representation)).digest("base64url");
  return `W/"${hash.slice(0, 22)}"`;
}

export type Meta = {
  resourceType: string;
  created: string;
  lastModified: string;
  location: string;
  version: string;
};

/** A resource with its `meta`, the version computed from everything else. */
export function withMeta<T extends object>(
  resource: T,
  meta: { resourceType: string; created: Date; lastModified: Date; location: string },
): T & { meta: Meta } {
  return {
    ...resource,
    meta: {
      resourceType: meta.resourceType,
      created: meta.created.toISOString(),
      lastModified: meta.lastModified.toISOString(),
      location: meta.location,
      version: resourceVersion(resource),
    },
  };
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), on top-level attributes. */
export type Projection = { only: string[] | null; except: string[] };

export function parseProjection(attributes: string | null, excluded: string | null): Projection {
  const names = (text: string | null) =>
    (text ?? "")
      .split(",")
      .map((n) => topLevelName(n.trim()))
      .filter((n) => n !== "");
  const only = names(attributes);
  return { only: only.length > 0 ? only : null, except: names(excluded) };
}

/** "name.givenName" → "name"; a core-schema URN prefix is dropped; an extension URN is kept whole. */
function topLevelName(path: string): string {
  const lower = path.toLowerCase();
  for (const urn of [SCIM.user, SCIM.group]) {
    if (lower.startsWith(`${urn.toLowerCase()}:`)) return topLevelName(path.slice(urn.length + 1));
  }
  if (lower.startsWith(`${SCIM.enterprise.toLowerCase()}`)) return SCIM.enterprise.toLowerCase();
  return lower.split(".")[0]!.split("[")[0]!;
}

const ALWAYS_RETURNED = new Set(["id", "schemas", "meta"]);

export function project<T extends Record<string, unknown>>(
  resource: T,
  projection: Projection,
): Partial<T> {
  const keep = (key: string) => {
    const name = key.toLowerCase();
    if (ALWAYS_RETURNED.has(name)) return true;
    if (projection.only) return projection.only.includes(name);
    return !projection.except.includes(name);
  };
  return Object.fromEntries(Object.entries(resource).filter(([k]) => keep(k))) as Partial<T>;
}

/** Whether a projection leaves out an attribute (to skip reading it at all). */
export function projectionOmits(projection: Projection, attribute: string): boolean {
  const name = attribute.toLowerCase();
  if (projection.only) return !projection.only.includes(name);
  return projection.except.includes(name);
}
