import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LIMITS, UsageReportSchema } from "../app/agent-protocol/v1.ts";
import { startAgent, type RunningAgent } from "./agent.ts";
import { enrollDevice } from "./enroll.ts";
import { FakeLullServer } from "./fake-lull-server.ts";
import type { StatusReport } from "./status.ts";
import { buildUsageReport, runUsageReporter, type UsageMeter } from "./usage-report.ts";

/** Aborted when the running test times out (set by beforeEach). */
let testSignal: AbortSignal;

async function waitFor(check: () => boolean, what: string): Promise<void> {
  while (!check()) {
    if (testSignal.aborted) throw new Error(`Still waiting for ${what} when the test timed out`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A meter whose CPU time grows by 1.5 ms of user and 0.5 ms of system time at each reading. */
function steppingMeter(rssBytes = 48 * 1024 * 1024): UsageMeter & { readings: number } {
  const meter = {
    readings: 0,
    cpu(previous?: NodeJS.CpuUsage) {
      meter.readings += 1;
      const now = { user: 1500 * meter.readings, system: 500 * meter.readings };
      return previous
        ? { user: now.user - previous.user, system: now.system - previous.system }
        : now;
    },
    rssBytes: () => rssBytes,
  };
  return meter;
}

describe("a usage report", () => {
  test("is CPU time in ms since the previous report and the RSS now, for a period of at most a day", () => {
    const start = new Date("2026-12-02T12:00:00Z");
    const end = new Date("2026-12-02T13:00:00Z");
    expect(buildUsageReport(start, end, { user: 1_200_400, system: 199_900 }, 50_331_648)).toEqual({
      periodStart: "2026-12-02T12:00:00.000Z",
      periodEnd: "2026-12-02T13:00:00.000Z",
      cpuMs: 1400,
      rssBytes: 50_331_648,
    });
    // A laptop asleep for three days: the report covers the last 24 hours, which the server takes.
    const late = buildUsageReport(
      new Date("2026-11-29T13:00:00Z"),
      end,
      { user: 5000, system: 0 },
      1,
    );
    expect(late.periodStart).toBe("2026-12-01T13:00:00.000Z");
    expect(UsageReportSchema.safeParse(late).success).toBe(true);
    expect(Date.parse(late.periodEnd) - Date.parse(late.periodStart)).toBe(
      LIMITS.maxUsagePeriodSeconds * 1000,
    );
  });
});

describe("the reference agent reports its own use", () => {
  let server: FakeLullServer;
  let configDir: string;
  let agent: RunningAgent | undefined;
  let reports: StatusReport[];

  beforeEach(async ({ signal }) => {
    testSignal = signal;
    server = new FakeLullServer();
    await server.start();
    configDir = path.join(await mkdtemp(path.join(tmpdir(), "lull-agent-")), "config");
    reports = [];
    await enrollDevice({ server: server.url, code: server.code, configDir });
  });

  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await server.stop();
    await rm(path.dirname(configDir), { recursive: true, force: true });
  });

  test("every interval, with periods that follow on without gaps or overlaps", async () => {
    agent = await startAgent({
      configDir,
      eventsPerSecond: 0,
      usageIntervalSeconds: 0.05,
      usageMeter: steppingMeter(),
      onStatus: (report) => reports.push(report),
    });
    await waitFor(() => server.usageReports.length >= 3, "three usage reports");
    const [first, second, third] = server.usageReports;
    for (const report of [first!, second!, third!]) {
      expect(UsageReportSchema.safeParse(report).success).toBe(true);
      // One reading of the stepping meter apart: 1.5 ms of user and 0.5 ms of system time.
      expect(report.cpuMs).toBe(2);
      expect(report.rssBytes).toBe(48 * 1024 * 1024);
    }
    expect(second!.periodStart).toBe(first!.periodEnd);
    expect(third!.periodStart).toBe(second!.periodEnd);
    expect(reports.some((r) => r.word === "usage_reported" && r.fields.cpu_ms === 2)).toBe(true);
  });

  test("a report that fails is not resent: the next one starts where it ended", async () => {
    server.failUsageReports = 1;
    agent = await startAgent({
      configDir,
      eventsPerSecond: 0,
      usageIntervalSeconds: 0.05,
      usageMeter: steppingMeter(),
      onStatus: (report) => reports.push(report),
    });
    await waitFor(() => server.usageReports.length >= 2, "two usage reports");
    const failed = reports.find((r) => r.word === "usage_not_reported");
    expect(failed?.fields.reason).toMatch(/Busy/);
    const [first, second] = server.usageReports;
    expect(first!.periodStart).toBe(failed!.fields.period_end);
    expect(second!.periodStart).toBe(first!.periodEnd);
  });

  test("a 401 on a report ends the agent as revoked", async () => {
    server.revoke();
    const controller = new AbortController();
    let revoked = "";
    await runUsageReporter({
      server: server.url,
      token: server.token,
      signal: controller.signal,
      intervalMs: 1,
      now: () => new Date(),
      meter: steppingMeter(),
      report: () => {},
      onRevoked: (message) => void (revoked = message),
    });
    expect(revoked).toBe("Revoked.");
  });
});
