/**
 * Where the agents' usage reports are stored (ADR 0026, 0032): one
 * implementation per provider (device-footprint-sqlite.server.ts,
 * device-footprint-postgres.server.ts); the rule that compares a report with
 * the latest one stays in device-footprint.server.ts.
 */

/** The period of the device's latest report, or null before its first. */
export type LatestReportPeriod = { periodStart: Date; periodEnd: Date } | null;

/** One report added to its hour (the UTC hour its period ends in) and kept as the latest. */
export type UsageHourAddition = {
  hour: Date;
  cpuMs: number;
  coveredMs: number;
  rssBytes: number;
  periodStart: Date;
  periodEnd: Date;
  receivedAt: Date;
};

export interface DeviceFootprintStore {
  /**
   * Reads the device's latest report period, asks `decide` what to do with
   * it and adds what it answers, in one transaction that no other report of
   * the same device can run inside of.
   */
  addUsageReport<T>(
    deviceId: string,
    decide: (latest: LatestReportPeriod) => { add: UsageHourAddition | null; result: T },
  ): Promise<T>;
}
