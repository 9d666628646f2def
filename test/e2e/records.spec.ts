import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createEnrollmentCode, expect, expectAccessible, signIn, test } from "./fixtures.ts";

const EVENTS = 12_000;

test("a worker exports their records, watches the progress reach 100%, and downloads a ZIP whose manifest checks out", async ({
  page,
  baseURL,
}) => {
  await signIn(page, "arjun.patel@lull.test");
  // An agent has sent this worker's records: enroll one over the API and upload events.
  const code = await createEnrollmentCode(page);
  const enrolled = (await (
    await fetch(`${baseURL}/api/agent/v1/enroll`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        code,
        deviceName: "Export laptop",
        platform: "linux",
        agentVersion: "1",
      }),
    })
  ).json()) as { token: string };
  const start = Date.now() - 3 * 3600_000;
  for (let batch = 0; batch < EVENTS / 4000; batch++) {
    const res = await fetch(`${baseURL}/api/agent/v1/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${enrolled.token}` },
      body: JSON.stringify({
        batchId: randomUUID(),
        events: Array.from({ length: 4000 }, (_, i) => ({
          type: "keystroke",
          at: new Date(start + (batch * 4000 + i) * 500).toISOString(),
          app: "Editor",
          data: {},
        })),
      }),
    });
    expect(res.status).toBe(200);
  }
  await page.goto("/records");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Download my records");
  await page.getByRole("button", { name: "Export my records" }).click();
  const exportItem = page.getByTestId("export").first();
  // The page follows the job by itself until the bar is full and the file is ready, however long
  // the export takes here: the test's own timeout is the only limit (bench:export times it).
  await expect
    .poll(() => exportItem.getByTestId("export-progress").getAttribute("value"), { timeout: 0 })
    .toBe("100");
  await expect(exportItem.getByTestId("export-status")).toHaveText("Ready");
  await expect(exportItem).toContainText("(100%)");
  await expectAccessible(page);

  const download = page.waitForEvent("download");
  await exportItem.getByRole("link", { name: /Download ZIP/ }).click();
  const file = await (await download).path();
  expect(execFileSync("unzip", ["-t", file]).toString()).toMatch(/No errors detected/);
  const manifest = JSON.parse(execFileSync("unzip", ["-p", file, "manifest.json"]).toString()) as {
    schemaVersion: number;
    files: { name: string; rows: number }[];
  };
  expect(manifest.schemaVersion).toBe(1);
  expect(manifest.files.find((f) => f.name === "events.csv")?.rows).toBe(EVENTS);
  expect(manifest.files.map((f) => f.name)).toEqual(
    expect.arrayContaining([
      "README.txt",
      "profile.json",
      "events.csv",
      "events.ndjson",
      "access-log.json",
    ]),
  );
  const profile = JSON.parse(execFileSync("unzip", ["-p", file, "profile.json"]).toString()) as {
    email: string;
  }[];
  expect(profile[0]!.email).toBe("arjun.patel@lull.test");
});
