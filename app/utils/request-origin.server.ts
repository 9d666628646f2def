/**
 * Cross-site request forgery protection for every unsafe method, on page
 * routes and resource routes alike. Remix's own Origin check only covers
 * route actions, so the HTTP server calls this before Remix sees the request.
 *
 * The rule follows the Fetch Metadata model: a browser tells us where a
 * request came from (`Sec-Fetch-Site`, else `Origin`); anything not
 * same-origin is refused. Requests with neither header do not come from a
 * browser page and so cannot carry a victim's cookies by accident.
 * JSON APIs authenticated by a bearer token (agents, and SCIM under
 * /scim/v2/) are exempt: browsers
 * never attach such a header to a cross-site request on their own. The
 * exemption is decided on the path the router will act on, not the raw one
 * (`/api/agent/%2e%2e/devices` is `/devices`), and an ambiguous path is never
 * exempt. An Origin is compared with the request's own origin in full:
 * scheme, host and port (ADR 0017).
 */
import { isRoutedUnder } from "./request-path.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export type OriginCheckInput = {
  method: string;
  /** The scheme the request arrived with ("http" or "https"; behind a proxy, as it reports). */
  protocol: string;
  /** The request's own host (Host header), e.g. "127.0.0.1:3000". */
  host: string | undefined;
  /** The raw path, as received (not decoded). */
  path: string;
  headers: {
    origin?: string | undefined;
    secFetchSite?: string | undefined;
    authorization?: string | undefined;
  };
};

export type OriginCheckResult = { allowed: true } | { allowed: false; reason: string };

export const BEARER_API_PREFIX = "/api/agent/" as const;
/** SCIM (ADR 0040): the identity provider's bearer token, JSON bodies, no browser. */
export const SCIM_API_PREFIX = "/scim/v2/" as const;
const BEARER_API_PREFIXES = [BEARER_API_PREFIX, SCIM_API_PREFIX] as const;

export function checkRequestOrigin(input: OriginCheckInput): OriginCheckResult {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return { allowed: true };

  const { origin, secFetchSite, authorization } = input.headers;
  if (
    BEARER_API_PREFIXES.some((prefix) => isRoutedUnder(input.path, prefix)) &&
    authorization !== undefined &&
    /^Bearer\s+\S+/i.test(authorization) &&
    !origin
  ) {
    return { allowed: true };
  }

  if (secFetchSite !== undefined) {
    if (secFetchSite === "same-origin" || secFetchSite === "none") return { allowed: true };
    return { allowed: false, reason: `Sec-Fetch-Site is ${secFetchSite}` };
  }

  if (origin === undefined) return { allowed: true };
  if (origin === "null") return { allowed: false, reason: "opaque Origin" };
  let requestOrigin: string;
  try {
    requestOrigin = new URL(origin).origin;
  } catch {
    return { allowed: false, reason: "malformed Origin" };
  }
  if (requestOrigin === ownOrigin(input)) return { allowed: true };
  return {
    allowed: false,
    reason: `Origin ${origin} does not match ${input.protocol}://${input.host ?? "(no host)"}`,
  };
}

/** A Host header: a name or IP literal and maybe a port, nothing else. */
const HOST_HEADER = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** This request's own origin (scheme, host, port), or null without a usable Host. */
function ownOrigin({ protocol, host }: OriginCheckInput): string | null {
  if (!host || !HOST_HEADER.test(host)) return null;
  if (protocol !== "http" && protocol !== "https") return null;
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return null;
  }
}
