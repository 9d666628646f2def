import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures.ts";

/**
 * Printing a policy document or a receipt gives the content alone: no header,
 * navigation, menus, banner, buttons or skip link; the full width of the page;
 * black on white even when the screen is dark; and the addresses of the
 * document's links written out.
 */
async function printed(page: Page) {
  await page.emulateMedia({ media: "print", colorScheme: "dark" });
}

async function expectNoChrome(page: Page) {
  await expect(page.locator("header")).toBeHidden();
  await expect(page.getByRole("navigation")).toHaveCount(0);
  await expect(page.getByTestId("nav-menu")).toBeHidden();
  await expect(page.getByTestId("user-menu")).toBeHidden();
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeHidden();
  await expect(page.locator("footer")).toBeHidden();
  await expect(page.getByRole("button")).toHaveCount(0);
  const look = await page.evaluate(() => {
    const main = document.querySelector("main")!;
    return {
      color: getComputedStyle(document.body).color,
      background: getComputedStyle(document.body).backgroundColor,
      mainWidth: main.getBoundingClientRect().width,
      pageWidth: document.documentElement.clientWidth,
    };
  });
  expect(look.color).toBe("rgb(0, 0, 0)");
  expect(look.background).toBe("rgb(255, 255, 255)");
  expect(look.mainWidth).toBe(look.pageWidth);
}

test("a printed policy document is the document alone, black on white, full width, with link addresses", async ({
  page,
}) => {
  await signIn(page, "worker@lull.test");
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto("/acknowledgements/monitoring-notice");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await printed(page);
  await expectNoChrome(page);
  const body = page.getByTestId("document-body");
  await expect(body).toBeVisible();
  await expect(body).toContainText("What the agent collects");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const link = body.locator('a[href^="mailto:"]').first();
  const after = await link.evaluate((a) => getComputedStyle(a, "::after").content);
  expect(after).toContain("mailto:privacy@lull.test");
});

test("a printed receipt shows every signed field and where to check it, and no buttons", async ({
  page,
}) => {
  await signIn(page, "worker@lull.test");
  await page.goto("/acknowledgements");
  await page.getByRole("link", { name: /Notice of electronic monitoring, version/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Acknowledgement receipt");
  await expect(page.getByRole("link", { name: "Download receipt (JSON)" })).toBeVisible();
  await printed(page);
  await expectNoChrome(page);
  await expect(page.getByRole("link", { name: "Download receipt (JSON)" })).toBeHidden();
  await expect(page.getByTestId("receipt")).toBeVisible();
  await expect(page.getByTestId("receipt")).toContainText("Signature");
  await expect(
    page.getByText(/Check the receipt file at http:\/\/.*\/acknowledgements\/verify/),
  ).toBeVisible();
});
