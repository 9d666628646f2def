import { readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { agentTime, enrollAgent } from "./agent-process.ts";
import { createEnrollmentCode, expect, expectAccessible, signIn, test } from "./fixtures.ts";

/** How Prisma's SQLite adapter stores a DateTime (ISO 8601 text, "+00:00"). */
function storedTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

test("the agent stops on the push of a pause started in the web UI, and resumes on the push of its end", async ({
  page,
  baseURL,
  agents,
}) => {
  test.setTimeout(90_000);
  const configDir = agents.configDir();
  await signIn(page, "kwame.mensah@lull.test");
  const code = await createEnrollmentCode(page);
  await enrollAgent({ server: baseURL!, code, configDir });
  const agent = agents.start(configDir);
  const collecting = await agent.waitFor(/status=collecting/);

  // Causal, not timed: each change reaches the agent as a newer state pushed over its stream.
  await page.goto("/");
  const mark = agent.lines.length;
  await page.getByRole("button", { name: "Pause now" }).click();
  const paused = await agent.waitFor(/status=paused/, mark);
  agent.expectPushed(paused, { from: mark, previous: collecting });
  await expect(page.getByTestId("tracking-status")).toHaveText(/Paused until/);

  const beforeEnd = agent.lines.length;
  await page.getByRole("button", { name: "End pause now" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "End pause" }).click();
  const resumed = await agent.waitFor(/status=collecting/, beforeEnd);
  agent.expectPushed(resumed, { from: beforeEnd, previous: paused });

  // A device's last contact and state version are written a second after its reads (ADR 0029):
  // the page shows them once written, so it is loaded again until then.
  await expect(async () => {
    await page.goto("/devices");
    await expect(page.getByTestId("device-list")).toContainText(
      "Has your current pauses and exemptions",
      { timeout: 1000 },
    );
  }).toPass({ timeout: 15_000 });

  // What the agent sent is in the worker's records, down to each field: once the agent says the
  // server stored a batch, the page shows it.
  await agent.waitFor(/uploaded batch=\S+ events=\d+ stored=[1-9]/);
  await page.goto("/data/events");
  await expect(page.getByRole("table", { name: "Your records" })).toBeVisible();
  // Filtering by type leaves only that type.
  await page.getByLabel("Type").selectOption("Mouse click");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/type=click/);
  const typeCells = page
    .getByRole("table", { name: "Your records" })
    .locator("tbody tr td:nth-child(2)");
  await expect(typeCells.first()).toHaveText("Mouse click");
  expect(new Set(await typeCells.allTextContents())).toEqual(new Set(["Mouse click"]));
  await page.getByRole("table", { name: "Your records" }).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1, name: /^Record \d+$/ })).toBeVisible();
  await expect(page.getByTestId("event-data")).toBeVisible();

  // The overview charts the events with the pause shaded on the same axis, and switches periods.
  await page.goto("/data?period=today");
  await expect(page.getByTestId("data-total")).toContainText("events stored");
  const chart = page.getByTestId("activity-chart");
  await expect(chart.locator("rect").first()).toBeAttached();
  await expect(chart.getByTestId("chart-window-pause")).toHaveCount(1);
  await expectAccessible(page);
  await page.getByLabel("Period", { exact: true }).selectOption("7d");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/period=7d/);
  await expect(page.getByText("Show the numbers as a table")).toBeVisible();
});

test.describe("with a server of its own, which the test stops and starts", () => {
  test.use({ ownServer: true });

  test("offline, the agent honours a scheduled window, and its buffered batches arrive exactly once", async ({
    page,
    privateServer,
    agents,
  }) => {
    test.setTimeout(240_000);
    const server = privateServer!;
    const configDir = agents.configDir();
    await signIn(page, "grace.mwangi@lull.test");
    const code = await createEnrollmentCode(page);
    await enrollAgent({ server: server.url, code, configDir });
    const agent = agents.start(configDir);
    await agent.waitFor(/status=collecting/);

    // Schedule a 5-minute pause at the first whole minute at least 40 seconds away (Nairobi time).
    const start = new Date(Math.ceil((Date.now() + 40_000) / 60_000) * 60_000);
    const end = new Date(start.getTime() + 5 * 60_000);
    const local = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Africa/Nairobi",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(start);
    const part = (type: string) => local.find((p) => p.type === type)!.value;
    await page.goto("/pauses");
    await page.getByLabel("Date").fill(`${part("year")}-${part("month")}-${part("day")}`);
    await page.getByLabel("Start time").fill(`${part("hour")}:${part("minute")}`);
    await page.getByLabel("Duration").selectOption("5");
    await page.getByRole("button", { name: "Schedule pause" }).click();
    await expect(page.getByRole("status")).toContainText("Pause scheduled for");
    // The device has the schedule before the server goes away: the agent names its next pause.
    await agent.waitFor(new RegExp(`status=collecting next_pause=${start.toISOString()} `));

    await server.stop();
    const paused = await agent.waitFor(/status=paused/);
    // The agent paused by its own clock from the schedule it kept: not before the start, until
    // the end. (That it was not late is what the records below show: nothing inside the window.)
    expect(agentTime(paused)).toBeGreaterThanOrEqual(start.getTime());
    expect(paused.line).toContain(`until=${end.toISOString()}`);
    // Stay offline a few seconds inside the window: nothing may be collected now.
    await page.waitForTimeout(3000);
    const buffered = readdirSync(path.join(configDir, "outbox")).length;
    expect(buffered).toBeGreaterThan(0);

    const back = agent.lines.length;
    await server.start();
    // Every batch buffered offline is uploaded (nothing new is made inside the window).
    await agent.waitFor(/uploaded batch=\S+ .*buffered=0( |$)/, back);
    expect(readdirSync(path.join(configDir, "outbox"))).toEqual([]);
    await agent.stop();

    const db = new Database(server.databaseFile, { readonly: true });
    try {
      const batches = db.prepare(`SELECT result FROM "EventBatch"`).all() as { result: string }[];
      const storedByBatches = batches.reduce(
        (sum, b) => sum + (JSON.parse(b.result) as { stored: number }).stored,
        0,
      );
      const events = db.prepare(`SELECT COUNT(*) AS n FROM "Event"`).get() as { n: number };
      // Every batch arrived exactly once: the stored events are exactly those the batches reported.
      expect(batches.length).toBeGreaterThanOrEqual(buffered);
      expect(events.n).toBe(storedByBatches);
      expect(events.n).toBeGreaterThan(0);
      const insideWindow = db
        .prepare(`SELECT COUNT(*) AS n FROM "Event" WHERE "at" >= ? AND "at" < ?`)
        .get(storedTime(start.getTime()), storedTime(end.getTime())) as { n: number };
      expect(insideWindow.n).toBe(0);
    } finally {
      db.close();
    }
  });
});
