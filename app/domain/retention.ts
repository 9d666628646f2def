/** How long collected data is kept, and where the line falls. Pure. */
export const RETENTION_BOUNDS = { min: 7, max: 730 } as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Data dated before this instant is past retention. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}
