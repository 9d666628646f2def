/**
 * Issue 19, part 4: the Identity page as an admin uses it, with and without
 * JavaScript's dialog: a SCIM token shown once and revoked after a question,
 * a group given a role. (Single sign-on itself: sso.spec.ts.)
 */
import { expect, expectAccessible, signIn, test } from "./fixtures.ts";

test("an admin creates a SCIM token, sees it once, and revokes it after confirming", async ({
  page,
}) => {
  await signIn(page, "admin@lull.test");
  await page.goto("/admin");
  await page.getByRole("link", { name: "Identity" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Identity" })).toBeVisible();
  await expect(page.getByTestId("sso-not-configured")).toBeVisible();
  await expect(page.getByTestId("scim-url")).toHaveText(/\/scim\/v2$/);

  const name = `Entra ID ${Date.now()}`;
  await page.getByLabel("New token's name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const value = page.getByTestId("scim-token-value");
  await expect(value).toHaveText(/^lull_scim_/);
  const token = (await value.textContent())!;
  await expectAccessible(page);

  // Shown once: the page read again shows only the token's first characters.
  await page.goto("/admin/identity");
  await expect(page.getByTestId("scim-token-notice")).toHaveCount(0);
  const row = page.getByTestId("scim-token").filter({ hasText: name });
  await expect(row).toContainText(token.slice(0, 14));
  expect(await page.content()).not.toContain(token);

  await row.getByRole("button", { name: `Revoke the token ${name}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("This cannot be undone");
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("Token revoked")).toBeVisible();
  await expect(page.getByTestId("scim-token").filter({ hasText: name })).toContainText("Revoked");
});

test("an admin gives a directory group a role and removes it again", async ({ page }) => {
  await signIn(page, "admin@lull.test");
  await page.goto("/admin/identity");
  const group = `e2e-reviewers-${Date.now()}`;
  await page.getByLabel("Group name").fill(group);
  await page.getByRole("combobox", { name: "Role" }).selectOption("REVIEWER");
  await page.getByRole("button", { name: "Give this role" }).click();
  await expect(page.getByText(`Members of “${group}” are now at least Reviewers`)).toBeVisible();
  const mapping = page.getByTestId("group-role").filter({ hasText: group });
  await expect(mapping).toContainText("Reviewer");
  await mapping.getByRole("button", { name: `Remove the role of ${group}` }).click();
  await expect(page.getByText("Group role removed")).toBeVisible();
  await expect(page.getByTestId("group-role").filter({ hasText: group })).toHaveCount(0);
});
