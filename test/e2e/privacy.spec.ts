import { expect, signIn, test } from "./fixtures.ts";

/**
 * Issue 20: the Privacy settings page, with and without JavaScript. Deleting
 * stored events changes the demo worker's data, so each test runs on a server
 * and database of its own.
 */
test.use({ ownServer: true });
test.describe.configure({ timeout: 180_000 });

test("a seen application made private, its stored events deleted after a dialog, the receipt linked", async ({
  page,
}) => {
  await signIn(page, "worker@lull.test");
  await page.goto("/privacy");
  await expect(page.getByRole("heading", { level: 1, name: "Privacy settings" })).toBeVisible();
  // The applications seen in the worker's data are offered.
  await expect(page.getByTestId("seen-apps").locator('option[value="Chat"]')).toHaveCount(1);

  await page.getByLabel("Application name or pattern").fill("Chat");
  await page.getByRole("button", { name: "Add to the list" }).click();
  await expect(page.getByRole("status")).toContainText('"Chat" is private');
  const own = page.getByTestId("own-private-apps");
  await expect(own).toContainText("Chat");
  await expect(page.getByTestId("seen-apps").locator('option[value="Chat"]')).toHaveCount(0);

  const purge = own.getByRole("button", { name: /^Delete \d[\d,]* stored events of Chat$/ });
  await purge.click();
  const dialog = page.getByRole("dialog", { name: /^Delete .* stored events of "Chat"\?$/ });
  await expect(dialog).toContainText("This cannot be undone");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Delete stored events" }).click();

  const notice = page.getByTestId("purge-receipt");
  await expect(notice).toContainText(/\d+ stored events were deleted/);
  await expect(
    notice.getByRole("link", { name: "Download the signed deletion receipt" }),
  ).toHaveAttribute("href", /^\/data\/deletions\/[0-9a-f-]+\.json$/);
  await expect(notice.getByRole("link", { name: "all your deletion receipts" })).toHaveAttribute(
    "href",
    "/data/access#deletions",
  );
  await expect(own).toContainText("nothing stored");
  await expect(own.getByRole("button", { name: /^Delete / })).toHaveCount(0);

  await own.getByRole("button", { name: "Remove Chat from your private list" }).click();
  await expect(page.getByText("None yet.")).toBeVisible();
});

test("without JavaScript: errors on the field, and the question as a page step", async ({
  browser,
  clientIp,
}) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    extraHTTPHeaders: { "X-Forwarded-For": clientIp },
  });
  const page = await context.newPage();
  await signIn(page, "worker@lull.test");
  await page.goto("/privacy");
  const field = page.getByLabel("Application name or pattern");
  await field.fill("*");
  await page.getByRole("button", { name: "Add to the list" }).click();
  await expect(page.getByText(/a \* alone would stop all collection/)).toBeVisible();
  await expect(page.getByLabel("Application name or pattern")).toHaveAttribute(
    "aria-invalid",
    "true",
  );

  await page.getByLabel("Application name or pattern").fill("Mail*");
  await page.getByRole("button", { name: "Add to the list" }).click();
  const own = page.getByTestId("own-private-apps");
  await expect(own).toContainText("Mail*");
  await own.getByRole("button", { name: /^Delete .* stored events of Mail\*$/ }).click();
  const step = page.getByTestId("confirm-step");
  await expect(step).toContainText('stored events of "Mail*"?');
  // Nothing deleted yet.
  await expect(page.getByTestId("purge-receipt")).toHaveCount(0);
  await step.getByRole("button", { name: "Delete stored events" }).click();
  await expect(page.getByTestId("purge-receipt")).toContainText("were deleted");
  await expect(own).toContainText("nothing stored");
  await context.close();
});
