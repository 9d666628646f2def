/**
 * The rules for privacy acknowledgements, pure: the signing form, whether a
 * typed name matches the profile, and each document's status for a worker.
 * What changed between two versions is in document-diff.ts.
 */
import { z } from "zod";

export const MONITORING_NOTICE_SLUG = "monitoring-notice";

/** Case, accents' composition and runs of spaces do not matter; letters do. */
/**
 * The acknowledgement gate: nothing is collected while the policy asks for it,
 * a monitoring notice that requires acknowledgement is published, and the
 * worker has not acknowledged that (current) version. The facts come from the
 * database (by Prisma or by the ingestion SQL); the rule is only here.
 */
export function acknowledgementGateHolds({
  policyRequires,
  notice,
  signedCurrentNotice,
}: {
  policyRequires: boolean;
  /** The newest published monitoring notice, if any. */
  notice: { requiresAcknowledgement: boolean } | null;
  signedCurrentNotice: boolean;
}): boolean {
  return (
    policyRequires && notice !== null && notice.requiresAcknowledgement && !signedCurrentNotice
  );
}

/**
 * What publishing a draft does to collection: when it is a monitoring notice
 * that must be acknowledged and the policy holds collection until then, every
 * active person is held until they sign it. `newlyHeld` are those collecting
 * now (they signed the current notice, or no notice held them); null when
 * publishing holds nobody.
 */
export function publishHoldImpact({
  policyRequires,
  draft,
  currentNotice,
  activePeople,
  signedCurrentNotice,
}: {
  policyRequires: boolean;
  draft: { slug: string; requiresAcknowledgement: boolean };
  /** The newest published monitoring notice, if any. */
  currentNotice: { requiresAcknowledgement: boolean } | null;
  activePeople: number;
  /** Active people who signed `currentNotice`. */
  signedCurrentNotice: number;
}): { newlyHeld: number; alreadyHeld: number; activePeople: number } | null {
  if (!policyRequires || draft.slug !== MONITORING_NOTICE_SLUG || !draft.requiresAcknowledgement)
    return null;
  const currentlyGated = currentNotice !== null && currentNotice.requiresAcknowledgement;
  const alreadyHeld = currentlyGated ? activePeople - signedCurrentNotice : 0;
  return { newlyHeld: activePeople - alreadyHeld, alreadyHeld, activePeople };
}

export function normalizeName(name: string): string {
  return name.normalize("NFC").trim().replace(/\s+/g, " ").toLocaleLowerCase("en");
}

export function namesMatch(typed: string, profileName: string): boolean {
  return normalizeName(typed) === normalizeName(profileName) && normalizeName(typed) !== "";
}

/** The signing form; the name check against the profile is in `signatureSchema`. */
export function signatureSchema(profileName: string) {
  return z.object({
    documentId: z.string({ required_error: "Choose a document." }).min(1).max(64),
    confirm: z.literal("on", {
      errorMap: () => ({ message: "Tick the box to confirm you have read and understood it." }),
    }),
    signedName: z
      .string({ required_error: "Type your full name." })
      .max(200, "That name is too long.")
      .refine((typed) => namesMatch(typed, profileName), {
        message: `Type your full name exactly as in your profile: ${profileName}.`,
      }),
  });
}

export type DocumentStatus = "signed" | "outdated" | "never" | "not_required";

/**
 * Where a worker stands with a document: signed the current version,
 * signed an older one only (outdated), or never; informational documents
 * that nobody has to sign are "not_required" unless signed.
 */
export function documentStatus({
  currentVersion,
  signedVersions,
  requiresAcknowledgement,
}: {
  currentVersion: number;
  signedVersions: readonly number[];
  requiresAcknowledgement: boolean;
}): DocumentStatus {
  if (signedVersions.includes(currentVersion)) return "signed";
  if (!requiresAcknowledgement) return "not_required";
  return signedVersions.length > 0 ? "outdated" : "never";
}

/** The longest document body an admin may write, in characters. */
export const MAX_DOCUMENT_CHARS = 100_000;

/**
 * A document lives at /acknowledgements/<slug>; these addresses are the
 * portal's own pages there, so no document may take them.
 */
export const RESERVED_DOCUMENT_SLUGS: readonly string[] = ["verify"];

/** Admin draft form. */
export const DocumentDraftSchema = z.object({
  slug: z
    .string({ required_error: "Give the document a short name." })
    .trim()
    .regex(
      /^[a-z0-9]+(-[a-z0-9]+)*$/,
      "Use lowercase letters, digits and dashes, e.g. monitoring-notice.",
    )
    .max(60)
    .refine((slug) => !RESERVED_DOCUMENT_SLUGS.includes(slug), {
      message:
        "That name is taken by a page of the portal (/acknowledgements/verify). Choose another.",
    }),
  title: z.string({ required_error: "Give the document a title." }).trim().min(3).max(200),
  body: z
    .string({ required_error: "Write the document." })
    .trim()
    .min(20, "Write at least 20 characters.")
    .max(MAX_DOCUMENT_CHARS, "Keep the document under 100,000 characters."),
  summaryOfChanges: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .transform((v) => v || null),
  requiresAcknowledgement: z
    .literal("on")
    .optional()
    .transform((v) => v === "on"),
});
export type DocumentDraft = z.output<typeof DocumentDraftSchema>;
