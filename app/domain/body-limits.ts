/**
 * How many bytes of request body Lull reads, per kind of request (ADR 0018).
 * Bodies are read only through `app/web/request-body.server.ts` (the agent's
 * through `readLimitedBody`), which stops at these limits and answers 413.
 * Each limit is the largest honest request of its kind plus room to spare.
 */
import { MAX_DOCUMENT_CHARS } from "./acknowledgement-rules.ts";
import { MAX_IMPORT_BYTES } from "./user-import.ts";

const KIB = 1024;

/**
 * Percent-encoding (urlencoded forms) turns one UTF-16 code unit into at
 * most 3 UTF-8 bytes, each written as "%XX": 9 bytes on the wire.
 */
const URLENCODED_BYTES_PER_CHAR = 9;

export const BODY_LIMITS = {
  /** Every form but the two below: their longest field is 2,000 characters. */
  form: 64 * KIB,
  /** A policy document's draft: up to MAX_DOCUMENT_CHARS of Markdown, urlencoded. */
  documentForm: MAX_DOCUMENT_CHARS * URLENCODED_BYTES_PER_CHAR + 64 * KIB,
  /**
   * The people import: a 1 MB file as a multipart upload, or the dry run's
   * text posted back urlencoded (a real CSV grows by about a third; 4 MB
   * leaves three times the file).
   */
  importForm: 4 * MAX_IMPORT_BYTES,
} as const;

/** "64 KB", "1 MB": a limit as people read it. */
export function describeBytes(bytes: number): string {
  if (bytes >= KIB * KIB) return `${Math.floor(bytes / (KIB * KIB))} MB`;
  return `${Math.floor(bytes / KIB)} KB`;
}

/** A SCIM request (ADR 0040): a user, or a group PATCH adding a few thousand members. */
export const SCIM_BODY_LIMIT = 1024 * KIB;
