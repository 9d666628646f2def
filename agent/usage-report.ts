/**
 * The agent's own footprint, told to the worker: once an interval (an hour
 * by default) it measures its CPU time (user + system, `process.cpuUsage`)
 * since the previous report and its resident set size now
 * (`process.memoryUsage().rss`), and sends them to POST /usage.
 *
 * Best effort: a report that fails is not resent; the next one starts where
 * it ended, so periods never overlap (the server refuses overlaps) and a lost
 * report is a gap, not a double count. A 401 means the device was revoked.
 */
import {
  LIMITS,
  UsageReportResultSchema,
  type UsageReport,
  type UsageReportResult,
} from "../app/agent-protocol/v1.ts";
import {
  apiUrl,
  authorizedHeaders,
  DeviceRevokedError,
  errorFromResponse,
  ProtocolError,
  type FetchLike,
} from "./api.ts";
import { sleep } from "./backoff.ts";
import type { StatusFields } from "./status.ts";
import { describeNetworkError } from "./upload.ts";

export const DEFAULT_USAGE_INTERVAL_SECONDS = 3600;
const USAGE_TIMEOUT_MS = 30_000;

/** What the process has used: CPU time since `previous`, and its RSS now. */
export type UsageMeter = {
  cpu(previous?: NodeJS.CpuUsage): NodeJS.CpuUsage;
  rssBytes(): number;
};

export const processMeter: UsageMeter = {
  cpu: (previous) => process.cpuUsage(previous),
  rssBytes: () => process.memoryUsage().rss,
};

/**
 * The report for [periodStart, periodEnd): `cpu` is `process.cpuUsage`'s
 * difference (microseconds). A period longer than the protocol allows (a
 * laptop asleep for days) is cut to its last 24 hours: the CPU time is the
 * same, since a sleeping process uses none.
 */
export function buildUsageReport(
  periodStart: Date,
  periodEnd: Date,
  cpu: NodeJS.CpuUsage,
  rssBytes: number,
): UsageReport {
  const earliest = periodEnd.getTime() - LIMITS.maxUsagePeriodSeconds * 1000;
  const start = Math.max(periodStart.getTime(), earliest);
  return {
    periodStart: new Date(start).toISOString(),
    periodEnd: periodEnd.toISOString(),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssBytes: Math.max(1, Math.round(rssBytes)),
  };
}

export async function sendUsageReport({
  server,
  token,
  report,
  signal,
  fetchImpl = fetch,
}: {
  server: string;
  token: string;
  report: UsageReport;
  signal: AbortSignal;
  fetchImpl?: FetchLike;
}): Promise<UsageReportResult> {
  const response = await fetchImpl(apiUrl(server, "/usage"), {
    method: "POST",
    headers: authorizedHeaders(token, { "content-type": "application/json" }),
    body: JSON.stringify(report),
    signal: AbortSignal.any([signal, AbortSignal.timeout(USAGE_TIMEOUT_MS)]),
  });
  if (!response.ok) throw await errorFromResponse(response);
  const parsed = UsageReportResultSchema.safeParse(await response.json());
  if (!parsed.success) throw new ProtocolError("the server's answer was not a UsageReportResult");
  return parsed.data;
}

export type UsageReporterOptions = {
  server: string;
  token: string;
  signal: AbortSignal;
  fetchImpl?: FetchLike;
  intervalMs: number;
  now: () => Date;
  meter?: UsageMeter;
  report: (word: string | undefined, fields: StatusFields) => void;
  onRevoked: (message: string) => void;
};

/** Reports every `intervalMs` until the signal aborts. The first period starts now. */
export async function runUsageReporter(options: UsageReporterOptions): Promise<void> {
  const { signal, meter = processMeter } = options;
  let periodStart = options.now();
  let cpuAtStart = meter.cpu();
  for (;;) {
    await sleep(options.intervalMs, signal);
    if (signal.aborted) return;
    const periodEnd = options.now();
    if (periodEnd.getTime() <= periodStart.getTime()) continue; // the clock went back: wait
    const cpuNow = meter.cpu();
    const report = buildUsageReport(
      periodStart,
      periodEnd,
      {
        user: cpuNow.user - cpuAtStart.user,
        system: cpuNow.system - cpuAtStart.system,
      },
      meter.rssBytes(),
    );
    periodStart = periodEnd;
    cpuAtStart = cpuNow;
    try {
      const result = await sendUsageReport({ ...options, report });
      options.report("usage_reported", {
        period_start: report.periodStart,
        period_end: report.periodEnd,
        cpu_ms: report.cpuMs,
        rss_bytes: report.rssBytes,
        duplicate: result.duplicate,
      });
    } catch (error) {
      if (error instanceof DeviceRevokedError) return options.onRevoked(error.message);
      if (signal.aborted) return;
      options.report("usage_not_reported", {
        period_end: report.periodEnd,
        reason: describeNetworkError(error),
      });
    }
  }
}
