import type { LockWorker } from "./worker-lock.ts";

/**
 * Nothing to take on SQLite: one process writes the file (ADR 0019) and the
 * adapter runs its transactions one at a time on its one connection (ADR
 * 0002), so a command's checks and writes already run alone (ADR 0035).
 */
export const lockWorker: LockWorker = async () => {};
