import { readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { agentTime, enrollAgent } from "./agent-process.ts";
import { createEnrollmentCode, expect, expectAccessible, signIn, test } from "./fixtures.ts";

/** The calendar day after "2026-11-27". */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

test("a worker asks for an exemption, a reviewer approves it, and the approval is pushed to the worker's agent", async ({
  page,
  browser,
  baseURL,
  agents,
}) => {
  test.setTimeout(120_000);
  const configDir = agents.configDir();
  await signIn(page, "noah.williams@lull.test");
  const code = await createEnrollmentCode(page);
  await enrollAgent({ server: baseURL!, code, configDir });
  const agent = agents.start(configDir);
  const reviewerContext = await browser.newContext({
    extraHTTPHeaders: { "X-Forwarded-For": "198.19.7.7" },
  });
  try {
    const collecting = await agent.waitFor(/status=collecting/);

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
    // Opening someone's request names its purpose first (ADR 0042); the context's is preselected.
    await expect(reviewer.getByTestId("purpose-gate")).toBeVisible();
    await expectAccessible(reviewer);
    await reviewer.getByRole("button", { name: "Open" }).click();
    await expect(reviewer.getByRole("heading", { level: 1 })).toContainText("Noah Williams");
    await expectAccessible(reviewer);
    // Causal, not timed: the approval reaches the agent as a newer state pushed over its stream.
    const mark = agent.lines.length;
    await reviewer.getByRole("button", { name: "Approve", exact: true }).click();
    const paused = await agent.waitFor(/status=paused.*kind=exemption/, mark);
    agent.expectPushed(paused, { from: mark, previous: collecting });
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
    await expect(page.getByTestId("access-purpose").first()).toHaveText(
      "Purpose: Deciding exemption requests",
    );
    await expect(page.getByRole("main")).toContainText("Approved an exemption request");

    // Nothing dated after the agent paused reached the database. Ordered by the agent's own
    // clock, not by a second's grace; checked once everything it made has been uploaded.
    await expect
      .poll(() => readdirSync(path.join(configDir, "outbox")).length, { timeout: 0 })
      .toBe(0);
    const db = new Database(process.env.LULL_E2E_DB!, { readonly: true });
    try {
      const inside = db
        .prepare(
          `SELECT COUNT(*) AS n FROM "Event" e JOIN "User" u ON u.id = e.workerId
           WHERE u.email = ? AND e."at" > ?`,
        )
        .get(
          "noah.williams@lull.test",
          new Date(agentTime(paused)).toISOString().replace("Z", "+00:00"),
        ) as {
        n: number;
      };
      expect(inside.n).toBe(0);
    } finally {
      db.close();
    }

    // Ending it early gives collection back, again by a push.
    await page.goto(requestUrl);
    const beforeEnd = agent.lines.length;
    await page.getByRole("button", { name: "End exemption now" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "End exemption" }).click();
    const resumed = await agent.waitFor(/status=collecting/, beforeEnd);
    agent.expectPushed(resumed, { from: beforeEnd, previous: paused });
    await expect(page.getByTestId("exemption-timeline")).toContainText("Ended early");
  } finally {
    await reviewerContext.close();
  }
});

test.describe("the reviewer's flow", () => {
  // The queue must hold only the seeded requests: a server and database of its own.
  test.use({ ownServer: true });

  test("times in the worker's zone with the reviewer's beside them; approve and next, deny and next (also without JavaScript), then the Decided tab", async ({
    page,
    browser,
    baseURL,
    clientIp,
  }) => {
    test.setTimeout(120_000);
    // The seeded queue, oldest first: Daniel Kim, the reviewer's own, Wren Castellanos, Aisha Rahman.
    await signIn(page, "reviewer@lull.test");
    await page.goto("/review/exemptions");
    await expect(page.getByRole("link", { name: "To decide", exact: true })).toHaveAttribute(
      "aria-current",
      "page",
    );
    const rows = page.getByTestId("queue-row");
    await expect(rows).toHaveCount(4);
    await expect(rows.first()).toContainText("(America/Los_Angeles)");
    await expect(rows.first()).toContainText("your time, America/Sao_Paulo");
    await rows.first().getByRole("link", { name: "Daniel Kim" }).click();
    await page.getByLabel("Purpose of this access").selectOption("exemption-review");
    await page.getByRole("button", { name: "Open" }).click();

    // One request: its times in Daniel's zone, named; the reviewer's own clock on a line beside.
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Daniel Kim");
    await expect(page.getByTestId("request-zone")).toContainText("America/Los_Angeles");
    const facts = page.getByRole("main").locator("dl").first();
    await expect(facts).toContainText(/\(America\/Los_Angeles\)/);
    await expect(facts.getByTestId("your-time").first()).toHaveText(
      / your time, America\/Sao_Paulo$/,
    );
    await expectAccessible(page);

    await page.getByLabel(/Note to the worker/).fill("Get well soon.");
    await page.getByRole("button", { name: "Approve and next" }).click();
    // The reviewer's own request is skipped: Wren's is next, with an empty note.
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Wren Castellanos");
    await expect(page.getByRole("status")).toContainText("Request approved.");
    await expect(page.getByLabel(/Note to the worker/)).toHaveValue("");
    await expect(page.getByRole("main").locator("dl").first()).toContainText("(Europe/Berlin)");
    await page.getByLabel(/Note to the worker/).fill("Please use pauses for the interviews.");
    await page.getByRole("button", { name: "Deny and next" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Aisha Rahman");
    await expect(page.getByRole("status")).toContainText("Request denied.");
    const aisha = page.url();

    // Without JavaScript the same button is a plain form submit; the last one leads to the queue.
    const plain = await browser.newContext({
      baseURL,
      javaScriptEnabled: false,
      extraHTTPHeaders: { "X-Forwarded-For": clientIp },
    });
    try {
      const noJs = await plain.newPage();
      await signIn(noJs, "reviewer@lull.test");
      await noJs.goto(aisha);
      await noJs.getByRole("button", { name: "Approve and next" }).click();
      await expect(noJs).toHaveURL(/\/review\/exemptions$/);
      await expect(noJs.getByRole("status")).toContainText("Queue is empty");
      // Only the reviewer's own request is left; another reviewer or an admin decides it.
      await expect(noJs.getByTestId("queue-row")).toHaveCount(1);
      await expect(noJs.getByTestId("queue-row")).toContainText("(you)");
    } finally {
      await plain.close();
    }

    // The Decided tab: the latest decision first, what it was, who made it and when.
    await page.goto("/review/exemptions");
    await page.getByRole("link", { name: "Decided", exact: true }).click();
    await expect(page).toHaveURL(/\?tab=decided$/);
    await expect(page.getByRole("link", { name: "Decided", exact: true })).toHaveAttribute(
      "aria-current",
      "page",
    );
    await expect(page.getByRole("link", { name: "To decide", exact: true })).not.toHaveAttribute(
      "aria-current",
      /.*/,
    );
    const decided = page.getByTestId("decided-row");
    await expect(decided.nth(0)).toContainText("Aisha Rahman");
    await expect(decided.nth(0)).toContainText("Approved");
    await expect(decided.nth(0)).toContainText("by Rafael Souza (you)");
    await expect(decided.nth(0)).toContainText("(Asia/Dhaka)");
    await expect(decided.nth(1)).toContainText("Wren Castellanos");
    await expect(decided.nth(1)).toContainText("Denied");
    await expect(decided.nth(2)).toContainText("Daniel Kim");
    await expectAccessible(page);
  });
});

test("the request form shows only what applies and says what would stop, as the worker types", async ({
  page,
}) => {
  await signIn(page, "mei.chen@lull.test");
  await page.goto("/exemptions/new");
  const summary = page.getByTestId("exemption-summary");
  await expect(summary).toHaveText(/^If approved, from .* your agents collect nothing\.$/);
  await expect(page.getByTestId("scope-types")).toBeHidden();
  await expect(page.getByTestId("weekly-window")).toBeHidden();

  await page.getByRole("radio", { name: "Only some kinds of data" }).check();
  await expect(page.getByTestId("scope-types")).toBeVisible();
  await expect(summary).toHaveText(/Choose at least one kind of data/);
  await page.getByRole("checkbox", { name: "Keystrokes" }).check();
  await expect(summary).toHaveText(
    /your agents stop collecting keystrokes; everything else is collected as usual\.$/,
  );

  await page.getByRole("radio", { name: /Every week/ }).check();
  await expect(page.getByTestId("weekly-window")).toBeVisible();
  await expect(summary).toHaveText(/Choose the days and the times/);
  await page.getByRole("checkbox", { name: "Tuesday" }).check();
  await expect(summary).toHaveText(/^If approved, on Tuesdays from 14:00 to 16:00 \(/);
  await expectAccessible(page);

  // Back to all collection: the kinds are hidden again, and left out of the request.
  await page.getByRole("radio", { name: "All collection" }).check();
  await expect(page.getByTestId("scope-types")).toBeHidden();
  await expect(page.getByTestId("scope-types").locator("input").first()).toBeDisabled();
  await expect(summary).toHaveText(/your agents collect nothing\.$/);
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
    // The weekly window is disclosed by the choice itself, without JavaScript too.
    await expect(page.getByRole("checkbox", { name: "Monday" })).toBeHidden();
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
