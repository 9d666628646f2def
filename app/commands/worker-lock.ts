import type { Tx } from "#app/utils/db.server.ts";

/**
 * Serialises the commands that check a rule across one worker's rows (one
 * running pause, an exemption request's next status, a records export a
 * day…) so that two of them cannot both pass the check (ADR 0035). Taken
 * first in the command's transaction, held until it commits or rolls back.
 */
export type LockWorker = (tx: Tx, workerId: string) => Promise<void>;
