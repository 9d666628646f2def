/**
 * The one shape of "no" that models and domain rules give: a stable
 * snake_case code a program can branch on, a sentence a person can act on,
 * and the form field it is about (if any). Routes turn it into a form reply,
 * a toast, a 404 or an agent API error in one helper
 * (`app/web/refusal-response.server.ts`, which also maps codes to HTTP
 * statuses); models never speak HTTP.
 *
 * Codes in use: `not_found`, `forbidden`, `conflict`, `rate_limited`,
 * `invalid`, `note_required`, `not_current`, `export_in_progress`,
 * `pause_not_running`, `pause_started`, `pause_over`, `invalid_code`,
 * `link_expired`, `invalid_credentials`, `account_deactivated`,
 * `weak_password`, `expired` (a sign-in step that waited too long),
 * `email_taken`, `last_admin`, `already_active`, `already_deactivated`,
 * `invalid_manager`, `manages_self`, `manager_loop`, `import_invalid`,
 * `cosignature_required` (publishing without a representative's co-signature, ADR 0042);
 * single sign-on's reasons (`already_used`, `no_email`, `email_unverified`,
 * `already_linked`, `unknown_user`, `deactivated`: each shown as its own
 * page by `app/web/sso.server.ts`); as
 * issues of an `invalid` refusal, the pause rules (`duration`, `running`,
 * `in_past`, `too_far_ahead`, `min_gap`, `daily_cap`) and an exemption
 * draft's rules (`invalid`, each on its field). test/architecture.test.ts
 * holds that models and domain rules refuse in this shape.
 */
export type Refusal = {
  code: string;
  message: string;
  field?: string;
  /**
   * Every problem of the request, each with its own code and (usually) field,
   * when a form rule reports several at once (pause rules, exemption drafts).
   * `message` then repeats them as one text for places without fields (a toast,
   * an API error); a form shows the issues instead.
   */
  issues?: Refusal[];
};

export type Refused = { ok: false; refusal: Refusal };

export type Outcome<T> = { ok: true; value: T } | Refused;

export function refuse(code: string, message: string, field?: string): Refused {
  return { ok: false, refusal: field ? { code, message, field } : { code, message } };
}

/** One refusal carrying every issue found (at least one). */
export function refuseAll(code: string, issues: readonly Refusal[]): Refused {
  return {
    ok: false,
    refusal: { code, message: issues.map((i) => i.message).join(" "), issues: [...issues] },
  };
}

export function accept<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}
