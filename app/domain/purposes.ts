/**
 * The purpose registry's rules (ADR 0042). Every access to a worker's data by
 * someone else names a purpose; the registry keeps every version of each
 * purpose, and the policy marks some as prohibited (performance evaluation and
 * discipline from the start). Pure: versions and `now` in, answers out.
 */
import { z } from "zod";
import { refuse, type Refused } from "./refusal.ts";

/** The purposes the code itself names as a context's default (all in the first migration). */
export const PURPOSE_KEYS = {
  aiTraining: "ai-training",
  exemptionReview: "exemption-review",
  rightsRequest: "rights-request",
  recordsRequest: "records-request",
  securityInvestigation: "security-investigation",
} as const;

/**
 * The purposes a dataset may be built for: training, the use the data is
 * collected for. A build under any other purpose would slip past the workers
 * who object to training (ADR 0043).
 */
export const DATASET_PURPOSES: readonly string[] = [PURPOSE_KEYS.aiTraining];

export type PurposeVersion = {
  id: string;
  key: string;
  version: number;
  name: string;
  description: string;
  legalBasis: string;
  retentionDays: number;
  prohibited: boolean;
  retired: boolean;
  /** Null while it waits for a representative's co-signature. */
  effectiveAt: Date | null;
};

/** In force at `now`: it took effect, and no later version of its key has. */
export function currentPurposes<P extends PurposeVersion>(versions: readonly P[], now: Date): P[] {
  const byKey = new Map<string, P>();
  for (const v of versions) {
    if (v.effectiveAt === null || v.effectiveAt > now) continue;
    const held = byKey.get(v.key);
    if (!held || v.version > held.version) byKey.set(v.key, v);
  }
  return [...byKey.values()]
    .filter((p) => !p.retired)
    .sort((a, b) => Number(a.prohibited) - Number(b.prohibited) || a.name.localeCompare(b.name));
}

/** What may be named for an access: in force and not prohibited. */
export function choosablePurposes<P extends PurposeVersion>(current: readonly P[]): P[] {
  return current.filter((p) => !p.prohibited);
}

/** A purpose key as a form or a URL carries it. */
export const PurposeKeySchema = z
  .string({ required_error: "Choose the purpose of this access." })
  .trim()
  .min(1, "Choose the purpose of this access.")
  .max(64, "That is not a purpose in the registry.")
  .regex(/^[a-z0-9-]+$/, "That is not a purpose in the registry.");

export const PurposeChoiceSchema = z.object({ purpose: PurposeKeySchema });

/**
 * The purpose named for an access, or why it cannot be named: none given
 * (`purpose_required`), not in the registry now (`purpose_unknown`), or ruled
 * out by the policy (`purpose_prohibited`). `allowed` narrows the choice to the
 * purposes that fit the context (a dataset build names a training purpose).
 */
export function resolvePurpose<P extends PurposeVersion>(
  current: readonly P[],
  key: string | null | undefined,
  allowed?: readonly string[],
): { ok: true; purpose: P } | Refused {
  const parsed = PurposeKeySchema.safeParse(key ?? "");
  if (!key || !parsed.success) {
    return key
      ? refuse("purpose_unknown", "That is not a purpose in the registry.", "purpose")
      : refuse("purpose_required", "Choose the purpose of this access.", "purpose");
  }
  const purpose = current.find((p) => p.key === parsed.data);
  if (!purpose)
    return refuse("purpose_unknown", "That is not a purpose in the registry.", "purpose");
  if (purpose.prohibited) {
    return refuse(
      "purpose_prohibited",
      `“${purpose.name}” is prohibited by the policy: workers' data is never used for it.`,
      "purpose",
    );
  }
  if (allowed && !allowed.includes(purpose.key)) {
    return refuse(
      "purpose_unknown",
      `“${purpose.name}” is not a purpose for this kind of access.`,
      "purpose",
    );
  }
  return { ok: true, purpose };
}

/** A purpose's settings as the privacy office edits them (a new version each time). */
export const PurposeFormSchema = z.object({
  name: z
    .string({ required_error: "Name the purpose." })
    .trim()
    .min(3, "Name the purpose in at least 3 characters.")
    .max(80, "Keep the name under 80 characters."),
  description: z
    .string({ required_error: "Describe what the data is used for." })
    .trim()
    .min(10, "Describe what the data is used for in at least 10 characters.")
    .max(1000, "Keep the description under 1,000 characters."),
  legalBasis: z
    .string({ required_error: "Give the legal basis." })
    .trim()
    .min(3, "Give the legal basis.")
    .max(200, "Keep the legal basis under 200 characters."),
  retentionDays: z.coerce
    .number({ invalid_type_error: "Enter a number of days." })
    .int("Enter a whole number of days.")
    .min(0, "Enter 0 or more days.")
    .max(3650, "At most 3,650 days (ten years)."),
  prohibited: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
  retired: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
});
export type PurposeSettings = z.infer<typeof PurposeFormSchema>;

export const NewPurposeSchema = PurposeFormSchema.extend({
  key: z
    .string({ required_error: "Give the purpose a short key." })
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Use lower-case letters, digits and single hyphens.")
    .min(2, "Use at least 2 characters.")
    .max(40, "Use at most 40 characters."),
});

/**
 * Whether a new version widens the use of workers' data, so that it waits for
 * a representative's co-signature when the policy asks for one: a new purpose,
 * a prohibited purpose permitted again, a retired one brought back, or a
 * longer retention. Wording changes, retiring and prohibiting never widen.
 */
export function purposeChangeWidens(
  before: Pick<PurposeSettings, "prohibited" | "retired" | "retentionDays"> | null,
  after: Pick<PurposeSettings, "prohibited" | "retired" | "retentionDays">,
): boolean {
  if (after.prohibited || after.retired) return false;
  if (before === null) return true;
  return before.prohibited || before.retired || after.retentionDays > before.retentionDays;
}

/** A representative's co-signature of a waiting purpose version, as the council's form sends it. */
export const CosignPurposeSchema = z.object({
  purposeId: z.string({ message: "Choose a purpose version to co-sign." }).min(1).max(100),
});
