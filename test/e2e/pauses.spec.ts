import type { Page } from "@playwright/test";
import { expect, expectAccessible, signIn, test } from "./fixtures.ts";

function localDate(daysFromNow: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(Date.now() + daysFromNow * 24 * 3600_000));
}

async function secondsLeft(page: Page): Promise<number> {
  const text = (await page.getByTestId("countdown").textContent()) ?? "";
  const [m, s] = text.split(":").map(Number);
  return m! * 60 + s!;
}

test("a worker pauses now, sees the countdown run, and ends the pause early", async ({ page }) => {
  await page.clock.install();
  await signIn(page, "priya.nair@lull.test");
  // Priya has not enrolled a device yet: Home says so, and still lets her pause ahead of one.
  await expect(page.getByTestId("tracking-status")).toHaveText(
    "No device is enrolled: nothing is collected",
  );
  await page.getByLabel("Pause for").selectOption("15");
  await page.getByRole("button", { name: "Pause now" }).click();

  await expect(page.getByRole("status")).toContainText("Tracking paused until");
  await expect(page.getByTestId("tracking-status")).toHaveText(/Paused until \d\d:\d\d IST/);
  const first = await secondsLeft(page);
  expect(first).toBeGreaterThan(14 * 60);
  expect(first).toBeLessThanOrEqual(15 * 60);
  // The page's clock is moved, not waited for: the countdown runs because its time passed.
  await page.clock.fastForward(3000);
  await expect.poll(() => secondsLeft(page)).toBeLessThanOrEqual(first - 3);
  await expectAccessible(page);

  // After the tab sleeps for five minutes, the countdown is right at once.
  const beforeSleep = await secondsLeft(page);
  await page.clock.fastForward("05:00");
  await expect.poll(() => secondsLeft(page)).toBeLessThanOrEqual(beforeSleep - 299);

  await page.getByRole("button", { name: "End pause now" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "End pause" }).click();
  await expect(page.getByRole("status")).toContainText("Pause ended. Tracking is on again.");
  await expect(page.getByTestId("tracking-status")).toHaveText(/No device is enrolled/);
  // The next pause may start 15 minutes after this one ended: the page says when, not a form.
  await expect(page.getByTestId("pause-again-at")).toHaveText(
    /^You can pause again at \d\d:\d\d IST/,
  );
  await expect(page.getByRole("button", { name: "Pause now" })).toHaveCount(0);
});

test("a worker schedules a pause for tomorrow at 09:00 local time, sees it listed, and cancels it", async ({
  page,
}) => {
  const tz = "Europe/Warsaw";
  await signIn(page, "tomasz.nowak@lull.test");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Pauses" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Pauses" })).toBeVisible();

  await page.getByLabel("Date").fill(localDate(1, tz));
  await page.getByLabel("Start time").fill("09:00");
  await page.getByLabel("Duration").selectOption("15");
  await page.getByRole("button", { name: "Schedule pause" }).click();

  await expect(page.getByRole("status")).toContainText("Pause scheduled for");
  const upcoming = page.getByTestId("upcoming-pauses");
  await expect(upcoming).toContainText(/09:00–09:15 CET/);
  await expect(page.getByTestId("next-pause")).toContainText("09:00–09:15 CET");
  await expectAccessible(page);

  // The same slot again breaks the gap rule; the message sits next to the start time.
  await page.getByLabel("Date").fill(localDate(1, tz));
  await page.getByLabel("Start time").fill("09:10");
  await page.getByLabel("Duration").selectOption("10");
  await page.getByRole("button", { name: "Schedule pause" }).click();
  await expect(
    page.getByText(
      /Pauses must be at least 15 minutes apart: your previous pause ends at 09:15 on .*, so this one can start at 09:30 on /,
    ),
  ).toBeVisible();
  await expect(page.getByLabel("Start time")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  await upcoming.getByRole("button", { name: /Cancel the pause on/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel this pause" }).click();
  await expect(page.getByRole("status")).toContainText("Scheduled pause cancelled.");
  await expect(page.getByText("Nothing scheduled.")).toBeVisible();
  await expect(page.getByTestId("past-pauses")).toContainText("Cancelled");
});

test("pausing works without JavaScript", async ({ browser, clientIp }) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    extraHTTPHeaders: { "X-Forwarded-For": clientIp },
  });
  const page = await context.newPage();
  await signIn(page, "sofia.rossi@lull.test");
  await page.getByRole("button", { name: "Pause now" }).click();
  await expect(page.getByTestId("tracking-status")).toHaveText(/Paused until/);
  await page.getByRole("button", { name: "End pause now" }).click();
  // Without JavaScript the question is a step of its own: nothing has ended yet.
  const step = page.getByTestId("confirm-step");
  await expect(step).toContainText("End your pause now?");
  await expect(page.getByTestId("tracking-status")).toHaveText(/Paused until/);
  await step.getByRole("button", { name: "End pause" }).click();
  await expect(page.getByTestId("tracking-status")).toHaveText(/No device is enrolled/);
  await expect(page.getByTestId("pause-again-at")).toBeVisible();
  await context.close();
});

test.describe("the organisation's policy", () => {
  // Changing the policy changes it for every worker: on the shared server, a test running beside
  // this one would see a longest pause of 20 minutes. So it has a server and database of its own.
  test.use({ ownServer: true });

  test("an admin lowers the longest pause to 20 minutes and the worker's picker follows", async ({
    page,
    browser,
    clientIp,
  }) => {
    await signIn(page, "admin@lull.test");
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Admin" })
      .click();
    await page
      .getByRole("navigation", { name: "Privacy office" })
      .getByRole("link", { name: "Policy" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "Policy" })).toBeVisible();
    await expectAccessible(page);

    const workerContext = await browser.newContext({
      extraHTTPHeaders: { "X-Forwarded-For": clientIp },
    });
    const workerPage = await workerContext.newPage();
    try {
      // Bad input is refused next to the field and changes nothing.
      await page.getByLabel("Longest pause (minutes)").fill("45");
      await page.getByRole("button", { name: "Save policy" }).click();
      await expect(page.getByText("The longest pause must be at most 30 minutes.")).toBeVisible();

      await page.getByLabel("Longest pause (minutes)").fill("20");
      await page.getByRole("button", { name: "Save policy" }).click();
      await expect(page.getByRole("status")).toContainText("Policy saved");
      // The change heads the history: who, which setting, old → new.
      const newest = page.getByTestId("policy-change").first();
      await expect(newest).toContainText("Longest pause");
      await expect(newest).toContainText(/30 min\s*→\s*to\s*20 min/);
      await expect(newest).toContainText("Amara");

      await signIn(workerPage, "emma.johansson@lull.test");
      await expect(workerPage.getByLabel("Pause for").locator("option")).toHaveText([
        "5 minutes",
        "10 minutes",
        "15 minutes",
        "20 minutes",
      ]);
      await expect(workerPage.getByLabel("Pause for")).toHaveValue("20");
    } finally {
      await workerContext.close();
    }
    await page.goto("/admin/audit");
    await expect(page.getByRole("cell", { name: "Changed the policy" }).first()).toBeVisible();
  });
});
