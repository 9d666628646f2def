/**
 * What each device costs its worker (ADR 0026): the agent's reports of its
 * own CPU time and memory, stored per UTC hour with the latest one, and the
 * reads behind the devices page's footprint (upload hours, written by the
 * ingest path, and the latest report).
 */
import type { UsageReport } from "#app/agent-protocol/v1.ts";
import {
  compareWithLatestReport,
  type ResourceReport,
  type UploadHour,
} from "#app/domain/device-footprint.ts";
import { hourBucket } from "#app/domain/ingest-rules.ts";
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { postgresDeviceFootprintStore } from "./device-footprint-postgres.server.ts";
import { sqliteDeviceFootprintStore } from "./device-footprint-sqlite.server.ts";

/** Where usage reports are written, in this process's database's dialect (ADR 0032). */
const store = byProvider({
  sqlite: () => sqliteDeviceFootprintStore,
  postgresql: () => postgresDeviceFootprintStore,
});

/**
 * Stores one usage report: added to its hour (the UTC hour its period ends
 * in) and kept as the device's latest. In one transaction that other reports
 * of the device wait for, so two reports of one device cannot both pass the
 * overlap check. The same period
 * again (an agent resending after a lost answer) is counted once; a period
 * starting before the latest one ended is refused with `conflict`.
 */
export async function recordUsageReport(
  deviceId: string,
  report: UsageReport,
  now: Date,
): Promise<Outcome<{ duplicate: boolean }>> {
  const periodStart = new Date(report.periodStart);
  const periodEnd = new Date(report.periodEnd);
  return store().addUsageReport<Outcome<{ duplicate: boolean }>>(deviceId, (latest) => {
    const relation = compareWithLatestReport({ periodStart, periodEnd }, latest);
    if (relation === "duplicate") return { add: null, result: accept({ duplicate: true }) };
    if (relation === "overlaps") {
      return {
        add: null,
        result: refuse(
          "conflict",
          `This report's period overlaps the one already received for ${latest!.periodStart.toISOString()} to ${latest!.periodEnd.toISOString()}. Each report covers the time since the previous one ended.`,
          "periodStart",
        ),
      };
    }
    return {
      add: {
        hour: hourBucket(periodEnd),
        cpuMs: report.cpuMs,
        coveredMs: periodEnd.getTime() - periodStart.getTime(),
        rssBytes: report.rssBytes,
        periodStart,
        periodEnd,
        receivedAt: now,
      },
      result: accept({ duplicate: false }),
    };
  });
}

export type DeviceFootprint = {
  /** Upload hours from `since` on. */
  uploadHours: UploadHour[];
  /** The last upload the device made, however long ago (within retention). */
  lastUploadAt: Date | null;
  /** The agent's latest report of its own use. */
  latestReport: ResourceReport | null;
};

/**
 * The footprint of each of `deviceIds` (the caller's own devices): upload
 * hours from `since`, the last upload, the latest resource report. Three
 * indexed reads; a worker has a handful of devices.
 */
export async function listDeviceFootprints(
  deviceIds: readonly string[],
  since: Date,
): Promise<Map<string, DeviceFootprint>> {
  const ids = [...deviceIds];
  const [hours, lastUploads, latestReports] = await Promise.all([
    prisma.deviceUsageHour.findMany({
      where: { deviceId: { in: ids }, hour: { gte: since } },
      select: { deviceId: true, hour: true, bytes: true, batches: true, events: true },
    }),
    prisma.deviceUsageHour.groupBy({
      by: ["deviceId"],
      where: { deviceId: { in: ids } },
      _max: { lastAt: true },
    }),
    Promise.all(
      ids.map((deviceId) =>
        prisma.deviceResourceHour.findFirst({
          where: { deviceId },
          orderBy: { hour: "desc" },
          select: {
            deviceId: true,
            lastPeriodStart: true,
            lastPeriodEnd: true,
            lastCpuMs: true,
            lastRssBytes: true,
            lastReceivedAt: true,
          },
        }),
      ),
    ),
  ]);
  const footprints = new Map<string, DeviceFootprint>(
    ids.map((id) => [id, { uploadHours: [], lastUploadAt: null, latestReport: null }]),
  );
  for (const h of hours) {
    footprints.get(h.deviceId)?.uploadHours.push({
      hour: h.hour,
      bytes: Number(h.bytes),
      batches: h.batches,
      events: h.events,
    });
  }
  for (const u of lastUploads) {
    const footprint = footprints.get(u.deviceId);
    if (footprint) footprint.lastUploadAt = u._max.lastAt;
  }
  for (const r of latestReports) {
    const footprint = r && footprints.get(r.deviceId);
    if (!footprint) continue;
    footprint.latestReport = {
      periodStart: r.lastPeriodStart,
      periodEnd: r.lastPeriodEnd,
      cpuMs: Number(r.lastCpuMs),
      rssBytes: Number(r.lastRssBytes),
      receivedAt: r.lastReceivedAt,
    };
  }
  return footprints;
}
