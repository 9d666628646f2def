/**
 * The purpose named for an access to someone else's data (ADR 0042), read
 * where a request carries it: a form's `purpose` field or a URL's `?purpose=`.
 * One rule (`resolvePurpose`) decides for every route; this only reads it and
 * turns the answer into what a route returns.
 */
import { data } from "@remix-run/node";
import type { Refusal } from "#app/domain/refusal.ts";
import { getPurposeChoices, purposeForAccess } from "#app/models/purpose.server.ts";

export type NamedPurpose = { id: string; key: string; version: number; name: string };

export type AccessPurpose =
  { ok: true; purpose: NamedPurpose } | { ok: false; refusal: Refusal; given: string | null };

/** The purpose a URL names (`?purpose=`), resolved; `allowed` narrows it to the context's purposes. */
export async function purposeFromUrl(
  request: Request,
  now: Date,
  allowed?: readonly string[],
): Promise<AccessPurpose> {
  const given = new URL(request.url).searchParams.get("purpose");
  return named(given, now, allowed);
}

/** The purpose a form names (its `purpose` field), resolved. */
export async function purposeFromForm(
  form: FormData,
  now: Date,
  allowed?: readonly string[],
): Promise<AccessPurpose> {
  const value = form.get("purpose");
  return named(typeof value === "string" ? value : null, now, allowed);
}

async function named(given: string | null, now: Date, allowed?: readonly string[]) {
  const result = await purposeForAccess(given, now, allowed);
  if (!result.ok) return { ok: false as const, refusal: result.refusal, given };
  const { id, key, version, name } = result.purpose;
  return { ok: true as const, purpose: { id, key, version, name } };
}

/**
 * What a page that asks for a purpose first returns instead of the data: the
 * choice to offer, the context's default, and the error, if a purpose was
 * given but cannot be named (400; none given yet is a plain 200).
 */
export async function purposeGate(
  purpose: Extract<AccessPurpose, { ok: false }>,
  now: Date,
  defaultKey: string,
) {
  const choices = await getPurposeChoices(now);
  const gate = {
    choices,
    defaultKey,
    error: purpose.given === null ? null : purpose.refusal.message,
  };
  return { gate, status: purpose.given === null ? 200 : 400 };
}

/** The 400 for a form that named a purpose it may not: the refusal as a field error. */
export function purposeRefused(refusal: Refusal) {
  return data(
    { result: { status: "error" as const, error: { purpose: [refusal.message] } } },
    { status: 400 },
  );
}
