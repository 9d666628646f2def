import { readFileSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";
import { RECEIPT_FORMAT, verifyReceiptFile } from "#app/receipts/receipt.ts";
import { DEMO_PASSWORD, expect, expectAccessible, test } from "./fixtures.ts";

async function signInAt(browser: Browser, base: string, email: string, ip: string): Promise<Page> {
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": ip } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  return page;
}

// Requiring the representatives' co-signature and publishing a new notice change things for the
// whole organisation: this test runs on a server and database of its own.
test.use({ ownServer: true });

test("with approval required, the admin's publish is refused, a representative co-signs, the admin publishes, and the worker's receipt names the co-signer", async ({
  browser,
  privateServer,
}) => {
  test.setTimeout(150_000);
  const server = privateServer!;
  const admin = await signInAt(browser, server.url, "admin@lull.test", "198.20.2.1");

  // The privacy office turns the seat on (tightening: it applies at once).
  await admin.goto(`${server.url}/admin/policy`);
  await admin
    .getByLabel("Require a worker representative's co-signature for changes that widen collection")
    .check();
  await admin.getByRole("button", { name: "Save policy" }).click();
  await expect(admin.getByRole("status")).toContainText("Policy saved");

  // A new version of the notice, drafted and published without a co-signature: refused.
  await admin.goto(`${server.url}/admin/documents`);
  await admin.getByRole("link", { name: "New version of monitoring-notice" }).click();
  const body = admin.getByLabel("Text (Markdown)");
  await body.fill(
    `${await body.inputValue()}\n\n## Representatives\n\nThe works council co-signs.`,
  );
  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin.getByTestId("cosignature")).toContainText(
    "Waiting for a representative's co-signature",
  );
  const draftUrl = admin.url();
  await admin.getByRole("button", { name: "Publish version 2" }).click();
  await admin
    .getByRole("dialog", { name: /Publish version 2 of/ })
    .getByRole("button", { name: "Publish version 2" })
    .click();
  await expect(admin.getByRole("alert").filter({ hasText: "co-signature" })).toContainText(
    "requires a worker representative's co-signature",
  );
  await expect(admin.getByText(/^Draft: not visible to workers/)).toBeVisible();

  // The representative finds it waiting, reads it and co-signs it.
  const rep = await signInAt(browser, server.url, "rep@lull.test", "198.20.2.2");
  await rep
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Council" })
    .click();
  await expect(rep.getByRole("heading", { level: 1, name: "Council overview" })).toBeVisible();
  await expectAccessible(rep);
  await rep
    .getByTestId("waiting-list")
    .getByRole("link", { name: /version 2 \(draft\)/ })
    .click();
  await expect(rep.getByTestId("document-text")).toContainText("The works council co-signs.");
  await expectAccessible(rep);
  await rep.getByRole("button", { name: "Co-sign version 2" }).click();
  await expect(rep.getByRole("status")).toContainText("Co-signed");
  await expect(rep.getByTestId("cosignature")).toContainText("Co-signed by Ines Moreau");

  // The admin sees the co-signature and publishes.
  await admin.goto(draftUrl);
  await expect(admin.getByTestId("cosignature")).toContainText("Co-signed by Ines Moreau");
  await admin.getByRole("button", { name: "Publish version 2" }).click();
  await admin
    .getByRole("dialog", { name: /Publish version 2 of/ })
    .getByRole("button", { name: "Publish version 2" })
    .click();
  await expect(admin.getByTestId("compliance-counts")).toContainText("0 acknowledged");

  // A worker reads the notice, sees who co-signed it, signs, and the receipt names the co-signer.
  const worker = await signInAt(browser, server.url, "worker@lull.test", "198.20.2.3");
  await worker.getByTestId("acknowledgement-banner").getByRole("link").click();
  await expect(worker.getByTestId("document-cosignature")).toContainText(
    "Co-signed by Ines Moreau (worker representative)",
  );
  await worker.getByLabel("I have read and understand this document.").check();
  await worker.getByLabel("Your full name").fill("Wren Castellanos");
  await worker.getByRole("button", { name: "Sign and get my receipt" }).click();
  await expect(worker.getByRole("heading", { level: 1 })).toHaveText("Acknowledgement receipt");
  await expect(worker.getByTestId("receipt-cosigner")).toContainText(
    "Ines Moreau (worker representative)",
  );
  await expectAccessible(worker);

  const download = worker.waitForEvent("download");
  await worker.getByRole("link", { name: "Download receipt (JSON)" }).click();
  const file = await (await download).path();
  const text = readFileSync(file, "utf8");
  const key = await (await fetch(`${server.url}/.well-known/lull-receipt-key`)).text();
  const result = verifyReceiptFile(text, key);
  expect(result.ok).toBe(true);
  if (result.ok && result.payload.format === RECEIPT_FORMAT) {
    expect(result.payload.cosignedBy).toMatchObject({
      name: "Ines Moreau",
      role: "representative",
    });
  }
});
