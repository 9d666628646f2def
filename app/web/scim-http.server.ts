/**
 * HTTP for /scim/v2 (ADR 0040): the bearer token, JSON bodies within a
 * limit, answers as `application/scim+json`, and every refusal or mistake
 * in the RFC 7644 error shape: never a 500 for a client's error.
 */
import { SCIM_BODY_LIMIT } from "#app/domain/body-limits.ts";
import type { Refused } from "#app/domain/refusal.ts";
import {
  SCIM_CONTENT_TYPE,
  scimErrorBody,
  scimStatusOf,
  parsePage,
  parseProjection,
  type Page,
  type Projection,
} from "#app/domain/scim/protocol.ts";
import { parseScimFilter, type Condition } from "#app/domain/scim/filter.ts";
import type { ResourceKind } from "#app/domain/scim/attributes.ts";
import { findLiveScimToken } from "#app/models/scim-token.server.ts";
import type { ScimCaller } from "#app/models/scim-users.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { TOO_LARGE_HEADERS, readBodyWithin } from "./request-body.server.ts";

const NO_STORE = { "Cache-Control": "no-store" };

export function scimJson(body: unknown, init: { status?: number; headers?: HeadersInit } = {}) {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", SCIM_CONTENT_TYPE);
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers });
}

export function scimError(
  status: number,
  detail: string,
  scimType?: string,
  headers: HeadersInit = {},
): Response {
  return scimJson(scimErrorBody(status, detail, scimType), { status, headers });
}

export function scimRefused({ refusal }: Refused): Response {
  const { status, scimType } = scimStatusOf(refusal.code);
  return scimError(status, refusal.message, scimType);
}

/** The token behind `Authorization: Bearer`, or a thrown 401 in SCIM's shape. */
export async function requireScimToken(request: Request, now: Date): Promise<ScimCaller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "");
  const token = match ? await findLiveScimToken(match[1]!, now) : null;
  if (!token) {
    throw scimError(
      401,
      match
        ? "This SCIM token is unknown or was revoked. Make a new one on Lull's Identity page."
        : "Send a SCIM token as Authorization: Bearer <token>.",
      undefined,
      { "WWW-Authenticate": 'Bearer realm="Lull SCIM"' },
    );
  }
  return { tokenPrefix: token.prefix };
}

const JSON_TYPES = ["application/scim+json", "application/json"];

/** The body as JSON, read within the limit; a thrown SCIM error otherwise. */
export async function readScimJson(request: Request): Promise<unknown> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!JSON_TYPES.includes(type)) {
    throw scimError(415, "Send the body as application/scim+json (or application/json).");
  }
  const body = await readBodyWithin(request, SCIM_BODY_LIMIT);
  if (!body.ok) {
    throw scimError(413, "The body is larger than Lull accepts (1 MB).", undefined, {
      ...TOO_LARGE_HEADERS,
    });
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body.bytes));
  } catch {
    throw scimError(400, "The body is not valid JSON.", "invalidSyntax");
  }
}

/** Where resources' `location`s point: PUBLIC_URL, else the origin the provider used. */
export function scimBaseUrl(request: Request): string {
  return (getEnv().PUBLIC_URL ?? new URL(request.url).origin).replace(/\/+$/, "");
}

export type ListQuery = { condition: Condition | null; page: Page; projection: Projection };

/** A list request's filter, paging and projection, or a thrown SCIM error. */
export function readListQuery(request: Request, kind: ResourceKind): ListQuery {
  const params = new URL(request.url).searchParams;
  const page = parsePage(params.get("startIndex"), params.get("count"));
  if (!page.ok) throw scimRefused(page);
  const filterText = params.get("filter");
  let condition: Condition | null = null;
  if (filterText !== null && filterText.trim() !== "") {
    const parsed = parseScimFilter(kind, filterText);
    if (!parsed.ok) throw scimRefused(parsed);
    condition = parsed.condition;
  }
  return { condition, page: page.page, projection: readProjection(request) };
}

export function readProjection(request: Request): Projection {
  const params = new URL(request.url).searchParams;
  return parseProjection(params.get("attributes"), params.get("excludedAttributes"));
}

/** A method the endpoint does not have. */
export function scimMethodNotAllowed(allowed: string): Response {
  return scimError(405, `This endpoint answers ${allowed}.`, undefined, { Allow: allowed });
}

/**
 * Runs a SCIM handler: a thrown Response is the answer; anything else is
 * logged and answered as a SCIM 500 (a bug, not the client's doing).
 */
export async function scimHandler(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Response) return error;
    console.error("SCIM request failed", error);
    return scimError(500, "Lull could not complete this request.");
  }
}

export { NO_STORE };
