/**
 * Pages take forms. Every page action reads `request.formData()`, which
 * throws on any other body, so a JSON or text POST used to end as a 500 with
 * a stack trace in the log. Such a request is the client's mistake: it gets
 * a 415 (as the actions' own check answers) before it reaches the app, and one rate-limited log line (ADR 0019).
 * The agent API under /api/ takes JSON and is left alone, and so does SCIM
 * under /scim/v2/ (decided on the routed path; its endpoints take only
 * application/scim+json and application/json and answer anything else with
 * a SCIM 415 themselves, ADR 0040).
 */
import type { RequestHandler } from "express";
import { logClientError } from "./client-error-log.server.ts";
import { isRoutedUnder } from "./request-path.ts";

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];
const WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isFormBodyRequired(method: string, path: string): boolean {
  return (
    WITH_BODY.has(method.toUpperCase()) &&
    !path.startsWith("/api/") &&
    !isRoutedUnder(path, "/scim/v2/")
  );
}

export function isFormContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return FORM_TYPES.includes(type);
}

export const formBodiesOnly: RequestHandler = (req, res, next) => {
  if (!isFormBodyRequired(req.method, req.path) || isFormContentType(req.headers["content-type"])) {
    return next();
  }
  logClientError(
    "415 not a form",
    `${req.method} ${req.path} with Content-Type ${req.headers["content-type"] ?? "(none)"}`,
  );
  res
    .status(415)
    .type("text/plain")
    .send("Lull's pages take form submissions only. Go back to the page and submit its form.");
};
