/**
 * Retention's chunked deletes (ADR 0032): one implementation per provider
 * (retention-sqlite.server.ts, retention-postgres.server.ts); the cutoffs, the
 * loop and the audit event stay in retention.server.ts. Each delete removes at
 * most `limit` rows in one statement and answers how many it removed.
 */
export interface RetentionStore {
  /**
   * Devices holding an event before `cutoff` (one index seek each), with
   * their worker, so each worker's deleted events can be counted for their
   * deletion receipt (ADR 0041).
   */
  devicesWithEventsBefore(cutoff: Date): Promise<{ id: string; workerId: string }[]>;
  deleteEventsOfDevice(deviceId: string, before: Date, limit: number): Promise<number>;
  /** Workers holding an hourly rollup at or before `lastWholeHour`, or a daily one before `day`. */
  workersWithRollupsBefore(lastWholeHour: Date, day: Date): Promise<string[]>;
  deleteHourlyRollups(workerId: string, before: Date, limit: number): Promise<number>;
  deleteDailyRollups(workerId: string, before: Date, limit: number): Promise<number>;
  /**
   * In one transaction: the worker's hourly rollups from `day` to
   * `lastWholeHour` (included) deleted, and their daily rows of `day`
   * recomputed from the hours left before `nextDay`. Answers the hourly rows
   * deleted.
   */
  trimDay(
    workerId: string,
    span: { day: Date; lastWholeHour: Date; nextDay: Date },
  ): Promise<number>;
  deleteBatches(receivedBefore: Date, limit: number): Promise<number>;
  deleteUploadHours(through: Date, limit: number): Promise<number>;
  deleteResourceHours(through: Date, limit: number): Promise<number>;
}
