/**
 * The one place a refusal (`app/domain/refusal.ts`) becomes HTTP: its status,
 * a Conform form reply, a redirect with an error toast, a 404 page or an
 * agent API error. Routes call one of these and stay thin; models and domain
 * rules only say `{ ok: false, refusal }`.
 */
import { data } from "@remix-run/node";
import { ERROR_CODES, type AgentError } from "#app/agent-protocol/v1.ts";
import type { Refusal } from "#app/domain/refusal.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { agentError } from "./agent-http.server.ts";

/** The request clashes with what exists now (another account has the email, the request was decided…). */
const CONFLICT_CODES: ReadonlySet<string> = new Set([
  "conflict",
  "email_taken",
  "last_admin",
  "already_active",
  "already_deactivated",
  "account_deactivated",
  "directory_managed",
]);

/** Come back later: a limit per time, or one thing at a time. */
const RETRY_LATER_CODES: ReadonlySet<string> = new Set(["rate_limited", "export_in_progress"]);

/**
 * not_found → 404, forbidden → 403, conflicts → 409, link_expired → 410,
 * rate_limited and export_in_progress → 429; anything else is the request's
 * own fault → 400 (invalid, note_required, the pause rules, invalid_code…).
 */
export function refusalStatus(refusal: Refusal): number {
  if (refusal.code === "not_found") return 404;
  if (refusal.code === "forbidden") return 403;
  if (CONFLICT_CODES.has(refusal.code)) return 409;
  if (refusal.code === "link_expired") return 410;
  if (RETRY_LATER_CODES.has(refusal.code)) return 429;
  return 400;
}

/** Someone else's record looks exactly like no record: a refusal `not_found` is thrown as the 404 page. */
export function throwIfNotFound(refusal: Refusal): void {
  if (refusal.code === "not_found") notFound();
}

/**
 * Maps a refusal's (or issue's) field to the form's field name; undefined
 * shows its message above the form. Default: the field as it is.
 */
export type FieldFor = (issue: Refusal) => string | undefined;

export type RefusalErrors = { formErrors: string[]; fieldErrors: Record<string, string[]> };

/** Every message of the refusal on the form field it concerns (its issues, or itself), else on the form. */
export function refusalErrors(
  refusal: Refusal,
  fieldFor: FieldFor = (i) => i.field,
): RefusalErrors {
  const errors: RefusalErrors = { formErrors: [], fieldErrors: {} };
  for (const issue of refusal.issues?.length ? refusal.issues : [refusal]) {
    const field = fieldFor(issue);
    if (field) (errors.fieldErrors[field] ??= []).push(issue.message);
    else errors.formErrors.push(issue.message);
  }
  return errors;
}

type Replyable<R> = {
  reply(options?: {
    formErrors?: string[];
    fieldErrors?: Record<string, string[]>;
    hideFields?: string[];
  }): R;
};

/**
 * The form re-rendered with the refusal on its fields, with the refusal's
 * status: `{ ...extra, result: submission.reply(…) }`. A not_found is thrown
 * as the 404 page instead.
 */
export function refusalReply<R, E extends object = object>(
  submission: Replyable<R>,
  refusal: Refusal,
  {
    extra,
    fieldFor,
    hideFields,
    headers,
  }: { extra?: E; fieldFor?: FieldFor; hideFields?: string[]; headers?: HeadersInit } = {},
) {
  throwIfNotFound(refusal);
  const result = submission.reply({
    ...refusalErrors(refusal, fieldFor),
    ...(hideFields ? { hideFields } : {}),
  });
  return data({ ...(extra as E), result }, { status: refusalStatus(refusal), headers });
}

/**
 * For forms without Conform (a bare button): `body` (built from the
 * refusal's message) with the refusal's status. A not_found is thrown as the 404 page.
 */
export function refusalData<T>(refusal: Refusal, body: T) {
  throwIfNotFound(refusal);
  return data(body, { status: refusalStatus(refusal) });
}

/** Back to `url` with the refusal's message as an error toast. A not_found is thrown as the 404 page. */
export function redirectWithRefusal(url: string, refusal: Refusal) {
  throwIfNotFound(refusal);
  return redirectWithToast(url, { kind: "error", message: refusal.message });
}

type AgentCode = AgentError["error"]["code"];
const isAgentCode = (code: string): code is AgentCode =>
  (ERROR_CODES as readonly string[]).includes(code);

/**
 * The agent API's `{ error: { code, message, issues? } }` with the refusal's
 * status. Codes outside the protocol's list become `invalid_request`.
 */
export function agentRefusal(refusal: Refusal, headers?: Record<string, string>): Response {
  const code: AgentCode = isAgentCode(refusal.code) ? refusal.code : "invalid_request";
  const issues = refusal.issues?.map((i) => ({ path: i.field ?? "(body)", message: i.message }));
  return agentError(refusalStatus(refusal), code, refusal.message, { issues, headers });
}
