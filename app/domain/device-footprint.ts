/**
 * What each device costs the worker (ADR 0026): its uploads (bytes, batches,
 * per UTC hour) summed into "today" and "the last 7 days" in the worker's
 * time zone, and the agent's own report of its CPU time and memory, put in
 * words. Pure: the hourly rows, `now` and the zone in, sentences out.
 */
import { countOf, formatBytes, formatCpuTime } from "./formatting.ts";
import { formatDateTime, formatTime, localDateKey, startOfLocalDay } from "./local-time.ts";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Days in "the last 7 days": today and the six before it, as on the /data overview. */
export const FOOTPRINT_DAYS = 7;

/** One device's uploads in one UTC hour, as the ingest path counts them. */
export type UploadHour = {
  /** Start of the UTC hour. */
  hour: Date;
  bytes: number;
  batches: number;
  events: number;
};

export type UploadTotals = { bytes: number; batches: number; events: number };

function floorToHour(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
}

function minusDays(dateKey: string, days: number): string {
  const noon = Date.parse(`${dateKey}T12:00:00Z`) - days * DAY_MS;
  return new Date(noon).toISOString().slice(0, 10);
}

/**
 * The first UTC hour that counts for "today" and for "the last 7 days": the
 * hour in which the local day begins. Hours are UTC, so in a zone whose
 * offset is not whole hours (Asia/Kolkata) the hour that holds local
 * midnight counts for the new day: an upload shown as today's last upload
 * is always in today's total.
 */
export function footprintHours(now: Date, timeZone: string): { today: Date; week: Date } {
  const today = localDateKey(now, timeZone);
  return {
    today: floorToHour(startOfLocalDay(today, timeZone)),
    week: floorToHour(startOfLocalDay(minusDays(today, FOOTPRINT_DAYS - 1), timeZone)),
  };
}

/** Today's and the last 7 days' totals from a device's hourly rows (any rows; older ones are ignored). */
export function sumUploads(
  hours: readonly UploadHour[],
  now: Date,
  timeZone: string,
): { today: UploadTotals; week: UploadTotals } {
  const from = footprintHours(now, timeZone);
  const today = { bytes: 0, batches: 0, events: 0 };
  const week = { bytes: 0, batches: 0, events: 0 };
  for (const h of hours) {
    const t = h.hour.getTime();
    if (t > now.getTime()) continue;
    for (const [since, totals] of [
      [from.today, today],
      [from.week, week],
    ] as const) {
      if (t < since.getTime()) continue;
      totals.bytes += h.bytes;
      totals.batches += h.batches;
      totals.events += h.events;
    }
  }
  return { today, week };
}

/** "14:02" today, else the date and time with the zone ("27 Nov 2026, 14:02 CET"). */
export function whenInWords(instant: Date, now: Date, timeZone: string): string {
  return localDateKey(instant, timeZone) === localDateKey(now, timeZone)
    ? formatTime(instant, timeZone)
    : formatDateTime(instant, timeZone);
}

export type UploadFootprint =
  | { kind: "none"; summary: string }
  | { kind: "some"; today: string; week: string; lastUpload: string };

/**
 * The device card's upload lines: "Uploaded today: 1.2 MB in 34 batches",
 * "Last 7 days: 8.4 MB in 210 batches", "Last upload: 14:02", or one
 * sentence when the device has sent nothing (in words, not zeros).
 */
export function describeUploads(
  hours: readonly UploadHour[],
  lastUploadAt: Date | null,
  now: Date,
  timeZone: string,
): UploadFootprint {
  if (!lastUploadAt) return { kind: "none", summary: "Nothing uploaded yet." };
  const { today, week } = sumUploads(hours, now, timeZone);
  const last = whenInWords(lastUploadAt, now, timeZone);
  if (week.batches === 0) {
    return {
      kind: "none",
      summary: `Nothing uploaded in the last ${FOOTPRINT_DAYS} days; the last upload was ${last}.`,
    };
  }
  return {
    kind: "some",
    today:
      today.batches === 0
        ? "Nothing uploaded today."
        : `Uploaded today: ${formatBytes(today.bytes)} in ${countOf(today.batches, "batch", "batches")}.`,
    week: `Last ${FOOTPRINT_DAYS} days: ${formatBytes(week.bytes)} in ${countOf(week.batches, "batch", "batches")}.`,
    lastUpload: `Last upload: ${last}.`,
  };
}

/** The agent's latest report of its own use, as stored. */
export type ResourceReport = {
  periodStart: Date;
  periodEnd: Date;
  cpuMs: number;
  rssBytes: number;
  /** When the server received it (the server's clock, not the agent's). */
  receivedAt: Date;
};

/** "the last hour", "the last 12 minutes", "the last 40 seconds", "the last 3 hours". */
export function periodInWords(ms: number): string {
  if (ms >= 55 * 60_000 && ms <= 65 * 60_000) return "the last hour";
  if (ms < 90_000) return `the last ${countOf(Math.max(1, Math.round(ms / 1000)), "second")}`;
  if (ms < 90 * 60_000) return `the last ${countOf(Math.round(ms / 60_000), "minute")}`;
  return `the last ${countOf(Math.round(ms / HOUR_MS), "hour")}`;
}

/**
 * "Agent used 1.4 s of CPU and 48 MB of memory in the last hour (reported
 * 14:00)." or "The agent has not reported its CPU and memory use yet." The period is the one the report covers,
 * the time the one it arrived.
 */
export function describeResourceUse(
  report: ResourceReport | null,
  now: Date,
  timeZone: string,
): string {
  if (!report) return "The agent has not reported its CPU and memory use yet.";
  const period = periodInWords(report.periodEnd.getTime() - report.periodStart.getTime());
  return `Agent used ${formatCpuTime(report.cpuMs)} of CPU and ${formatBytes(report.rssBytes)} of memory in ${period} (reported ${whenInWords(report.receivedAt, now, timeZone)}).`;
}

/**
 * Why a usage report's times cannot be right for this device, or null: a
 * period ending in the future (beyond the clock tolerance events get), or
 * starting long before the device was enrolled (the same bound as events'
 * times, ADR 0020). The schema checks the rest (order, length, CPU, RSS).
 */
export function usageReportTimeProblem(
  report: { periodStart: string; periodEnd: string },
  { now, enrolledAt }: { now: Date; enrolledAt: Date },
  {
    futureToleranceMs,
    earliestBeforeEnrollmentMs,
  }: {
    futureToleranceMs: number;
    earliestBeforeEnrollmentMs: number;
  },
): { field: "periodStart" | "periodEnd"; message: string } | null {
  if (Date.parse(report.periodEnd) > now.getTime() + futureToleranceMs) {
    return {
      field: "periodEnd",
      message: `periodEnd ${report.periodEnd} is in the future (the server's time is ${now.toISOString()}); check the device's clock.`,
    };
  }
  if (Date.parse(report.periodStart) < enrolledAt.getTime() - earliestBeforeEnrollmentMs) {
    return {
      field: "periodStart",
      message: `periodStart ${report.periodStart} is more than a day before this device was enrolled (${enrolledAt.toISOString()}); check the device's clock.`,
    };
  }
  return null;
}

/**
 * How a new report relates to the device's latest one: the same period again
 * (a resend: counted once), one that starts before the latest ended
 * (refused: periods do not overlap), or a new one.
 */
export function compareWithLatestReport(
  report: { periodStart: Date; periodEnd: Date },
  latest: { periodStart: Date; periodEnd: Date } | null,
): "new" | "duplicate" | "overlaps" {
  if (!latest) return "new";
  if (
    report.periodStart.getTime() === latest.periodStart.getTime() &&
    report.periodEnd.getTime() === latest.periodEnd.getTime()
  ) {
    return "duplicate";
  }
  return report.periodStart.getTime() < latest.periodEnd.getTime() ? "overlaps" : "new";
}

/** A device's footprint as the devices page shows it: the upload lines and the resource sentence. */
export function presentFootprint(
  footprint:
    | {
        uploadHours: readonly UploadHour[];
        lastUploadAt: Date | null;
        latestReport: ResourceReport | null;
      }
    | undefined,
  now: Date,
  timeZone: string,
): { uploads: UploadFootprint; resources: string } {
  return {
    uploads: describeUploads(
      footprint?.uploadHours ?? [],
      footprint?.lastUploadAt ?? null,
      now,
      timeZone,
    ),
    resources: describeResourceUse(footprint?.latestReport ?? null, now, timeZone),
  };
}
