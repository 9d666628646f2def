/**
 * The account page lists where the person is signed in; they can sign out any other
 * session, or every one but this. (Its own server: signing a shared demo
 * account out everywhere would end other tests' sessions.)
 */
import { expect, expectAccessible, signIn, test } from "./fixtures.ts";

test.use({ ownServer: true });

test("signing out everywhere else ends the other browser's session, not this one", async ({
  page,
  browser,
  baseURL,
}) => {
  const laptop = await browser.newContext({
    baseURL,
    extraHTTPHeaders: { "X-Forwarded-For": "198.51.100.31" },
  });
  const other = await laptop.newPage();
  await signIn(other, "worker@lull.test");

  await signIn(page, "worker@lull.test");
  await page.goto("/account");
  const sessions = page.getByTestId("sessions");
  await expect(sessions.getByRole("listitem")).toHaveCount(2);
  await expect(sessions).toContainText("(this browser, this session)");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page.getByRole("status")).toContainText("Signed out everywhere else (1 session).");
  await expect(sessions.getByRole("listitem")).toHaveCount(1);

  await other.goto("/");
  await expect(other).toHaveURL(/\/login/);
  await page.goto("/pauses");
  await expect(page).toHaveURL(/\/pauses$/);
  await laptop.close();
});
