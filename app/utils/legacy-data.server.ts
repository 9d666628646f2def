/**
 * Remix's pre-single-fetch data requests (`?_data=routes/…`). Lull's pages
 * use single fetch (`.data`) only, and Remix's old code path crashes (a 500)
 * when an action's form-error object has its own `status` field: found by
 * the route fuzz test. Such a request is refused with a 400 before it reaches
 * Remix, with one rate-limited log line (ADR 0019).
 */
import type { RequestHandler } from "express";
import { logClientError } from "./client-error-log.server.ts";

export function isLegacyDataRequest(search: string): boolean {
  return new URLSearchParams(search).has("_data");
}

export const legacyDataRequestsRefused: RequestHandler = (req, res, next) => {
  const search = req.originalUrl.includes("?")
    ? req.originalUrl.slice(req.originalUrl.indexOf("?"))
    : "";
  if (!isLegacyDataRequest(search)) return next();
  logClientError("400 _data", `${req.method} ${req.path}`);
  res
    .status(400)
    .type("text/plain")
    .send("Lull does not answer ?_data= requests. Reload the page.");
};
