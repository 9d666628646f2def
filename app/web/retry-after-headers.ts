import type { HeadersFunction } from "@remix-run/node";

/**
 * Remix passes on an action's cookies but no other header unless the route names it: routes
 * that answer 429 export this, so the throttle's Retry-After reaches the browser, on the page
 * and on its `.data` answer alike.
 */
export const keepRetryAfter: HeadersFunction = ({ actionHeaders }) => {
  const kept = new Headers();
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) kept.set("Retry-After", retryAfter);
  return kept;
};
