import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "lull-demo-password";

/** A documentation-range address, different for every test. */
function uniqueClientIp(): string {
  const n = Math.floor(Math.random() * 65_000);
  return `198.18.${n >> 8}.${n & 255}`;
}

/**
 * Every test gets its own client address (the server trusts the loopback
 * proxy header in the suite), so sign-in throttling in one test never
 * spills into another.
 */
export const test = base.extend<{ clientIp: string }>({
  clientIp: async ({}, use) => {
    await use(uniqueClientIp());
  },
  context: async ({ context, clientIp }, use) => {
    await context.setExtraHTTPHeaders({ "X-Forwarded-For": clientIp });
    await use(context);
  },
});

export { expect };

/** Fills in and submits the sign-in form, whatever the outcome. */
export async function attemptSignIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in with the demo password and waits until the portal has opened. */
export async function signIn(page: Page, email: string) {
  await attemptSignIn(page, email, DEMO_PASSWORD);
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

export async function signOut(page: Page) {
  await page.getByTestId("user-menu").locator("summary").click();
  await page.getByRole("button", { name: "Sign out" }).click();
}

/** No serious or critical axe violations on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
  ).toEqual([]);
}

/** Creates a one-time device enrollment code on /devices and reads it off the page. */
export async function createEnrollmentCode(page: Page, base = ""): Promise<string> {
  await page.goto(`${base}/devices`);
  await page.getByRole("button", { name: "Create enrollment code" }).click();
  const code = await page.getByTestId("enrollment-code").locator("p.font-mono").textContent();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  return code!;
}

/**
 * Runs `click` and returns the time the server answered the POST it sent to a
 * path starting with `path`: the change is committed by then, so an agent's
 * reaction is timed from the change, not from the browser's side of the form.
 */
export async function timePost(page: Page, path: string, click: () => Promise<void>) {
  const answered = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname.startsWith(path),
  );
  await click();
  await answered;
  return Date.now();
}
