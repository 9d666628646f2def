import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { DEMO_PASSWORD, expect, expectAccessible, test } from "./fixtures.ts";

/**
 * Issue 21, point 3 (ADR 0043): a data steward builds an AI-training dataset
 * of the last days, downloads the file and its signed manifest (which
 * verifies offline and names the file's SHA-256), and the demo worker sees
 * the dataset in their Data history, in words, with its purpose.
 */

// A dataset adds an entry to every included worker's access log: its own server and database.
test.use({ ownServer: true });

async function signInAs(browser: Browser, base: string, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  return page;
}

/** Builds a dataset of the last nine days on the steward's page and waits for it. */
export async function buildDataset(steward: Page, base: string, name: string) {
  await steward.goto(`${base}/datasets`);
  const day = (offset: number) =>
    new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  await steward.getByLabel("Name").fill(name);
  await steward.getByLabel("First day").fill(day(9));
  await steward.getByLabel("Last day").fill(day(0));
  await expect(steward.getByLabel("Purpose of this access")).toHaveValue("ai-training");
  await steward.getByRole("button", { name: "Build the dataset" }).click();
  await expect(steward.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(steward.getByText("Ready", { exact: true })).toBeVisible({ timeout: 30_000 });
  return steward.getByTestId("dataset-rows");
}

test("a steward builds a dataset, its manifest verifies offline, and the worker sees it in their Data history", async ({
  browser,
  privateServer,
}) => {
  test.setTimeout(120_000);
  const base = privateServer!.url;
  const steward = await signInAs(browser, base, "steward@lull.test");
  await steward
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Datasets" })
    .click();
  await expect(steward.getByRole("heading", { level: 1 })).toHaveText("AI-training datasets");
  await expectAccessible(steward);

  // A prohibited purpose is offered only as a disabled option.
  await expect(
    steward.getByLabel("Purpose of this access").locator("option[value=performance-evaluation]"),
  ).toBeDisabled();

  const rows = await buildDataset(steward, base, "Last days of typing");
  await expect(rows).toContainText(/[1-9][\d,]* events of [1-9]\d* people/);
  await expectAccessible(steward);

  const fileDownload = steward.waitForEvent("download");
  await steward.getByRole("link", { name: "Download the dataset (JSON Lines)" }).click();
  const file = readFileSync(await (await fileDownload).path());
  const lines = file.toString("utf8").trim().split("\n");
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(Object.keys(first).sort()).toEqual(["app", "at", "data", "pseudonym", "type"]);
  expect(file.toString("utf8")).not.toContain("@lull.test");
  expect(file.toString("utf8")).not.toContain("Wren");

  const manifestDownload = steward.waitForEvent("download");
  await steward.getByRole("link", { name: "Download the signed manifest (JSON)" }).click();
  const manifest = readFileSync(await (await manifestDownload).path(), "utf8");
  const payload = (JSON.parse(manifest) as { payload: { file: { sha256: string } } }).payload;
  expect(payload.file.sha256).toBe(createHash("sha256").update(file).digest("hex"));
  const dir = mkdtempSync(path.join(tmpdir(), "lull-e2e-dataset-"));
  try {
    writeFileSync(path.join(dir, "manifest.json"), manifest);
    writeFileSync(
      path.join(dir, "key.pem"),
      await (await fetch(`${base}/.well-known/lull-receipt-key`)).text(),
    );
    const check = spawnSync(
      "npm",
      [
        "run",
        "--silent",
        "verify-receipt",
        "--",
        path.join(dir, "manifest.json"),
        "--key",
        path.join(dir, "key.pem"),
      ],
      { encoding: "utf8" },
    );
    expect(check.stdout).toMatch(/^VALID: Dataset "Last days of typing"/);
    expect(check.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The worker reads it in their Data history: the access, in words, and the lineage.
  const worker = await signInAs(browser, base, "worker@lull.test");
  await worker.goto(`${base}/data/access`);
  await expect(
    worker.getByRole("cell", {
      name: /Your events from .* were included in dataset "Last days of typing" for training AI models/,
    }),
  ).toBeVisible();
  const lineage = worker.getByTestId("dataset-lineage");
  await expect(lineage).toContainText("Last days of typing");
  await expect(lineage).toContainText("Purpose: Training AI models");
  await expectAccessible(worker);
});

test("a worker objects to training use; the reviewer accepts; the next dataset leaves them out, and their lineage keeps the earlier one", async ({
  browser,
  privateServer,
}) => {
  test.setTimeout(180_000);
  const base = privateServer!.url;
  const steward = await signInAs(browser, base, "steward@lull.test");
  await buildDataset(steward, base, "Before the objection");

  // The worker objects to AI training from My data.
  const worker = await signInAs(browser, base, "worker@lull.test");
  await worker.goto(`${base}/data/rights`);
  await worker.getByLabel(/Objection to a purpose/).check();
  await worker.getByLabel("Purpose objected to (an objection)").selectOption("ai-training");
  await worker
    .getByLabel("What is wrong, and what do you want?")
    .fill("I do not want my typing used to train AI models.");
  await worker.getByRole("button", { name: "File the request" }).click();
  await expect(worker.getByTestId("rights-status")).toContainText("Open");
  const requestId = new URL(worker.url()).pathname.split("/").at(-1)!;

  // The reviewer opens it naming a purpose, and accepts.
  const reviewer = await signInAs(browser, base, "reviewer@lull.test");
  await reviewer.goto(`${base}/review/rights/${requestId}`);
  await reviewer.getByLabel("Purpose of this access").selectOption("rights-request");
  await reviewer.getByRole("button", { name: "Open" }).click();
  await reviewer
    .getByLabel(/The answer Wren Castellanos reads/)
    .fill("Accepted: none of your data will be used to train AI models from now on.");
  await reviewer.getByRole("button", { name: "Accept and apply" }).click();
  await expect(reviewer.getByTestId("rights-status")).toContainText("Accepted");

  // The next dataset leaves the worker out.
  const rows = await buildDataset(steward, base, "After the objection");
  await expect(rows).toContainText(/^0 events of 0 people$/);

  // The worker's Data history: the earlier dataset in their lineage, not the later one.
  await worker.goto(`${base}/data/access`);
  const lineage = worker.getByTestId("dataset-lineage");
  await expect(lineage).toContainText("Before the objection");
  await expect(lineage).not.toContainText("After the objection");
  await expect(
    worker.getByRole("cell", { name: /were included in dataset "Before the objection"/ }),
  ).toBeVisible();
  await expect(worker.getByRole("cell", { name: /dataset "After the objection"/ })).toHaveCount(0);
  // The request's page lists the dataset built before it, to follow up.
  await worker.goto(`${base}/data/rights/${requestId}`);
  await expect(
    worker.getByTestId("rights-dataset-row").filter({ hasText: "Before the objection" }),
  ).toHaveCount(1);
  await expect(
    worker.getByTestId("rights-dataset-row").filter({ hasText: "After the objection" }),
  ).toHaveCount(0);
});
