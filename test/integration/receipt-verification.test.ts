/**
 * Issue 16, item 11: "Verify a receipt" in the portal (/acknowledgements/verify).
 * A receipt file uploaded, or its text pasted, is checked on the server with
 * the CLI's code against this portal's key; the answer names what it attests,
 * or why it is not genuine; bad input is a clear 4xx; nothing is written.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { signDocument } from "#app/models/acknowledgement.server.ts";
import { createDraft, publishDraft } from "#app/models/policy-document.server.ts";
import { canonicalJson, formatReceipt, keyIdOf, type Receipt } from "#app/receipts/receipt.ts";
import { loader as receiptJsonLoader } from "#app/routes/acknowledgements.receipts.$ackId[.json].ts";
import { action, loader } from "#app/routes/acknowledgements.verify.tsx";
import type { ReceiptCheck } from "#app/web/receipt-check.server.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import { changedRows, snapshotDatabase } from "#test/db-fingerprint.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

let receipt: string;
let checker: string;

beforeAll(async () => {
  const admin = await createUser({ role: "ADMIN", name: "Docs Admin" });
  const worker = await createUser({ name: "Wren Castellanos", timezone: "Europe/Berlin" });
  const now = new Date("2026-11-27T08:30:12.345Z");
  const draft = await createDraft(
    {
      slug: "monitoring-notice",
      title: "Notice of electronic monitoring",
      body: "What the agent collects, and why. Long enough to be a document.",
      summaryOfChanges: null,
      requiresAcknowledgement: true,
    },
    admin.id,
    now,
  );
  if (!draft.ok) throw new Error(draft.refusal.message);
  await publishDraft(draft.id, admin.id, now);
  const signed = await signDocument({
    worker: { id: worker.id, name: worker.name, email: worker.email },
    documentId: draft.id,
    signedName: "wren castellanos",
    ip: null,
    userAgent: null,
    now,
  });
  if (!signed.ok) throw new Error(signed.refusal.message);
  const cookie = await sessionCookieFor(worker.id);
  const json = await callRoute(
    receiptJsonLoader,
    getRequest(`/acknowledgements/receipts/${signed.acknowledgementId}.json`, { cookie }),
    { params: { ackId: signed.acknowledgementId } },
  );
  receipt = `${JSON.stringify(json.data, null, 2)}\n`;
  // Anyone signed in may check a receipt, here someone else than its worker.
  checker = await sessionCookieFor((await createUser({ name: "A Colleague" })).id);
});

function upload(
  content: string | Uint8Array<ArrayBuffer>,
  { cookie = checker, name = "receipt.json" } = {},
) {
  const form = new FormData();
  form.set("file", new File([content], name, { type: "application/json" }));
  form.set("receipt", "");
  return send(form, cookie);
}

function paste(text: string, cookie = checker) {
  return callRoute(action, formRequest("/acknowledgements/verify", { receipt: text }, { cookie }));
}

function send(form: FormData, cookie = checker) {
  return callRoute(
    action,
    new Request("http://127.0.0.1/acknowledgements/verify", {
      method: "POST",
      body: form,
      headers: { Cookie: cookie },
    }),
  );
}

const checkOf = (res: { data: unknown }) => (res.data as { check: ReceiptCheck }).check;

describe("a genuine receipt", () => {
  test("uploaded as the file it was downloaded as, it verifies and the page says what it attests", async () => {
    const before = await snapshotDatabase();
    const res = await upload(receipt);
    expect(res.status).toBe(200);
    const check = checkOf(res);
    expect(check).toMatchObject({
      verdict: "genuine",
      source: "upload",
      keyId: receiptPublicKey().keyId,
      receipt: {
        document: {
          slug: "monitoring-notice",
          version: 1,
          title: "Notice of electronic monitoring",
          contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        worker: { name: "Wren Castellanos" },
        signedName: "wren castellanos",
        signedAt: "2026-11-27T08:30:12.345Z",
      },
      // In the checker's time zone.
      signedLocal: expect.stringContaining("27 Nov 2026, 09:30"),
    });
    // Checking is not audited and stores nothing.
    expect(changedRows(before, await snapshotDatabase())).toEqual([]);
  });

  test("pasted, it verifies too, whether the text box sent CRLF, lost the final newline or gained spaces", async () => {
    for (const text of [
      receipt,
      receipt.trimEnd(),
      receipt.replace(/\n/g, "\r\n"),
      `  \n${receipt}\n\n  `,
    ]) {
      const res = await paste(text);
      expect(res.status).toBe(200);
      expect(checkOf(res)).toMatchObject({ verdict: "genuine", source: "paste" });
    }
    // Pasted into the multipart form the page sends, with no file chosen.
    const form = new FormData();
    form.set("receipt", receipt);
    form.set("file", new File([], "", { type: "application/octet-stream" }));
    expect(checkOf(await send(form))).toMatchObject({ verdict: "genuine", source: "paste" });
  });

  test("the page is for anyone signed in: signed out, the form sends you to sign in", async () => {
    const res = await callRoute(
      action,
      formRequest("/acknowledgements/verify", { receipt: receipt }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/login/);
    const page = await callRoute(
      loader,
      getRequest("/acknowledgements/verify", { cookie: checker }),
    );
    expect(page.data).toEqual({ keyIds: [receiptPublicKey().keyId] });
  });
});

describe("a receipt that is not genuine", () => {
  test("one character changed in what was signed: the signature does not match", async () => {
    const altered = receipt.replace(
      '"signedName": "wren castellanos"',
      '"signedName": "wren castellanoz"',
    );
    expect(altered).not.toBe(receipt);
    for (const res of [await upload(altered), await paste(altered)]) {
      expect(res.status).toBe(200);
      expect(checkOf(res)).toMatchObject({
        verdict: "not_genuine",
        code: "signature_mismatch",
        message: expect.stringContaining("does not match"),
      });
    }
  });

  test("property: any one byte of the file changed, it is never reported genuine", async () => {
    const bytes = Buffer.from(receipt, "utf8");
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, delta) => {
          const changed = Buffer.from(bytes);
          changed[at] = (changed[at]! + delta) % 256;
          const res = await upload(
            new Uint8Array(
              changed.buffer.slice(changed.byteOffset, changed.byteOffset + changed.length),
            ),
          );
          expect(res.status).toBeLessThan(500);
          expect(checkOf(res).verdict).not.toBe("genuine");
        },
      ),
      { numRuns: 60 },
    );
  });

  test("a field added to the receipt is refused, though the signature covers the rest", async () => {
    const parsed = JSON.parse(receipt) as Receipt & { payload: { note?: string } };
    parsed.payload.note = "Also agreed to screenshots.";
    const res = await upload(formatReceipt(parsed));
    expect(res.status).toBe(400);
    expect(checkOf(res)).toMatchObject({
      verdict: "unreadable",
      message: expect.stringContaining("not a Lull acknowledgement receipt"),
    });
  });

  test("reformatted (same content, other spacing): refused as not the file as issued, as the CLI does", async () => {
    const minified = JSON.stringify(JSON.parse(receipt));
    const res = await upload(minified);
    expect(checkOf(res)).toMatchObject({ verdict: "not_genuine", code: "bytes_altered" });
  });

  test("signed by a key this portal does not hold: unknown key", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const parsed = JSON.parse(receipt) as Receipt;
    const forged: Receipt = {
      payload: parsed.payload,
      signature: {
        algorithm: "Ed25519",
        keyId: keyIdOf(pem),
        value: sign(null, Buffer.from(canonicalJson(parsed.payload)), privateKey).toString(
          "base64url",
        ),
      },
    };
    const res = await upload(formatReceipt(forged));
    expect(res.status).toBe(200);
    expect(checkOf(res)).toMatchObject({
      verdict: "not_genuine",
      code: "unknown_key",
      message: expect.stringContaining("not signed by this portal"),
    });
  });
});

describe("bad input gets a clear 4xx, and nothing is written", () => {
  test("garbage, JSON of another shape, binary, nothing, or both a file and text: 400 with what to do", async () => {
    const cases: [Promise<Awaited<ReturnType<typeof paste>>>, RegExp][] = [
      [paste("hello, is this a receipt?"), /not JSON/],
      [upload('{ "payload": '), /not JSON/],
      [paste('{"a": 1}'), /not a Lull acknowledgement receipt \(payload: Required\)/],
      [paste("[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"), /not a Lull acknowledgement receipt/],
      [upload(new Uint8Array([0xff, 0xfe, 0x00, 0x80])), /not text/],
      [paste("   "), /Choose the receipt file, or paste/],
      [send(new FormData()), /Choose the receipt file, or paste/],
    ];
    const before = await snapshotDatabase();
    for (const [pending, message] of cases) {
      const res = await pending;
      expect(res.status).toBe(400);
      expect(checkOf(res)).toEqual({
        verdict: "unreadable",
        message: expect.stringMatching(message),
      });
    }
    const both = new FormData();
    both.set("receipt", receipt);
    both.set("file", new File([receipt], "receipt.json"));
    const res = await send(both);
    expect(res.status).toBe(400);
    expect(checkOf(res).verdict).toBe("unreadable");
    expect(changedRows(before, await snapshotDatabase())).toEqual([]);
  });

  test("a file over 16 KB is not a receipt (413); a body over the 64 KB form limit is refused before it is read (413)", async () => {
    const padded = `${receipt.slice(0, -2)},\n  "padding": "${"x".repeat(20_000)}"\n}\n`;
    const big = await upload(padded);
    expect(big.status).toBe(413);
    expect(checkOf(big)).toEqual({
      verdict: "unreadable",
      message: expect.stringMatching(/about 1 KB.*not one/),
    });
    expect((await paste(padded)).status).toBe(413);
    const huge = await upload("x".repeat(100_000));
    expect(huge.status).toBe(413);
    expect(checkOf(huge)).toEqual({
      verdict: "unreadable",
      message: expect.stringMatching(/far larger than a receipt/),
    });
  });

  test("a body that is not a form is 415", async () => {
    const res = await callRoute(
      action,
      new Request("http://127.0.0.1/acknowledgements/verify", {
        method: "POST",
        body: receipt,
        headers: { Cookie: checker, "Content-Type": "application/json" },
      }),
    );
    expect(res.status).toBe(415);
  });
});
