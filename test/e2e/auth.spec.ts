import { DEMO_PASSWORD, attemptSignIn, expect, signIn, signOut, test } from "./fixtures.ts";

test.describe("signing in and out", () => {
  test("a worker signs in, sees their name, and signs out", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    await signIn(page, "worker@lull.test");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/, Wren$/);
    await expect(page.getByTestId("profile-name")).toHaveText("Wren Castellanos");
    await expect(page.getByTestId("user-menu")).toContainText("Wren Castellanos");
    await expect(page.getByTestId("user-menu")).toContainText("Worker");

    await signOut(page);
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("a wrong password shows a form error and keeps the email", async ({ page }) => {
    await attemptSignIn(page, "worker@lull.test", "not-the-password");
    await expect(page.getByRole("alert")).toContainText(
      "That email and password do not match an account",
    );
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByLabel("Work email")).toHaveValue("worker@lull.test");
  });

  test("the sixth failed attempt within a minute is refused with a wait time", async ({ page }) => {
    for (let i = 1; i <= 5; i++) {
      await attemptSignIn(page, "liam.obrien@lull.test", `wrong-${i}`);
      await expect(page.getByRole("alert")).toContainText("do not match");
    }
    await attemptSignIn(page, "liam.obrien@lull.test", "wrong-6");
    await expect(page.getByRole("alert")).toContainText(
      /Too many sign-in attempts\. Try again in \d+ seconds?\./,
    );
  });

  test("signing in works without JavaScript", async ({ browser, clientIp }) => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      extraHTTPHeaders: { "X-Forwarded-For": clientIp },
    });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Work email").fill("worker@lull.test");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText("do not match");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("profile-name")).toHaveText("Wren Castellanos");
    await context.close();
  });

  test("after signing in, people return to the page they asked for", async ({ page }) => {
    await page.goto("/admin/users?q=Priya");
    await expect(page).toHaveURL(/\/login\?redirectTo=%2Fadmin%2Fusers%3Fq%3DPriya$/);
    await page.getByLabel("Work email").fill("admin@lull.test");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/admin\/users\?q=Priya$/);
    await expect(page.getByText("priya.nair@lull.test")).toBeVisible();
  });

  test("redirectTo another site is ignored", async ({ page }) => {
    await page.goto("/login?redirectTo=https%3A%2F%2Fevil.example%2Fphish");
    await page.getByLabel("Work email").fill("worker@lull.test");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("profile-name")).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/");
    expect(new URL(page.url()).host).toBe(new URL(page.url()).host);
  });

  test("a tampered session cookie is treated as signed out", async ({ page, context }) => {
    await signIn(page, "worker@lull.test");
    await expect(page.getByTestId("profile-name")).toBeVisible();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name.endsWith("lull_session"));
    expect(session).toBeDefined();
    expect(session!.httpOnly).toBe(true);
    expect(session!.sameSite).toBe("Lax");
    const value = decodeURIComponent(session!.value);
    const tampered = `${value.slice(0, -3)}${value.endsWith("xyz") ? "abc" : "xyz"}`;
    await context.addCookies([{ ...session!, value: encodeURIComponent(tampered) }]);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });
});

test.describe("role guards", () => {
  test("a worker sees no admin navigation and gets a 403 page on admin pages", async ({ page }) => {
    await signIn(page, "worker@lull.test");
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "Home" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);
    const response = await page.goto("/admin/users");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "You do not have access to this page",
    );
  });

  test("a reviewer gets a 403 page on admin pages", async ({ page }) => {
    await signIn(page, "reviewer@lull.test");
    await expect(page.getByTestId("user-menu")).toContainText("Reviewer");
    const response = await page.goto("/admin/audit");
    expect(response?.status()).toBe(403);
  });

  test("an admin sees and opens the admin areas", async ({ page }) => {
    await signIn(page, "admin@lull.test");
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Admin" }).click();
    await expect(
      page.getByRole("heading", { level: 1, name: "Privacy office overview" }),
    ).toBeVisible();
    const office = page.getByRole("navigation", { name: "Privacy office" });
    await office.getByRole("link", { name: "Users" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
    await office.getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
    // People's own sign-ins are not listed by name (ADR 0042): the page says how many it holds back.
    await expect(page.getByTestId("self-service-note")).toContainText("not listed by name");
    await expect(page.getByRole("cell", { name: "Signed in" })).toHaveCount(0);
  });

  test("deactivating a worker signs them out everywhere at once", async ({
    browser,
    page,
    clientIp,
  }) => {
    const workerContext = await browser.newContext({
      extraHTTPHeaders: { "X-Forwarded-For": clientIp },
    });
    const workerPage = await workerContext.newPage();
    await signIn(workerPage, "oscar.lindqvist@lull.test");
    await expect(workerPage.getByTestId("profile-name")).toHaveText("Oscar Lindqvist");

    await signIn(page, "admin@lull.test");
    await page.goto("/admin/users?q=Oscar");
    await page.getByRole("link", { name: "Oscar Lindqvist" }).click();
    await page.getByRole("button", { name: "Deactivate Oscar Lindqvist" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
    await expect(page.getByRole("status")).toContainText("Account deactivated");

    await workerPage.reload();
    await expect(workerPage).toHaveURL(/\/login$/);
    await attemptSignIn(workerPage, "oscar.lindqvist@lull.test", DEMO_PASSWORD);
    await expect(workerPage.getByRole("alert")).toContainText("deactivated");

    await page.getByRole("button", { name: "Reactivate Oscar Lindqvist" }).click();
    await expect(page.getByRole("status")).toContainText("Account reactivated");
    await workerContext.close();
  });
});

test.describe("cross-site protection and headers", () => {
  test("a POST with a foreign Origin is refused with 403 on every kind of route", async ({
    request,
  }) => {
    for (const path of ["/login", "/logout", "/healthz", "/admin/users/new", "/login.data"]) {
      const response = await request.post(path, {
        headers: { Origin: "https://evil.example" },
        form: { email: "worker@lull.test", password: DEMO_PASSWORD },
        maxRedirects: 0,
      });
      expect(response.status(), path).toBe(403);
    }
  });

  test("the same POST from our own origin goes through", async ({ request, baseURL }) => {
    const response = await request.post("/login", {
      headers: { Origin: baseURL! },
      form: { email: "worker@lull.test", password: DEMO_PASSWORD },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(302);
  });

  test("every response carries the security headers", async ({ page, request }) => {
    const document = await page.goto("/login");
    const headers = document!.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["permissions-policy"]).toContain("camera=()");
    const html = await document!.text();
    const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"]!)![1];
    expect(html).toContain(`nonce="${nonce}"`);

    for (const path of ["/healthz", "/favicon.svg", "/no-such-page"]) {
      const response = await request.get(path);
      expect(response.headers()["content-security-policy"], path).toBeDefined();
      expect(response.headers()["x-content-type-options"], path).toBe("nosniff");
    }
  });

  test("errors render a friendly page without a stack trace", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
    expect(await page.content()).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
