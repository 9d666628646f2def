import { readFileSync } from "node:fs";
import { attemptSignIn, expect, expectAccessible, signIn, test } from "./fixtures.ts";

test("an admin creates a user, who sets a password through the link and signs in", async ({
  page,
  browser,
  clientIp,
}) => {
  // Two people, three axe checks and three argon2 hashes: room for a busy machine.
  test.setTimeout(120_000);
  await signIn(page, "admin@lull.test");
  await page.goto("/admin/users");
  await page.getByRole("link", { name: "Add a person" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add a person" })).toBeVisible();

  const email = `nia.starter.${Date.now()}@lull.test`;
  await page.getByLabel("Name", { exact: true }).fill("Nia Starter");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Role").selectOption("WORKER");
  await page.getByLabel("Manager's email").fill("marcus.webb@lull.test");
  await page.getByLabel("Time zone").fill("Africa/Nairobi");
  await page.getByLabel("Time zone").blur();
  await page.getByRole("button", { name: "Create account and send link" }).click();

  const link = page.getByTestId("setup-link-url");
  await expect(link).toBeVisible();
  const url = (await link.textContent())!;
  expect(url).toMatch(/\/set-password\/[A-Za-z0-9_-]{43}$/);
  await expectAccessible(page);

  // The new person, in their own browser, follows the link.
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": clientIp } });
  const newcomer = await context.newPage();
  try {
    await newcomer.goto(url);
    await expect(
      newcomer.getByRole("heading", { level: 1, name: "Set your password" }),
    ).toBeVisible();
    await expect(newcomer.getByText(`Choose a password for ${email}`)).toBeVisible();
    await expectAccessible(newcomer);
    // Too short, then two that differ: each error is named, nothing is set.
    await newcomer.getByLabel("New password").fill("short");
    await newcomer.getByLabel("Type it again").fill("short");
    await newcomer.getByRole("button", { name: "Set password" }).click();
    await expect(newcomer.getByText("The password must be at least 12 characters.")).toBeVisible();

    const password = "a quiet harbour at dawn";
    await newcomer.getByLabel("New password").fill(password);
    await newcomer.getByLabel("Type it again").fill(password);
    await newcomer.getByLabel("Type it again").blur();
    await newcomer.getByRole("button", { name: "Set password" }).click();
    await expect(newcomer).toHaveURL(/\/login$/);
    await expect(newcomer.getByRole("status")).toContainText("Your password is set");

    await attemptSignIn(newcomer, email, password);
    await expect(newcomer.getByTestId("profile-name")).toHaveText("Nia Starter");

    // The link worked once.
    await newcomer.goto(url);
    await expect(
      newcomer.getByRole("heading", { level: 1, name: "This link no longer works" }),
    ).toBeVisible();
  } finally {
    await context.close();
  }

  await page.goto(`/admin/users?q=${encodeURIComponent(email)}`);
  await page.getByRole("link", { name: "Nia Starter" }).click();
  await expect(page.getByTestId("password-state")).toHaveText("Set");
  await expectAccessible(page);
});

test("the CSV import shows every bad row in a dry run, then imports the fixed file", async ({
  page,
}) => {
  await signIn(page, "admin@lull.test");
  await page.goto("/admin/users/import");
  const stamp = Date.now();
  const upload = async (csv: string) => {
    await page.getByLabel("CSV file").setInputFiles({
      name: "people.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv),
    });
    await page.getByRole("button", { name: "Check the file (dry run)" }).click();
  };
  const header = "name,email,role,manager email,timezone";
  await upload(
    [
      header,
      `Ola Good,ola.${stamp}@lull.test,Worker,hana.kobayashi@lull.test,Europe/Oslo`,
      `Pat Typo,pat.${stamp}@lull,Worker,,UTC`,
      `Quin Boss,quin.${stamp}@lull.test,Worker,nobody@lull.test,UTC`,
    ].join("\n"),
  );
  await expect(page.getByTestId("import-summary")).toContainText("2 of 3 rows have problems");
  await expect(page.getByTestId("import-row-3")).toContainText("Enter an email address");
  await expect(page.getByTestId("import-row-4")).toContainText(
    "nobody with nobody@lull.test has an active account",
  );
  await expect(page.getByRole("button", { name: /^Import/ })).toHaveCount(0);
  await expectAccessible(page);

  await upload(
    [
      header,
      `Ola Good,ola.${stamp}@lull.test,Worker,hana.kobayashi@lull.test,Europe/Oslo`,
      `Pat Typo,pat.${stamp}@lull.test,Worker,,UTC`,
    ].join("\n"),
  );
  await expect(page.getByTestId("import-summary")).toContainText("All 2 rows are fine");
  await page.getByRole("button", { name: "Import 2 people" }).click();
  await expect(page.getByRole("heading", { name: "Imported 2 people" })).toBeVisible();
  await expect(page.getByRole("cell", { name: `pat.${stamp}@lull.test` })).toBeVisible();
  // Every link, as one CSV file.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download all 2 links (CSV)" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("lull-imported-people-links.csv");
  const text = readFileSync(await file.path(), "utf8");
  expect(text.split("\r\n")[0]).toBe("name,email,link,valid until");
  expect(text).toContain(`Pat Typo,pat.${stamp}@lull.test,http`);
});

test("exceptional access needs a reason, shows a banner, and the worker reads it in their access log", async ({
  page,
}) => {
  await signIn(page, "admin@lull.test");
  await page.goto("/admin/users?q=Aisha");
  await page.getByRole("link", { name: "Aisha Rahman" }).click();
  await page.getByRole("link", { name: "Open Aisha Rahman's data…" }).click();
  await expect(page.getByRole("heading", { name: "Why do you need to open it?" })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel(/Reason/).fill("too short");
  await page.getByRole("button", { name: "Record the reason and open the data" }).click();
  await expect(page.getByText("The reason must be at least 20 characters")).toBeVisible();
  await expect(page.getByTestId("exceptional-banner")).toHaveCount(0);

  const reason = `Legal hold LH-${Date.now()}: counsel asked for last week's records`;
  await page.getByLabel(/Reason/).fill(reason);
  await page.getByLabel(/Reason/).blur();
  await page.getByRole("button", { name: "Record the reason and open the data" }).click();
  const banner = page.getByTestId("exceptional-banner");
  await expect(banner).toContainText("this view is recorded and Aisha Rahman can see it");
  await expect(banner).toContainText(reason);
  // The purpose preselected for this door (ADR 0042).
  await expect(banner).toContainText("Investigating a security incident");
  await expectAccessible(page);

  await page.getByTestId("user-menu").locator("summary").click();
  await page
    .getByTestId("user-menu")
    .getByRole("button", { name: "Sign out", exact: true })
    .click();
  await signIn(page, "aisha.rahman@lull.test");
  await page.goto("/data/access");
  const row = page.getByRole("row").filter({ hasText: reason });
  await expect(row).toContainText("Amara Okafor (Admin)");
  await expect(row).toContainText("Opened a worker's data (exceptional access)");
  await expect(row).toContainText("Purpose: Investigating a security incident");
});

test("fleet health and the overview show totals, never one worker's pauses", async ({ page }) => {
  await signIn(page, "admin@lull.test");
  await page.goto("/admin/devices");
  await expect(page.getByRole("heading", { level: 1, name: "Fleet health" })).toBeVisible();
  await page.goto("/admin");
  await expect(
    page.getByRole("heading", { level: 1, name: "Privacy office overview" }),
  ).toBeVisible();
  await expect(page.getByText("fewer than 5 workers").first()).toBeVisible();
});
