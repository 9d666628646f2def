import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";

/**
 * The public half of the receipt-signing key (SPKI PEM), for anyone to check
 * receipts offline. Public by design: no sign-in.
 */
export function loader() {
  const { publicKeyPem, keyId } = receiptPublicKey();
  return new Response(publicKeyPem, {
    headers: {
      "Content-Type": "application/x-pem-file",
      "Content-Disposition": 'inline; filename="lull-receipt-key.pem"',
      "X-Lull-Key-Id": keyId,
      "Cache-Control": "public, max-age=3600",
    },
  });
}
