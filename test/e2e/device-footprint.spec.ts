import { enrollAgent } from "./agent-process.ts";
import { createEnrollmentCode, expect, expectAccessible, signIn, test } from "./fixtures.ts";

/**
 * What each device costs the worker (ADR 0026), with the reference agent as a process: its
 * uploads and its own report of CPU time and memory reach the device's card.
 */
test.describe("a device's footprint", () => {
  // A server of its own: the test enrolls an agent for the demo worker, whose devices other
  // specs count.
  test.use({ ownServer: true });

  test("the devices page shows what the agent uploaded and what it says it used", async ({
    page,
    baseURL,
    agents,
  }) => {
    test.setTimeout(120_000);
    await signIn(page, "worker@lull.test");
    const code = await createEnrollmentCode(page);
    const configDir = agents.configDir();
    await enrollAgent({ server: baseURL!, code, configDir });

    await page.goto("/devices");
    const card = page.getByTestId("device").filter({ hasText: "e2e laptop" });
    await expect(card.getByTestId("device-uploads")).toHaveText("Nothing uploaded yet.");
    await expect(card.getByTestId("device-resources")).toHaveText(
      "The agent has not reported its CPU and memory use yet.",
    );

    const agent = agents.start(configDir, ["--usage-interval-seconds", "1"]);
    await agent.waitFor(/uploaded batch=\S+ events=\d+/);
    await agent.waitFor(/usage_reported period_start=\S+ period_end=\S+ cpu_ms=\d+ rss_bytes=\d+/);

    await page.reload();
    const uploads = card.getByTestId("device-uploads");
    await expect(uploads).toContainText(
      /Uploaded today: [\d.,]+ (bytes|KB|MB) in \d+ batch(es)?\./,
    );
    await expect(uploads).toContainText(/Last 7 days: [\d.,]+ (bytes|KB|MB) in \d+ batch(es)?\./);
    await expect(uploads).toContainText(/Last upload: \d\d:\d\d\./);
    await expect(card.getByTestId("device-resources")).toHaveText(
      /^Agent used (under 0\.1 s|[\d.]+ s) of CPU and [\d.]+ MB of memory in the last \d+ seconds? \(reported \d\d:\d\d\)\.$/,
    );
    await expectAccessible(page);
    await page.emulateMedia({ colorScheme: "dark" });
    await expectAccessible(page);

    // On a phone the card fits the screen.
    await page.setViewportSize({ width: 360, height: 800 });
    await page.reload();
    await expect(card.getByTestId("device-footprint")).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
  });
});
