/** A reason not to start, worded for the person starting it. */
export class DatabaseNotReadyError extends Error {
  override name = "DatabaseNotReadyError";
}

/** What a process holds on its database until it ends (on PostgreSQL, nothing). */
export type DatabaseClaim = { release(): void };
