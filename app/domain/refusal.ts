/**
 * The one shape of "no" that models and domain rules give: a stable code a
 * program can branch on, a sentence a person can act on, and the form field it
 * is about (if any). Routes turn it into a form reply, a toast or an API
 * error in one helper (`app/utils/refusal-response.server.ts`); models never
 * speak HTTP.
 */
export type Refusal = { code: string; message: string; field?: string };

export type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export function refuse(
  code: string,
  message: string,
  field?: string,
): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: field ? { code, message, field } : { code, message } };
}

export function accept<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}
