import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, expectAccessible, signIn, test } from "./fixtures.ts";

/**
 * Issue 20, "Deletion receipts": the demo worker's data history lists the
 * retention run that deleted their oldest afternoon (seeded), and the receipt
 * downloaded from it verifies with `npm run verify-receipt`, and not once a
 * byte changed.
 */
test("the worker downloads a deletion receipt from their data history and it verifies offline", async ({
  page,
  baseURL,
}) => {
  await signIn(page, "worker@lull.test");
  await page.goto("/data");
  await page
    .getByRole("navigation", { name: "My data" })
    .getByRole("link", { name: "Data history" })
    .click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Data history");
  await expect(
    page.getByRole("heading", { level: 2, name: "Who looked at your data" }),
  ).toBeVisible();
  const deletions = page.locator("#deletions");
  await expect(deletions.getByRole("heading", { level: 2 })).toHaveText("Deletions");
  const item = deletions.getByTestId("deletion-list").getByRole("listitem").first();
  await expect(item).toContainText("Retention");
  await expect(item).toContainText("past the retention period");
  await expect(item).toContainText("Removed: 90 events");
  await expect(deletions.getByRole("link", { name: "Verify a receipt" })).toHaveAttribute(
    "href",
    "/acknowledgements/verify",
  );
  await expectAccessible(page);

  const download = page.waitForEvent("download");
  await item.getByRole("link", { name: "Download receipt (JSON)" }).click();
  const text = readFileSync(await (await download).path(), "utf8");
  const dir = mkdtempSync(path.join(tmpdir(), "lull-e2e-deletion-"));
  try {
    writeFileSync(path.join(dir, "receipt.json"), text);
    writeFileSync(path.join(dir, "altered.json"), text.replace('"events": 90', '"events": 91'));
    const key = await (await fetch(`${baseURL}/.well-known/lull-receipt-key`)).text();
    writeFileSync(path.join(dir, "key.pem"), key);
    const verify = (file: string) =>
      spawnSync(
        "npm",
        [
          "run",
          "--silent",
          "verify-receipt",
          "--",
          path.join(dir, file),
          "--key",
          path.join(dir, "key.pem"),
        ],
        { encoding: "utf8" },
      );
    const valid = verify("receipt.json");
    expect(valid.stdout).toMatch(
      /^VALID: Deleted their data recorded before .* \(retention\) for Wren/,
    );
    expect(valid.status).toBe(0);
    const altered = verify("altered.json");
    expect(altered.stdout).toMatch(/^INVALID: /);
    expect(altered.status).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
