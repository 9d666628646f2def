/**
 * Receipts: what the portal signs, and how anyone checks it. Two formats of
 * one family: an acknowledgement of a policy document, and a deletion of a
 * worker's data (ADR 0041); the same canonical JSON, key and check.
 * The payload is canonical JSON (keys sorted, no spaces) so the bytes signed
 * are the bytes anyone can rebuild from the receipt; the signature is Ed25519
 * (Node's crypto, no dependency). Verification needs only the receipt and
 * the portal's public key, published at /.well-known/lull-receipt-key.
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { z } from "zod";

import { DATASET_MANIFEST_FORMAT, DELETION_RECEIPT_FORMAT, RECEIPT_FORMAT } from "./formats.ts";

export { DATASET_MANIFEST_FORMAT, DELETION_RECEIPT_FORMAT, RECEIPT_FORMAT };

const WorkerSchema = z.object({ id: z.string(), name: z.string(), email: z.string() }).strict();

/**
 * Strict at every level: a field added to a receipt is not covered by its
 * signature, so a receipt with one is refused rather than passed as signed.
 */
export const AcknowledgementReceiptPayloadSchema = z
  .object({
    format: z.literal(RECEIPT_FORMAT),
    acknowledgementId: z.string(),
    issuer: z.string(),
    worker: WorkerSchema,
    document: z
      .object({
        slug: z.string(),
        version: z.number().int().positive(),
        title: z.string(),
        contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict(),
    signedName: z.string(),
    signedAt: z.string().datetime(),
    /**
     * The worker representative who co-signed this version before it was
     * published (ADR 0042); absent when none did (and in receipts issued before).
     */
    cosignedBy: z
      .object({ name: z.string(), role: z.literal("representative"), at: z.string().datetime() })
      .strict()
      .optional(),
  })
  .strict();
export type AcknowledgementReceiptPayload = z.infer<typeof AcknowledgementReceiptPayloadSchema>;

const count = z.number().int().nonnegative();

/**
 * What a deletion removed (ADR 0041): a forgotten span, a private
 * application's stored events, what retention deleted up to `to`, or a
 * span erased at the worker's request (ADR 0042).
 */
export const DeletionReceiptPayloadSchema = z
  .object({
    format: z.literal(DELETION_RECEIPT_FORMAT),
    receiptId: z.string(),
    issuer: z.string(),
    worker: WorkerSchema,
    deletion: z
      .object({
        kind: z.enum(["forget", "private_app", "retention", "erasure"]),
        /** The span deleted (forget, erasure); retention: null (everything before `to`). */
        from: z.string().datetime().nullable(),
        to: z.string().datetime().nullable(),
        /** The private application's pattern (private_app), else null. */
        app: z.string().nullable(),
        events: count,
        hourlyRollupRows: count,
        dailyRollupRows: count,
      })
      .strict(),
    deletedAt: z.string().datetime(),
  })
  .strict();
export type DeletionReceiptPayload = z.infer<typeof DeletionReceiptPayloadSchema>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * An AI-training dataset's manifest (ADR 0043): what the file holds and under
 * which rules it was built, signed like a receipt so anyone holding the file
 * can check it offline against the portal's key.
 */
export const DatasetManifestPayloadSchema = z
  .object({
    format: z.literal(DATASET_MANIFEST_FORMAT),
    datasetId: z.string(),
    name: z.string(),
    issuer: z.string(),
    purpose: z
      .object({
        key: z.string(),
        version: z.number().int().positive(),
        name: z.string(),
        legalBasis: z.string(),
        retentionDays: z.number().int().positive(),
      })
      .strict(),
    /** [from, to) in UTC. */
    range: z.object({ from: z.string().datetime(), to: z.string().datetime() }).strict(),
    rows: z.object({ events: count, workers: count }).strict(),
    file: z.object({ name: z.string(), format: z.string(), bytes: count, sha256 }).strict(),
    policyVersion: z.number().int().positive(),
    /** The monitoring notice in force; every worker held acknowledged this version (none: empty). */
    notice: z
      .object({ slug: z.string(), version: z.number().int().positive(), contentSha256: sha256 })
      .strict()
      .nullable(),
    /** How worker ids were replaced: a keyed hash whose key was discarded after the build. */
    pseudonyms: z.literal("HMAC-SHA256, a random key per dataset, discarded after the build"),
    builtAt: z.string().datetime(),
  })
  .strict();
export type DatasetManifestPayload = z.infer<typeof DatasetManifestPayloadSchema>;

export const ReceiptPayloadSchema = z.discriminatedUnion("format", [
  AcknowledgementReceiptPayloadSchema,
  DeletionReceiptPayloadSchema,
  DatasetManifestPayloadSchema,
]);
export type ReceiptPayload = z.infer<typeof ReceiptPayloadSchema>;

/** When what a receipt attests happened: signed, deleted or built. */
export function attestedAt(p: ReceiptPayload): string {
  if (p.format === RECEIPT_FORMAT) return p.signedAt;
  if (p.format === DATASET_MANIFEST_FORMAT) return p.builtAt;
  return p.deletedAt;
}

/** A receipt's payload in one sentence: what a check prints after "VALID:". */
export function describeReceipt(p: ReceiptPayload): string {
  if (p.format === RECEIPT_FORMAT) {
    const cosigned = p.cosignedBy
      ? ` The version was co-signed by ${p.cosignedBy.name} (worker representative) at ${p.cosignedBy.at}.`
      : "";
    return `${p.worker.name} <${p.worker.email}> acknowledged "${p.document.title}" version ${p.document.version} (text SHA-256 ${p.document.contentSha256}) as "${p.signedName}" at ${p.signedAt}; issued by ${p.issuer}.${cosigned}`;
  }
  if (p.format === DATASET_MANIFEST_FORMAT) {
    return `Dataset "${p.name}" (${p.datasetId}) for "${p.purpose.name}" (purpose ${p.purpose.key} version ${p.purpose.version}): ${p.rows.events} events of ${p.rows.workers} workers from ${p.range.from} to ${p.range.to}, file ${p.file.name} of ${p.file.bytes} bytes with SHA-256 ${p.file.sha256}, under policy version ${p.policyVersion} and ${p.notice ? `notice ${p.notice.slug} version ${p.notice.version}` : "no monitoring notice"}, built at ${p.builtAt}; issued by ${p.issuer}.`;
  }
  const d = p.deletion;
  const what =
    d.kind === "forget"
      ? `the span ${d.from} to ${d.to} they asked to forget`
      : d.kind === "private_app"
        ? `the stored events of the private application "${d.app}"`
        : d.kind === "erasure"
          ? `the span ${d.from} to ${d.to} they asked to erase`
          : `their data recorded before ${d.to} (retention)`;
  return `Deleted ${what} for ${p.worker.name} <${p.worker.email}>: ${d.events} events, ${d.hourlyRollupRows} hourly and ${d.dailyRollupRows} daily rollup rows, at ${p.deletedAt}; issued by ${p.issuer}.`;
}

export const ReceiptSchema = z
  .object({
    payload: ReceiptPayloadSchema,
    signature: z
      .object({
        algorithm: z.literal("Ed25519"),
        keyId: z.string(),
        /** base64url of the Ed25519 signature over canonicalJson(payload). */
        value: z.string(),
      })
      .strict(),
  })
  .strict();
/** A receipt; `P` narrows it to one format. */
export type Receipt<P extends ReceiptPayload = ReceiptPayload> = Omit<
  z.infer<typeof ReceiptSchema>,
  "payload"
> & { payload: P };

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of a document version's title and body, as published and as signed. */
export function documentContentSha256(title: string, body: string): string {
  return createHash("sha256").update(`${title}\n\n${body}`, "utf8").digest("hex");
}

/** A short, stable name for a public key: the first 16 hex digits of the SHA-256 of its SPKI DER. */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

/** Why a receipt did not verify, for a program; `reason` says it for a person. */
export type VerifyFailure =
  | "not_json"
  | "not_a_receipt"
  | "unknown_key"
  | "signature_encoding"
  | "signature_mismatch"
  | "bytes_altered";

export type VerifyResult =
  | { ok: true; payload: ReceiptPayload; keyId: string }
  | { ok: false; code: VerifyFailure; reason: string };

/** The first problem Zod found, with where it is ("payload.document.version: Expected number…"). */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "";
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

const NOT_JSON: VerifyResult = {
  ok: false,
  code: "not_json",
  reason: "The file is not a JSON receipt.",
};

function notAReceipt(error: z.ZodError): VerifyResult {
  return { ok: false, code: "not_a_receipt", reason: `Not a Lull receipt: ${firstIssue(error)}` };
}

/** Checks that `input` is a well-formed receipt signed by the holder of `publicKeyPem`. */
export function verifyReceipt(input: unknown, publicKeyPem: string): VerifyResult {
  const parsed = ReceiptSchema.safeParse(input);
  if (!parsed.success) {
    return notAReceipt(parsed.error);
  }
  const { payload, signature } = parsed.data;
  // Only the one canonical base64url spelling of the signature counts (the last character has
  // spare bits that decoders ignore).
  if (Buffer.from(signature.value, "base64url").toString("base64url") !== signature.value) {
    return {
      ok: false,
      code: "signature_encoding",
      reason: "The signature is not in canonical base64url.",
    };
  }
  if (signature.keyId !== keyIdOf(publicKeyPem)) {
    return {
      ok: false,
      code: "unknown_key",
      reason: "The receipt names a different signing key.",
    };
  }
  const valid = verify(
    null,
    Buffer.from(canonicalJson(payload), "utf8"),
    createPublicKey(publicKeyPem),
    Buffer.from(signature.value, "base64url"),
  );
  return valid
    ? { ok: true, payload, keyId: signature.keyId }
    : {
        ok: false,
        code: "signature_mismatch",
        reason: "The signature does not match: the receipt was altered or forged.",
      };
}

/** The receipt file exactly as the portal serves it (2-space JSON and a newline). */
export function formatReceipt(receipt: Receipt): string {
  return `${JSON.stringify(receipt, null, 2)}\n`;
}

/**
 * Checks a receipt file byte for byte: it must be the portal's own
 * serialization of a receipt whose signature verifies, so changing any byte
 * (even spacing) fails.
 */
export function verifyReceiptFile(text: string, publicKeyPem: string): VerifyResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
  const result = verifyReceipt(parsed, publicKeyPem);
  if (!result.ok) return result;
  if (formatReceipt(parsed as Receipt) !== text) {
    return {
      ok: false,
      code: "bytes_altered",
      reason: "The file was altered: its bytes differ from the receipt as issued.",
    };
  }
  return result;
}

/** A public key a portal signs (or signed) receipts with, and its keyId. */
export type ReceiptKey = { keyId: string; publicKeyPem: string };

/**
 * `verifyReceiptFile` against whichever of `keys` the receipt names: for a
 * portal that holds its current key and, after a rotation, its earlier ones.
 * A receipt naming none of them is `unknown_key`.
 */
export function verifyReceiptFileWithKeys(text: string, keys: readonly ReceiptKey[]): VerifyResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
  const shape = ReceiptSchema.safeParse(parsed);
  if (!shape.success) return notAReceipt(shape.error);
  const key = keys.find((k) => k.keyId === shape.data.signature.keyId);
  if (!key) {
    return {
      ok: false,
      code: "unknown_key",
      reason: `The receipt names a signing key (${shape.data.signature.keyId}) that this portal does not hold.`,
    };
  }
  return verifyReceiptFile(text, key.publicKeyPem);
}
