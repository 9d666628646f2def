/** How long collected data is kept, and where the line falls. Pure. */
export const RETENTION_BOUNDS = { min: 7, max: 730 } as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Data dated before this instant is past retention. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/**
 * Retention runs once per UTC day (ADR 0041): the first hourly job of a day runs it, later
 * ones that day do not. Each run gives every worker it deleted from one signed receipt, so a
 * worker gets at most one retention receipt a day instead of one for every hour that aged out.
 */
export function retentionDue(lastRunAt: Date | null, now: Date): boolean {
  if (!lastRunAt) return true;
  return Math.floor(lastRunAt.getTime() / DAY_MS) < Math.floor(now.getTime() / DAY_MS);
}

/**
 * When data that passes the retention cutoff at `expiresAt` is deleted: by the first run on or
 * after it, which starts at the next UTC midnight (within the hour after it).
 */
export function deletedBy(expiresAt: Date): Date {
  return new Date(Math.ceil(expiresAt.getTime() / DAY_MS) * DAY_MS);
}
