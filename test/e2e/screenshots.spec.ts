import { expect, signIn, test } from "./fixtures.ts";

/**
 * What a worker sees, pixel for pixel: Home, My data and Devices at a phone's
 * and a desktop's width, in the light and the dark theme, against checked-in
 * baselines (test/e2e/screenshots.spec.ts-snapshots/). The server and its seed
 * run with the calendar frozen (fixed-clock.mjs), and so does the page, so the
 * demo week, the chart and every time shown are the same on every run.
 *
 * After a deliberate change to these pages: `npm run build && npx playwright
 * test test/e2e/screenshots.spec.ts --update-snapshots`, then look at every
 * changed image before committing it.
 */
const FIXED_NOW = "2030-03-12T10:30:00.000Z";

test.use({ ownServer: true, fixedNow: FIXED_NOW, timezoneId: "UTC" });
test.describe.configure({ timeout: 180_000 });

const PAGES = [
  ["home", "/", "tracking-status"],
  ["my-data", "/data", "activity-chart"],
  ["devices", "/devices", "device-list"],
] as const;

for (const colorScheme of ["light", "dark"] as const) {
  test(`Home, My data and Devices at 390 and 1280 px (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.clock.setFixedTime(new Date(FIXED_NOW));
    await signIn(page, "worker@lull.test");
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, path, ready] of PAGES) {
        await page.goto(path);
        await expect(page.getByTestId(ready)).toBeVisible();
        await expect(page).toHaveScreenshot(`${name}-${width}-${colorScheme}.png`, {
          fullPage: true,
          maxDiffPixelRatio: 0.002,
        });
      }
    }
  });
}
