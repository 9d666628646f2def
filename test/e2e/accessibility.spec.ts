import { expect, expectAccessible, signIn, signOut, test } from "./fixtures.ts";

// Each test signs in and runs axe on several pages; on a busy two-core machine that took up to
// a minute, the default timeout. A timeout is not a speed target: these check accessibility.
test.describe.configure({ timeout: 150_000 });

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`every page passes axe (${colorScheme})`, () => {
    test.use({ colorScheme });

    test("sign-in page, with and without errors", async ({ page }) => {
      await page.goto("/login");
      await expectAccessible(page);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByText("Enter your work email address.")).toBeVisible();
      await expectAccessible(page);
    });

    test("the worker's home page and user menu", async ({ page }) => {
      await signIn(page, "worker@lull.test");
      await expect(page.getByTestId("profile-name")).toBeVisible();
      await expectAccessible(page);
      await page.getByTestId("user-menu").locator("summary").click();
      await expectAccessible(page);
    });

    test("the pauses, devices and privacy pages and the 403 and 404 pages", async ({ page }) => {
      await signIn(page, "worker@lull.test");
      await page.goto("/pauses");
      await expect(page.getByRole("heading", { level: 1, name: "Pauses" })).toBeVisible();
      await expectAccessible(page);
      await page.goto("/devices");
      await page.getByRole("button", { name: "Create enrollment code" }).click();
      await expect(page.getByTestId("enrollment-code")).toBeVisible();
      await expectAccessible(page);
      await page.goto("/privacy");
      await expect(page.getByRole("heading", { level: 1, name: "Privacy settings" })).toBeVisible();
      await expectAccessible(page);
      // With an error shown on the field.
      await page.getByRole("button", { name: "Add to the list" }).click();
      await expect(page.getByText("Enter an application name or pattern.")).toBeVisible();
      await expectAccessible(page);
      await page.goto("/admin/users");
      await expectAccessible(page);
      await page.goto("/no-such-page");
      await expectAccessible(page);
    });

    test("my data, exemptions and acknowledgements pages", async ({ page }) => {
      await signIn(page, "worker@lull.test");
      for (const path of [
        "/data",
        "/data/events",
        "/data/access",
        "/exemptions",
        "/acknowledgements",
        "/acknowledgements/monitoring-notice",
        "/acknowledgements/verify",
      ]) {
        await page.goto(path);
        await expectAccessible(page);
      }
    });

    test("exemption pages: the worker's list and timeline, the reviewer's queue and request", async ({
      page,
    }) => {
      await signIn(page, "worker@lull.test");
      await page.goto("/exemptions");
      await page.getByTestId("exemption-list").getByRole("link").first().click();
      await expect(page.getByTestId("exemption-timeline")).toBeVisible();
      await expectAccessible(page);
      await page.goto("/exemptions/new");
      await page.getByRole("button", { name: "Send request" }).click();
      await expect(page.getByText("Choose a reason.")).toBeVisible();
      await expectAccessible(page);
      await signOut(page);
      await signIn(page, "reviewer@lull.test");
      await page.goto("/review/exemptions");
      await expect(page.getByTestId("queue-row").first()).toBeVisible();
      await expectAccessible(page);
      await page.getByTestId("queue-row").first().getByRole("link").click();
      await expect(page.getByTestId("purpose-gate")).toBeVisible();
      await expectAccessible(page);
      await page.getByRole("button", { name: "Open" }).click();
      await expect(page.getByTestId("exemption-timeline")).toBeVisible();
      await expectAccessible(page);
      await page.goto("/review/exemptions?tab=decided");
      await expect(page.getByTestId("decided-row").first()).toBeVisible();
      await expectAccessible(page);
    });

    test("rights pages: the worker's list and a request, the reviewer's queue, purpose gate and request", async ({
      page,
    }) => {
      await signIn(page, "worker@lull.test");
      await page.goto("/data/rights");
      await expect(page.getByTestId("rights-request-row").first()).toBeVisible();
      await expectAccessible(page);
      await page.getByRole("button", { name: "File the request" }).click();
      await expect(page.getByText("Choose what you are asking for.")).toBeVisible();
      await expectAccessible(page);
      await page.getByTestId("rights-request-row").first().getByRole("link").click();
      await expect(page.getByTestId("rights-status")).toBeVisible();
      await expectAccessible(page);
      await signOut(page);
      await signIn(page, "reviewer@lull.test");
      await page.goto("/review/rights");
      await expect(page.getByTestId("rights-queue-row").first()).toBeVisible();
      await expectAccessible(page);
      await page.getByTestId("rights-queue-row").first().getByRole("link").click();
      await expect(page.getByTestId("purpose-gate")).toBeVisible();
      await expectAccessible(page);
      await page.getByRole("button", { name: "Open" }).click();
      await expect(page.getByTestId("rights-status")).toBeVisible();
      await expectAccessible(page);
    });

    // A few pages per test: axe on a long admin page takes seconds, and all eight in one test
    // came near the timeout on a busy machine.
    for (const paths of [
      ["/admin", "/admin/users", "/admin/users/new"],
      ["/admin/users/import", "/admin/policy", "/admin/devices"],
      ["/admin/privacy", "/admin/purposes", "/admin/purposes/ai-training"],
      ["/admin/documents", "/admin/audit", "/admin/identity"],
    ]) {
      test(`admin pages ${paths.join(", ")}`, async ({ page }) => {
        await signIn(page, "admin@lull.test");
        await expect(page.getByTestId("profile-name")).toBeVisible();
        for (const path of paths) {
          await page.goto(path);
          await expectAccessible(page);
        }
      });
    }

    test("council pages: the overview, the policy and purpose history, the documents", async ({
      page,
    }) => {
      await signIn(page, "rep@lull.test");
      await expect(page.getByTestId("profile-name")).toBeVisible();
      for (const path of [
        "/council",
        "/council/policy",
        "/council/purposes",
        "/council/documents",
      ]) {
        await page.goto(path);
        await expectAccessible(page);
      }
      await page.getByTestId("council-document").first().getByRole("link").click();
      await expect(page.getByTestId("document-text")).toBeVisible();
      await expectAccessible(page);
    });
  });
}

test("the data steward's pages: datasets, a dataset, the lineage lookup", async ({ page }) => {
  await signIn(page, "steward@lull.test");
  await page.goto("/datasets");
  await expect(page.getByTestId("dataset-row").first()).toBeVisible();
  await expectAccessible(page);
  await page.getByTestId("dataset-row").first().getByRole("link").click();
  await expect(page.getByTestId("dataset-facts")).toBeVisible();
  await expectAccessible(page);
  await page.goto("/datasets/lineage?email=worker%40lull.test&purpose=rights-request");
  await expect(page.getByTestId("holding-row").first()).toBeVisible();
  await expectAccessible(page);
});

test("the skip link moves focus to the main content", async ({ page }) => {
  await signIn(page, "worker@lull.test");
  await page.goto("/pauses");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
});
