/**
 * Checks a Lull receipt (an acknowledgement or a deletion) offline.
 *
 *   npm run verify-receipt -- receipt.json --key lull-receipt-key.pem
 *   npm run verify-receipt -- receipt.json --key-url https://lull.example.com/.well-known/lull-receipt-key
 *
 * Exit code 0 and "VALID" when the portal's key signed exactly this receipt;
 * 1 and "INVALID: why" otherwise; 2 on a usage error.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { describeReceipt, verifyReceiptFile } from "./receipt.ts";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { key: { type: "string" }, "key-url": { type: "string" } },
  });
  const file = positionals[0];
  if (!file || (!values.key && !values["key-url"])) {
    console.error(
      "Usage: npm run verify-receipt -- receipt.json --key lull-receipt-key.pem  (or --key-url URL)",
    );
    return 2;
  }
  const publicKeyPem = values.key
    ? readFileSync(values.key, "utf8")
    : await (await fetch(values["key-url"]!)).text();
  const result = verifyReceiptFile(readFileSync(file, "utf8"), publicKeyPem);
  if (!result.ok) {
    console.log(`INVALID: ${result.reason}`);
    return 1;
  }
  console.log(`VALID: ${describeReceipt(result.payload)}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
