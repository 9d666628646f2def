import { mkdtempSync, rmSync } from "node:fs";
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

/** The calendar day after "2026-11-27". */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

test("a worker asks for an exemption, a reviewer approves it, and the worker's agent stops within a second", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const configDir = mkdtempSync(path.join(tmpdir(), "lull-agent-"));
  await signIn(page, "noah.williams@lull.test");
  const code = await createEnrollmentCode(page);
  await enrollAgent({ server: baseURL!, code, configDir });
  const agent = new AgentProcess(configDir);
  const reviewerContext = await browser.newContext({
    extraHTTPHeaders: { "X-Forwarded-For": "198.19.7.7" },
  });
  try {
    await agent.waitFor(/status=collecting/, 15_000);

    // The worker files a request; a bad one first, which names the field and keeps the input.
    await page.goto("/exemptions");
    await page.getByRole("link", { name: "Request an exemption" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request an exemption");
    await expectAccessible(page);
    await page.getByLabel("Reason").selectOption("LEGAL_OR_HR");
    await page.getByLabel("What is it for?").fill("Too short");
    await page.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByText(/at least 20 characters/)).toBeVisible();
    await page
      .getByLabel("What is it for?")
      .fill("Meetings with the company's HR investigator about a grievance I filed.");
    const startDate = await page.getByLabel("Starts: date").inputValue();
    await page.getByLabel("Ends: date").fill(nextDay(startDate));
    await page.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "Legal or HR matter exemption",
    );
    await expect(page.getByTestId("exemption-status")).toHaveText("Pending");
    const requestUrl = page.url();
    await expectAccessible(page);

    // A reviewer finds it in the queue and approves it.
    const reviewer = await reviewerContext.newPage();
    await signIn(reviewer, "reviewer@lull.test");
    await reviewer.goto("/review/exemptions?reason=LEGAL_OR_HR");
    await reviewer.getByRole("link", { name: "Noah Williams" }).click();
    await expect(reviewer.getByRole("heading", { level: 1 })).toContainText("Noah Williams");
    await expectAccessible(reviewer);
    const mark = agent.lines.length;
    const approvedAt = await timePost(reviewer, "/review/exemptions/", () =>
      reviewer.getByRole("button", { name: "Approve" }).click(),
    );
    const paused = await agent.waitFor(/status=paused.*kind=exemption/, 5_000, mark);
    expect(paused.at - approvedAt).toBeLessThan(1000);
    await expect(reviewer.getByTestId("exemption-status")).toHaveText("Approved");

    // The worker sees the decision: unread badge, status, timeline, and the access log.
    await page.goto("/");
    await expect(page.getByTestId("unread-badge")).toHaveText(/1/);
    await expect(page.getByTestId("tracking-status")).toHaveText(/Exempt until/);
    await page.getByRole("link", { name: "Your exemption request was approved" }).click();
    await expect(page).toHaveURL(requestUrl);
    await expect(page.getByTestId("exemption-timeline")).toContainText("Approved by Rafael Souza");
    await page.goto("/data/access");
    await expect(page.getByRole("main")).toContainText("Viewed an exemption request");
    await expect(page.getByRole("main")).toContainText("Approved an exemption request");

    // Nothing dated inside the exemption reached the database.
    await page.waitForTimeout(2_500);
    const db = new Database(process.env.LULL_E2E_DB!, { readonly: true });
    try {
      const inside = db
        .prepare(
          `SELECT COUNT(*) AS n FROM "Event" e JOIN "User" u ON u.id = e.workerId
           WHERE u.email = ? AND e."at" >= ?`,
        )
        .get(
          "noah.williams@lull.test",
          new Date(approvedAt + 1000).toISOString().replace("Z", "+00:00"),
        ) as {
        n: number;
      };
      expect(inside.n).toBe(0);
    } finally {
      db.close();
    }

    // Ending it early gives collection back, again within a second.
    await page.goto(requestUrl);
    const beforeEnd = agent.lines.length;
    const endedAt = await timePost(page, "/exemptions/", () =>
      page.getByRole("button", { name: "End exemption now" }).click(),
    );
    const resumed = await agent.waitFor(/status=collecting/, 5_000, beforeEnd);
    expect(resumed.at - endedAt).toBeLessThan(1000);
    await expect(page.getByTestId("exemption-timeline")).toContainText("Ended early");
  } finally {
    await agent.stop();
    await reviewerContext.close();
    rmSync(configDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the request form works: field errors from the server, then the request is filed", async ({
    page,
  }) => {
    await signIn(page, "ethan.brown@lull.test");
    await page.goto("/exemptions/new");
    await page.getByLabel("Reason").selectOption("UNION_ACTIVITY");
    await page.getByLabel("What is it for?").fill("Short");
    await page.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByText(/at least 20 characters/)).toBeVisible();
    // What was typed is still there.
    await expect(page.getByLabel("Reason")).toHaveValue("UNION_ACTIVITY");
    await page
      .getByLabel("What is it for?")
      .fill("Preparing the staff council's response to the reorganisation plan.");
    const startDate = await page.getByLabel("Starts: date").inputValue();
    await page.getByLabel("Ends: date").fill(nextDay(startDate));
    await page.getByRole("radio", { name: /Every week/ }).check();
    for (const day of [
      "Monday",
      "Tuesday",
      "Wednesday",
      "Thursday",
      "Friday",
      "Saturday",
      "Sunday",
    ]) {
      await page.getByRole("checkbox", { name: day }).check();
    }
    await page.getByLabel("Each time from").fill("00:00");
    await page.getByLabel("Each time until").fill("23:59");
    await page.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByTestId("exemption-status")).toHaveText("Pending");
    await expect(page.getByText(/^Every Monday, Tuesday/)).toBeVisible();
  });
});
