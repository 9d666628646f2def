/**
 * "Verify a receipt" (/acknowledgements/verify): a receipt file uploaded or
 * its text pasted, checked with the code the offline CLI runs
 * (`verifyReceiptFile`, app/receipts/receipt.ts) against this portal's keys,
 * and the answer in words. Nothing is stored or audited: the person supplies
 * the receipt, and the answer depends only on it and the public key (ADR 0024).
 */
import { z } from "zod";
import { formatDateTime } from "#app/domain/local-time.ts";
import {
  verifyReceiptFileWithKeys,
  attestedAt,
  type ReceiptKey,
  type ReceiptPayload,
  type VerifyFailure,
} from "#app/receipts/receipt.ts";

/**
 * A receipt is about 1 KB (its longest fields are names and a title of at
 * most 200 characters); anything over this is not one.
 */
export const MAX_RECEIPT_BYTES = 16 * 1024;

export type ReceiptCheck =
  | {
      verdict: "genuine";
      source: Source;
      keyId: string;
      receipt: ReceiptPayload;
      /** When it was signed (or the deletion made), in the time zone of the person checking. */
      signedLocal: string;
    }
  | { verdict: "not_genuine"; source: Source; code: VerifyFailure; message: string }
  /** Nothing to check, or not a receipt at all: the form's error. */
  | { verdict: "unreadable"; message: string };

type Source = "upload" | "paste";

export type ReceiptCheckOutcome = { status: 200 | 400 | 413; check: ReceiptCheck };

const FormSchema = z.object({
  receipt: z.string().optional(),
  file: z.union([z.instanceof(File), z.string()]).optional(),
});

const unreadable = (status: 400 | 413, message: string): ReceiptCheckOutcome => ({
  status,
  check: { verdict: "unreadable", message },
});

const TOO_LARGE = `A Lull receipt is about 1 KB; this is over ${MAX_RECEIPT_BYTES / 1024} KB, so it is not one. Choose the .json file you downloaded from a receipt page.`;

/**
 * The receipt's text from the form: the uploaded file byte for byte (as the
 * CLI reads it), or the pasted text with its line breaks made `\n` and the
 * white space around it dropped (a text box sends CRLF, and copying often
 * loses the final newline or adds spaces), then ending in the one newline
 * the portal's file ends with. Any other change still fails the check.
 */
async function receiptText(
  form: FormData,
): Promise<
  { ok: true; text: string; source: Source } | { ok: false; outcome: ReceiptCheckOutcome }
> {
  const parsed = FormSchema.safeParse({
    receipt: form.get("receipt") ?? undefined,
    file: form.get("file") ?? undefined,
  });
  if (!parsed.success) {
    return {
      ok: false,
      outcome: unreadable(400, "Lull could not read this form. Reload the page and try again."),
    };
  }
  const file =
    parsed.data.file instanceof File && parsed.data.file.size > 0 ? parsed.data.file : null;
  const pasted = (parsed.data.receipt ?? "").trim();
  if (file && pasted) {
    return {
      ok: false,
      outcome: unreadable(
        400,
        "Choose the receipt file or paste its text, not both: clear the text box, or choose no file.",
      ),
    };
  }
  if (file) {
    if (file.size > MAX_RECEIPT_BYTES) return { ok: false, outcome: unreadable(413, TOO_LARGE) };
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
      return { ok: true, text, source: "upload" };
    } catch {
      return {
        ok: false,
        outcome: unreadable(
          400,
          "This file is not text, so it is not a receipt. Choose the .json file you downloaded from a receipt page.",
        ),
      };
    }
  }
  if (pasted) {
    if (Buffer.byteLength(pasted, "utf8") > MAX_RECEIPT_BYTES) {
      return { ok: false, outcome: unreadable(413, TOO_LARGE) };
    }
    return { ok: true, text: `${pasted.replace(/\r\n?/g, "\n")}\n`, source: "paste" };
  }
  return {
    ok: false,
    outcome: unreadable(400, "Choose the receipt file, or paste the receipt's text."),
  };
}

const NOT_GENUINE: Record<Exclude<VerifyFailure, "not_json" | "not_a_receipt">, string> = {
  unknown_key:
    "It was not signed by this portal: it names a signing key this portal does not hold. It may come from another portal, or be forged.",
  signature_encoding:
    "Its signature is not written the way this portal writes signatures: it was changed after it was issued.",
  signature_mismatch:
    "Its signature does not match what it says: something in it was changed after it was issued, or it was forged.",
  bytes_altered:
    "What it says was signed by this portal, but the file was changed since (its spacing, line breaks or order differ from the receipt as issued). The offline check refuses it too; use the file exactly as downloaded.",
};

/** What Zod found wrong may quote the input's own field names: at most 200 characters of it. */
function shortened(detail: string): string {
  return detail.length > 200 ? `${detail.slice(0, 199)}…` : detail;
}

/** Checks the receipt in a submitted form: the page's whole answer, with its status. */
export async function checkReceiptForm(
  form: FormData,
  { keys, timeZone }: { keys: readonly ReceiptKey[]; timeZone: string },
): Promise<ReceiptCheckOutcome> {
  const read = await receiptText(form);
  if (!read.ok) return read.outcome;
  const result = verifyReceiptFileWithKeys(read.text, keys);
  if (result.ok) {
    return {
      status: 200,
      check: {
        verdict: "genuine",
        source: read.source,
        keyId: result.keyId,
        receipt: result.payload,
        signedLocal: formatDateTime(new Date(attestedAt(result.payload)), timeZone),
      },
    };
  }
  if (result.code === "not_json") {
    return unreadable(
      400,
      "This is not a receipt: it is not JSON. Choose the .json file you downloaded from a receipt page, or paste all of its text, from the first { to the last }.",
    );
  }
  if (result.code === "not_a_receipt") {
    return unreadable(
      400,
      `This is JSON, but not a Lull acknowledgement receipt (${shortened(result.reason.replace(/^Not a Lull receipt: /, ""))}).`,
    );
  }
  return {
    status: 200,
    check: {
      verdict: "not_genuine",
      source: read.source,
      code: result.code,
      message: NOT_GENUINE[result.code],
    },
  };
}
