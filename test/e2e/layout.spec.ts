import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures.ts";

/**
 * Every page of every role, on a phone (360 px) and a desktop (1280 px), in
 * the light and the dark theme: no page is wider than the screen, the header
 * is one row, axe finds nothing serious, and no page logs an error (a refused
 * inline style under the CSP included), with the demo worker's week of data
 * in it.
 */
test.describe.configure({ timeout: 300_000 });

const PAGES = {
  "worker@lull.test": [
    "/",
    "/pauses",
    "/devices",
    "/privacy",
    "/data",
    "/data?period=today",
    "/data?period=30d",
    "/data/events",
    "/data/access",
    "/data/rights",
    "/exemptions",
    "/exemptions/new",
    "/acknowledgements",
    "/acknowledgements/monitoring-notice",
    "/acknowledgements/verify",
    "/records",
    "/account",
    "/account/password",
  ],
  "reviewer@lull.test": [
    "/review/exemptions",
    "/review/exemptions?tab=decided",
    "/review/records",
    "/review/rights",
    "/account/two-factor",
  ],
  "rep@lull.test": ["/council", "/council/policy", "/council/purposes", "/council/documents"],
  "admin@lull.test": [
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/import",
    "/admin/policy",
    "/admin/privacy",
    "/admin/purposes",
    "/admin/purposes/ai-training",
    "/admin/devices",
    "/admin/documents",
    "/admin/documents/new",
    "/admin/audit",
    "/admin/people",
    "/admin/identity",
  ],
  "steward@lull.test": [
    "/datasets",
    "/datasets/lineage",
    "/datasets/lineage?email=marcus.webb%40lull.test&purpose=rights-request",
  ],
} as const;

/** The first link in `listPath` whose address starts with `prefix`: a detail page with real data. */
async function firstDetail(page: Page, listPath: string, prefix: string): Promise<string> {
  await page.goto(listPath);
  const href = await page.locator(`main a[href^="${prefix}"]`).first().getAttribute("href");
  expect(href, `a link to ${prefix}… on ${listPath}`).toBeTruthy();
  return href!;
}

const DETAILS = {
  "worker@lull.test": [
    ["/data/events", "/data/events/"],
    ["/exemptions", "/exemptions/"],
    ["/data/rights", "/data/rights/c"],
  ],
  "reviewer@lull.test": [
    ["/review/exemptions", "/review/exemptions/"],
    ["/review/rights", "/review/rights/c"],
  ],
  "rep@lull.test": [["/council/documents", "/council/documents/c"]],
  "admin@lull.test": [
    ["/admin/users", "/admin/users/c"],
    ["/admin/documents", "/admin/documents/c"],
  ],
  "steward@lull.test": [["/datasets", "/datasets/c"]],
} as const;

/** Axe's serious and critical findings on the page as it is now. */
async function axeFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** The worker has the most pages: two tests of them, so each stays well inside its time. */
type Group = { email: string; part: string; paths: readonly string[]; details: boolean };
const GROUPS: Group[] = Object.entries(PAGES).flatMap(([email, paths]): Group[] => {
  if (paths.length <= 10) return [{ email, part: "", paths, details: true }];
  const half = Math.ceil(paths.length / 2);
  return [
    { email, part: " (1)", paths: paths.slice(0, half), details: true },
    { email, part: " (2)", paths: paths.slice(half), details: false },
  ];
});

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    for (const { email, part, paths, details: withDetails } of GROUPS) {
      test(`${email.split("@")[0]}'s pages${part} fit a phone and a desktop, pass axe, with no console errors`, async ({
        page,
      }) => {
        const errors: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
        });
        page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
        await signIn(page, email);
        const all: string[] = [...paths];
        if (withDetails) {
          for (const [list, prefix] of DETAILS[email as keyof typeof DETAILS]) {
            const detail = await firstDetail(page, list, prefix);
            if (!detail.endsWith("/new")) all.push(detail);
          }
        }
        const tooWide: string[] = [];
        const inaccessible: string[] = [];
        for (const width of [360, 1280]) {
          await page.setViewportSize({ width, height: 800 });
          for (const path of all) {
            await page.goto(path);
            await expect(page.locator("main#main")).toBeVisible();
            const m = await page.evaluate(() => ({
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth: window.innerWidth,
              header: document.querySelector("header")!.getBoundingClientRect().height,
            }));
            if (m.scrollWidth > m.innerWidth)
              tooWide.push(`${path} at ${width}: ${m.scrollWidth} px`);
            // One row: the logo, the navigation (or its menu button) and the user menu.
            expect(m.header, `header height of ${path} at ${width}`).toBeLessThan(72);
            for (const finding of await axeFindings(page))
              inaccessible.push(`${path} at ${width}: ${finding}`);
          }
        }
        expect(tooWide).toEqual([]);
        expect(inaccessible).toEqual([]);
        expect(errors).toEqual([]);
      });
    }
  });
}

test("on a phone, the menu closes when a link is followed, even to the page already open", async ({
  page,
}) => {
  await signIn(page, "worker@lull.test");
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto("/pauses");
  const menu = page.getByTestId("nav-menu");
  await menu.locator("summary").click();
  await expect(menu).toHaveAttribute("open", "");
  await menu.getByRole("link", { name: "Devices" }).click();
  await expect(page).toHaveURL(/\/devices$/);
  await expect(menu).not.toHaveAttribute("open");

  // The page already open: the menu closes at the tap, not only once the page's data is back
  // (held here until the menu has closed, so the test does not depend on timing).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/devices\.data/, async (route) => {
    await held;
    await route.continue();
  });
  await menu.locator("summary").click();
  await expect(menu).toHaveAttribute("open", "");
  await menu.getByRole("link", { name: "Devices" }).click();
  await expect(menu).not.toHaveAttribute("open");
  release();
});

test("a worker's main navigation has seven entries; on a phone it folds into a menu that opens without JavaScript", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  try {
    await signIn(page, "worker@lull.test");
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveCount(7);
    await page.setViewportSize({ width: 360, height: 800 });
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    await page.getByTestId("nav-menu").locator("summary").click();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "My data" }).click();
    await expect(page).toHaveURL(/\/data$/);
    // The area is marked current, once, and its section menu names the page.
    await page.goto("/data/access");
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect(
      page.getByRole("navigation", { name: "Main" }).locator('[aria-current="page"]'),
    ).toHaveText("My data");
    await expect(
      page.getByRole("navigation", { name: "My data" }).locator('[aria-current="page"]'),
    ).toHaveText("Data history");
  } finally {
    await context.close();
  }
});
