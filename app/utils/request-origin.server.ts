/**
 * Cross-site request forgery protection for every unsafe method, on page
 * routes and resource routes alike. Remix's own Origin check only covers
 * route actions, so the HTTP server calls this before Remix sees the request.
 *
 * The rule follows the Fetch Metadata model: a browser tells us where a
 * request came from (`Sec-Fetch-Site`, else `Origin`); anything not
 * same-origin is refused. Requests with neither header do not come from a
 * browser page and so cannot carry a victim's cookies by accident.
 * JSON APIs authenticated by a bearer token (agents) are exempt: browsers
 * never attach such a header to a cross-site request on their own.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export type OriginCheckInput = {
  method: string;
  /** The request's own host (Host header), e.g. "127.0.0.1:3000". */
  host: string | undefined;
  path: string;
  headers: {
    origin?: string | undefined;
    secFetchSite?: string | undefined;
    authorization?: string | undefined;
  };
};

export type OriginCheckResult = { allowed: true } | { allowed: false; reason: string };

export const BEARER_API_PREFIX = "/api/agent/";

export function checkRequestOrigin(input: OriginCheckInput): OriginCheckResult {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return { allowed: true };

  const { origin, secFetchSite, authorization } = input.headers;
  if (
    input.path.startsWith(BEARER_API_PREFIX) &&
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
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return { allowed: false, reason: "malformed Origin" };
  }
  if (input.host !== undefined && originHost.toLowerCase() === input.host.toLowerCase()) {
    return { allowed: true };
  }
  return {
    allowed: false,
    reason: `Origin ${origin} does not match host ${input.host ?? "(none)"}`,
  };
}
