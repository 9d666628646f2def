import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { AgentProcess, enrollAgent } from "./agent-process.ts";
import {
  createEnrollmentCode,
  expect,
  expectAccessible,
  signIn,
  test,
  timePost,
} from "./fixtures.ts";
import { prepareDatabase, startServerProcess } from "./server-process.ts";

/** How Prisma's SQLite adapter stores a DateTime (ISO 8601 text, "+00:00"). */
function storedTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

test("the agent stops within a second of a pause started in the web UI, and resumes when it ends", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const configDir = mkdtempSync(path.join(tmpdir(), "lull-agent-"));
  await signIn(page, "kwame.mensah@lull.test");
  const code = await createEnrollmentCode(page);
  await enrollAgent({ server: baseURL!, code, configDir });
  const agent = new AgentProcess(configDir);
  try {
    await agent.waitFor(/status=collecting/, 15_000);

    await page.goto("/");
    const mark = agent.lines.length;
    const pausedAt = await timePost(page, "/pauses", () =>
      page.getByRole("button", { name: "Pause now" }).click(),
    );
    const paused = await agent.waitFor(/status=paused/, 5_000, mark);
    expect(paused.at - pausedAt).toBeLessThan(1000);
    await expect(page.getByTestId("tracking-status")).toHaveText(/Paused until/);

    const beforeEnd = agent.lines.length;
    const endedAt = await timePost(page, "/pauses", () =>
      page.getByRole("button", { name: "End pause now" }).click(),
    );
    const resumed = await agent.waitFor(/status=collecting/, 5_000, beforeEnd);
    expect(resumed.at - endedAt).toBeLessThan(1000);

    await page.goto("/devices");
    await expect(page.getByTestId("device-list")).toContainText("Has your current pauses");

    // What the agent sent is in the worker's records, down to each field.
    await expect(async () => {
      await page.goto("/data/events");
      await expect(page.getByRole("table", { name: "Your records" })).toBeVisible({
        timeout: 1000,
      });
    }).toPass({ timeout: 15_000 });
    // Filtering by type leaves only that type.
    await page.getByLabel("Type").selectOption("click");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/type=click/);
    const typeCells = page
      .getByRole("table", { name: "Your records" })
      .locator("tbody tr td:nth-child(2)");
    await expect(typeCells.first()).toHaveText("click");
    expect(new Set(await typeCells.allTextContents())).toEqual(new Set(["click"]));
    await page.getByRole("table", { name: "Your records" }).getByRole("link").first().click();
    await expect(page.getByRole("heading", { level: 1, name: /^Record \d+$/ })).toBeVisible();
    await expect(page.getByTestId("event-data")).toBeVisible();

    // The overview charts the events with the pause shaded on the same axis, and switches periods.
    await page.goto("/data?period=today");
    await expect(page.getByTestId("data-total")).toContainText("events stored");
    const chart = page.getByTestId("activity-chart");
    await expect(chart.locator(".recharts-bar-rectangle").first()).toBeAttached();
    await expect(chart.locator(".recharts-reference-area")).toHaveCount(1);
    await expectAccessible(page);
    await page.getByLabel("Period", { exact: true }).selectOption("7d");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/period=7d/);
    await expect(page.getByText("Show the numbers as a table")).toBeVisible();
  } finally {
    await agent.stop();
    rmSync(configDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
});

test("offline, the agent honours a scheduled window, and its buffered batches arrive exactly once", async ({
  browser,
  clientIp,
}) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(path.join(tmpdir(), "lull-agent-offline-"));
  const configDir = path.join(dir, "agent");
  const dbFile = path.join(dir, "lull.db");
  const databaseUrl = `file:${dbFile}`;
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const sessionSecret = "e2e-offline-test-secret-0123456789abcdef";
  prepareDatabase(databaseUrl);
  let server = await startServerProcess({ port, databaseUrl, sessionSecret });
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": clientIp } });
  const page = await context.newPage();
  let agent: AgentProcess | undefined;
  try {
    await page.goto(`${server.url}/login`);
    await page.getByLabel("Work email").fill("grace.mwangi@lull.test");
    await page.getByLabel("Password").fill("lull-demo-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    const code = await createEnrollmentCode(page, server.url);
    await enrollAgent({ server: server.url, code, configDir });
    agent = new AgentProcess(configDir);
    await agent.waitFor(/status=collecting/, 15_000);

    // Schedule a 5-minute pause at the first whole minute at least 40 seconds away (Nairobi time).
    const start = new Date(Math.ceil((Date.now() + 40_000) / 60_000) * 60_000);
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
    await page.goto(`${server.url}/pauses`);
    await page.getByLabel("Date").fill(`${part("year")}-${part("month")}-${part("day")}`);
    await page.getByLabel("Start time").fill(`${part("hour")}:${part("minute")}`);
    await page.getByLabel("Duration").selectOption("5");
    await page.getByRole("button", { name: "Schedule pause" }).click();
    await expect(page.getByRole("status")).toContainText("Pause scheduled for");
    // The device has the schedule before the server goes away.
    await expect(async () => {
      await page.goto(`${server.url}/devices`);
      await expect(page.getByTestId("device-list")).toContainText("Has your current pauses", {
        timeout: 1000,
      });
    }).toPass({ timeout: 10_000 });

    await server.stop();
    const paused = await agent.waitFor(/status=paused/, start.getTime() - Date.now() + 10_000);
    expect(paused.at).toBeGreaterThanOrEqual(start.getTime() - 1000);
    expect(paused.at).toBeLessThan(start.getTime() + 2000);
    // Stay offline a few seconds inside the window: nothing may be collected now.
    await page.waitForTimeout(3000);
    const buffered = readdirSync(path.join(configDir, "outbox")).length;
    expect(buffered).toBeGreaterThan(0);

    server = await startServerProcess({ port, databaseUrl, sessionSecret });
    await expect
      .poll(() => readdirSync(path.join(configDir, "outbox")).length, { timeout: 60_000 })
      .toBe(0);
    await agent.stop();
    agent = undefined;

    const db = new Database(dbFile, { readonly: true });
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
        .get(storedTime(start.getTime()), storedTime(start.getTime() + 5 * 60_000)) as {
        n: number;
      };
      expect(insideWindow.n).toBe(0);
    } finally {
      db.close();
    }
  } finally {
    await agent?.stop();
    await context.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
});
