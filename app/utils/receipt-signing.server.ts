import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  canonicalJson,
  keyIdOf,
  type Receipt,
  type ReceiptKey,
  type ReceiptPayload,
} from "#app/receipts/receipt.ts";
import { getEnv } from "./env.server.ts";
import { sqlitePathFromUrl } from "./sqlite-adapter.server.ts";

/**
 * The portal's Ed25519 receipt-signing key. RECEIPT_SIGNING_KEY (a PKCS#8 PEM)
 * wins; without it, the key lives in `receipt-signing-key.pem` beside the
 * database file (mode 0600), made on first use, so a development or demo
 * portal signs receipts that stay verifiable across restarts. Never logged.
 */
type SigningKey = { privateKey: KeyObject; publicKeyPem: string; keyId: string };

let cached: { source: string; key: SigningKey } | undefined;

function keyFilePath(): string {
  return path.join(
    path.dirname(sqlitePathFromUrl(getEnv().DATABASE_URL)),
    "receipt-signing-key.pem",
  );
}

function loadKey(): SigningKey {
  const fromEnv = getEnv().RECEIPT_SIGNING_KEY;
  const source = fromEnv ? "env" : keyFilePath();
  if (cached?.source === source) return cached.key;
  let pem = fromEnv;
  if (!pem) {
    if (!existsSync(source)) {
      mkdirSync(path.dirname(source), { recursive: true });
      const { privateKey } = generateKeyPairSync("ed25519");
      writeFileSync(source, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
      chmodSync(source, 0o600);
    }
    pem = readFileSync(source, "utf8");
  }
  const privateKey = createPrivateKey(pem);
  const publicKeyPem = createPublicKey(privateKey)
    .export({ type: "spki", format: "pem" })
    .toString();
  const key = { privateKey, publicKeyPem, keyId: keyIdOf(publicKeyPem) };
  cached = { source, key };
  return key;
}

export function receiptPublicKey(): { publicKeyPem: string; keyId: string } {
  const { publicKeyPem, keyId } = loadKey();
  return { publicKeyPem, keyId };
}

/**
 * The keys this portal's receipts verify against. Today the one signing key;
 * a rotation (docs/receipts.md) would list the earlier public keys here too,
 * so receipts they signed still check as genuine in the portal.
 */
export function receiptVerificationKeys(): ReceiptKey[] {
  return [receiptPublicKey()];
}

export function signReceiptPayload<P extends ReceiptPayload>(payload: P): Receipt<P> {
  const { privateKey, keyId } = loadKey();
  const value = sign(null, Buffer.from(canonicalJson(payload), "utf8"), privateKey).toString(
    "base64url",
  );
  return { payload, signature: { algorithm: "Ed25519", keyId, value } };
}
