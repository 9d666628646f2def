/**
 * Pages and their data are personal: what is collected about someone, who
 * looked at it, a one-time enrollment code, a set-password link. None of it
 * may be kept by a browser's or a proxy's cache, so every document and every
 * `.data` (single-fetch) response, loaders' and actions' alike, is
 * `Cache-Control: no-store` unless its route says otherwise in a `headers`
 * export (ADR 0017). Static assets are served before Remix and keep their own
 * caching; resource routes set theirs on the Response they build.
 */
export const PERSONAL_CACHE_CONTROL = "no-store";

/** Sets `no-store` on headers that carry no Cache-Control of their own. */
export function defaultToNoStore(headers: Headers): Headers {
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", PERSONAL_CACHE_CONTROL);
  return headers;
}

/** The same response with `no-store` unless it has a Cache-Control already. */
export function withNoStoreDefault(response: Response): Response {
  if (response.headers.has("Cache-Control")) return response;
  // A copy: a Response's headers may be immutable (e.g. one that came from fetch).
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: defaultToNoStore(new Headers(response.headers)),
  });
}
