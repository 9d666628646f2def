import { readFileSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";
import { verifyReceiptFile } from "#app/receipts/receipt.ts";
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

// Publishing a new monitoring notice asks every worker to sign again, so this
// test runs on a server and database of its own instead of the shared one.
test.use({ ownServer: true });

test("an admin publishes a new notice; a worker sees the banner and the changes, signs, and the receipt verifies", async ({
  browser,
  privateServer,
}) => {
  test.setTimeout(120_000);
  const server = privateServer!;
  // The admin drafts version 2 from version 1, previews it and publishes it.
  const admin = await signInAt(browser, server.url, "admin@lull.test", "198.20.1.1");
  await admin.goto(`${server.url}/admin/documents`);
  await admin.getByRole("link", { name: "New version of monitoring-notice" }).click();
  const body = admin.getByLabel("Text (Markdown)");
  await body.fill(
    `${await body.inputValue()}\n\n## Screenshots\n\nThe agent now also takes **no** screenshots, ever.`,
  );
  await admin
    .getByLabel(/Summary of changes/)
    .fill("A new section says the agent never takes screenshots.");
  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin.getByTestId("document-preview")).toContainText(
    "The agent now also takes no screenshots, ever.",
  );
  await expectAccessible(admin);
  await expect(admin.getByTestId("publish-impact")).toHaveText(
    /Publishing puts collection on hold for \d+ of \d+ people.* until each acknowledges/,
  );
  await admin.getByRole("button", { name: "Publish version 2" }).click();
  // It asks first, saying whose collection stops; the safe choice has the focus.
  const dialog = admin.getByRole("dialog", { name: /Publish version 2 of/ });
  await expect(dialog).toContainText(/Collection stops for \d+ of \d+ people/);
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectAccessible(admin);
  await dialog.getByRole("button", { name: "Publish version 2" }).click();
  await expect(admin.getByTestId("compliance-counts")).toContainText("0 acknowledged");

  // A worker now sees the banner on every page, then the changes since version 1.
  const worker = await signInAt(browser, server.url, "worker@lull.test", "198.20.1.2");
  await expect(worker.getByTestId("acknowledgement-banner")).toContainText(
    "Notice of electronic monitoring (new version)",
  );
  await expect(worker.getByTestId("held-for-acknowledgement")).toBeVisible();
  await worker.getByTestId("acknowledgement-banner").getByRole("link").click();
  // The changes read as the document does: the new section's heading and bold text formatted,
  // labelled "Added", with no Markdown left in it; the unchanged text folded beside it.
  const diff = worker.getByTestId("document-diff");
  const added = diff.getByTestId("change-added");
  await expect(added).toContainText("Added");
  await expect(added.locator("ins")).toContainText("Screenshots");
  await expect(added.getByRole("heading", { name: "Screenshots" })).toBeVisible();
  await expect(added.locator("strong")).toHaveText("no");
  await expect(diff).not.toContainText("##");
  await expect(diff).not.toContainText("**");
  await expect(diff.locator("details summary").first()).toContainText(/\d+ unchanged passages/);
  await expectAccessible(worker);
  await worker.emulateMedia({ colorScheme: "dark" });
  await expectAccessible(worker);
  await worker.emulateMedia({ colorScheme: "light" });

  // Without the tick and with another name: refused, with the reasons on the fields.
  await worker.getByLabel("Your full name").fill("Wren C.");
  await worker.getByLabel("Your full name").blur(); // validated on leaving the field
  await worker.getByRole("button", { name: "Sign and get my receipt" }).click();
  await expect(worker.getByText("Tick the box to confirm")).toBeVisible();
  await expect(worker.getByText(/exactly as in your profile: Wren Castellanos/)).toBeVisible();

  await worker.getByLabel("I have read and understand this document.").check();
  await worker.getByLabel("Your full name").fill("wren  castellanos");
  await worker.getByRole("button", { name: "Sign and get my receipt" }).click();
  await expect(worker.getByRole("heading", { level: 1 })).toHaveText("Acknowledgement receipt");
  await expect(worker.getByTestId("receipt")).toContainText("version 2");
  await expect(worker.getByTestId("acknowledgement-banner")).toHaveCount(0);
  await expectAccessible(worker);

  // The downloaded receipt verifies against the published key, and not once altered.
  const download = worker.waitForEvent("download");
  await worker.getByRole("link", { name: "Download receipt (JSON)" }).click();
  const file = await (await download).path();
  const text = readFileSync(file, "utf8");
  const key = await (await fetch(`${server.url}/.well-known/lull-receipt-key`)).text();
  expect(verifyReceiptFile(text, key)).toMatchObject({ ok: true });
  expect(verifyReceiptFile(text.replace("wren castellanos", "Wren Castellanos"), key).ok).toBe(
    false,
  );

  // The same file checked in the portal, from the receipt page's link: genuine, and what it says.
  await worker.getByRole("link", { name: "Verify a receipt" }).click();
  await expect(worker.getByRole("heading", { level: 1 })).toHaveText("Verify a receipt");
  await worker.getByLabel("Receipt file").setInputFiles(file);
  await worker.getByRole("button", { name: "Check the receipt" }).click();
  const check = worker.getByTestId("receipt-check");
  await expect(check).toHaveAttribute("data-verdict", "genuine");
  await expect(check).toContainText(
    "Notice of electronic monitoring (monitoring-notice), version 2",
  );
  await expect(check).toContainText("Wren Castellanos <worker@lull.test>");
  await expect(check).toContainText("wren castellanos");
  await expectAccessible(worker);
  // Its text pasted with one letter changed: not genuine, and why.
  await worker.getByLabel("Receipt file").setInputFiles([]);
  await worker
    .getByLabel("Or paste the receipt's text")
    .fill(text.replace("wren castellanos", "wren castellanoz"));
  await worker.getByRole("button", { name: "Check the receipt" }).click();
  await expect(check).toHaveAttribute("data-verdict", "not_genuine");
  await expect(check).toContainText("signature does not match");
  await expectAccessible(worker);
  await worker.emulateMedia({ colorScheme: "dark" });
  await expectAccessible(worker);

  await admin.reload();
  await expect(admin.getByTestId("compliance-counts")).toContainText("1 acknowledged");
});
