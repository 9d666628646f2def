import {
  DEMO_PASSWORD,
  attemptSignIn,
  expect,
  expectAccessible,
  signIn,
  signOut,
  test,
} from "./fixtures.ts";
import { authenticatorCode, base32Bytes } from "../totp-authenticator.ts";

// Both change a seeded person's credentials: each on a server and database of its own.
test.use({ ownServer: true });

test("a reviewer turns on two-factor sign-in, saves the recovery codes, and signs in with a code", async ({
  page,
}) => {
  await signIn(page, "reviewer@lull.test");
  const menu = page.getByTestId("user-menu");
  await menu.locator("summary").click();
  await menu.getByRole("link", { name: "Two-factor sign-in" }).click();
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await expect(page.getByTestId("totp-qr").locator("svg")).toBeVisible();
  await expectAccessible(page);
  const key = base32Bytes((await page.getByTestId("totp-secret").textContent())!.trim());

  await page.getByLabel("Then enter the 6-digit code the app shows").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  const first = authenticatorCode(key, Date.now());
  await page.getByLabel("Then enter the 6-digit code the app shows").fill(first);
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await expectAccessible(page);

  await signOut(page);
  await attemptSignIn(page, "reviewer@lull.test", DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await expectAccessible(page);
  // The code that turned it on is spent; the next one (a phone a little ahead) signs in.
  await page.getByLabel("Code").fill(first);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  await page.getByLabel("Code").fill(authenticatorCode(key, Date.now() + 30_000));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("profile-name")).toHaveText("Rafael Souza");
});

test("a worker changes their password; the old one no longer signs in", async ({ page }) => {
  await signIn(page, "worker@lull.test");
  const menu = page.getByTestId("user-menu");
  await menu.locator("summary").click();
  await menu.getByRole("link", { name: "Change password" }).click();
  await page.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill("qwerty123456");
  await page.getByLabel("Type the new password again").fill("qwerty123456");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(
    page.getByText("This password is on lists of common and leaked passwords"),
  ).toBeVisible();
  await expectAccessible(page);

  const next = "violet kettle summit rain";
  await page.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Type the new password again").fill(next);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password is changed")).toBeVisible();

  await signOut(page);
  await attemptSignIn(page, "worker@lull.test", DEMO_PASSWORD);
  await expect(page.getByText("That email and password do not match")).toBeVisible();
  await attemptSignIn(page, "worker@lull.test", next);
  await expect(page).toHaveURL(/\/$/);
});
