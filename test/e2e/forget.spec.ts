import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { agentTime, enrollAgent } from "./agent-process.ts";
import { createEnrollmentCode, expect, signIn, test } from "./fixtures.ts";

const run = promisify(execFile);

/** How Prisma's SQLite adapter stores a DateTime (ISO 8601 text, "+00:00"). */
function storedTime(iso: string): string {
  return new Date(iso).toISOString().replace("Z", "+00:00");
}

test.describe("forgetting the last minutes (ADR 0041), with a server of its own", () => {
  // A forget deletes a worker's data and counts against their daily allowance: kept away from
  // the tests sharing the suite's server.
  test.use({ ownServer: true });

  test("the agent drops what it holds from the forgotten span within a second of the click, nothing in it is stored, /data shows the gap, and the receipt verifies", async ({
    page,
    privateServer,
    agents,
  }, testInfo) => {
    test.setTimeout(180_000);
    const server = privateServer!;
    const email = "kwame.mensah@lull.test";
    const configDir = agents.configDir();
    await signIn(page, email);
    const code = await createEnrollmentCode(page);
    await enrollAgent({ server: server.url, code, configDir });
    // A long batch interval: between two uploads the agent holds seconds of events in memory.
    const agent = agents.start(configDir, ["--batch-seconds", "10"]);
    const collecting = await agent.waitFor(/status=collecting/);
    await page.goto("/");
    // Part of the span to forget is stored already; then a second more is made and held.
    await agent.waitFor(/uploaded batch=\S+ events=\d+ stored=[1-9]/);
    await page.waitForTimeout(1000);

    const mark = agent.lines.length;
    const clickedAt = Date.now();
    await page.getByRole("button", { name: "Forget the last 15 minutes" }).click();
    const announced = await agent.waitFor(
      /forget_window from=\S+ to=\S+ version=\d+ source=stream dropped=\d+/,
      mark,
    );
    // Pushed over the stream as a new state, and reported by the agent within a second of the
    // forget (its span ends at the server's instant of forgetting; the browser's own round trip
    // before it is not the agent's latency).
    agent.expectPushed(announced, { from: mark, previous: collecting });
    const [, from, to, dropped] = /from=(\S+) to=(\S+) .*dropped=(\d+)/.exec(announced.line)!;
    expect(Date.parse(to!) - Date.parse(from!)).toBe(15 * 60_000);
    expect(Date.parse(to!)).toBeGreaterThanOrEqual(clickedAt);
    expect(Date.parse(to!)).toBeLessThanOrEqual(agentTime(announced));
    const latencyMs = agentTime(announced) - Date.parse(to!);
    testInfo.annotations.push(
      { type: "forget_window after the forget (ms)", description: `${latencyMs}` },
      {
        type: "forget_window after the click (ms)",
        description: `${agentTime(announced) - clickedAt}`,
      },
    );
    expect(latencyMs, `the agent's line came ${latencyMs} ms after the forget`).toBeLessThanOrEqual(
      1000,
    );
    // It held events from the span (the second made since its last upload) and dropped them.
    expect(Number(dropped), announced.line).toBeGreaterThan(0);
    await expect(page.getByRole("status")).toContainText("Forgot");

    // The agent's next batch, made after the forget, carries nothing from the span.
    const after = agent.lines.indexOf(announced);
    const queued = await agent.waitFor(/queued batch=\S+/, after);
    const batchId = /queued batch=(\S+)/.exec(queued.line)![1]!;
    const uploaded = await agent.waitFor(new RegExp(`uploaded batch=${batchId} `), after);
    expect(uploaded.line).toMatch(/ stored=[1-9]\d* /);
    expect(uploaded.line).toMatch(/ discardedForgotten=0 /);

    const db = new Database(server.databaseFile, { readonly: true });
    try {
      const { id: workerId } = db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as {
        id: string;
      };
      const count = (sql: string, ...args: string[]) =>
        (
          db
            .prepare(`SELECT COUNT(*) AS n FROM "Event" WHERE "workerId" = ? AND ${sql}`)
            .get(workerId, ...args) as { n: number }
        ).n;
      expect(count(`"at" >= ? AND "at" < ?`, storedTime(from!), storedTime(to!))).toBe(0);
      expect(count(`"at" >= ?`, storedTime(to!))).toBeGreaterThan(0);
    } finally {
      db.close();
    }

    // The overview shades the forgotten span on the chart.
    await page.goto("/data?period=today");
    await expect(
      page.getByTestId("activity-chart").getByTestId("chart-window-forget").first(),
    ).toBeAttached();

    // The deletion receipt, downloaded from Data history, names the span and verifies offline
    // against the portal's published key.
    await page.goto("/data/access");
    const item = page
      .locator("#deletions")
      .getByTestId("deletion-list")
      .getByRole("listitem")
      .filter({ hasText: "Forgotten span" })
      .first();
    const download = page.waitForEvent("download");
    await item.getByRole("link", { name: "Download receipt (JSON)" }).click();
    const receipt = readFileSync(await (await download).path(), "utf8");
    expect(receipt).toContain(`"from": "${from}"`);
    expect(receipt).toContain(`"to": "${to}"`);
    const keyResponse = await page.request.get("/.well-known/lull-receipt-key");
    expect(keyResponse.ok()).toBe(true);
    const keyFile = testInfo.outputPath("lull-receipt-key.pem");
    const receiptFile = testInfo.outputPath("deletion-receipt.json");
    writeFileSync(keyFile, await keyResponse.text());
    writeFileSync(receiptFile, receipt);
    const { stdout } = await run("npm", [
      "run",
      "--silent",
      "verify-receipt",
      "--",
      receiptFile,
      "--key",
      keyFile,
    ]);
    expect(stdout).toMatch(/^VALID: /);
    expect(stdout).toContain(`the span ${from} to ${to} they asked to forget`);
  });
});
