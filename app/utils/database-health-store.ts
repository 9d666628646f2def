/** The provider-specific half of `/healthz` (database-health.server.ts, ADR 0019, ADR 0035). */
export type DatabaseHealthStore = {
  /** The names of the applied migrations; throws when the database cannot be queried. */
  appliedMigrations(): Promise<string[]>;
  /** Resolves when the database takes writes; throws saying why when it does not. */
  checkWritable(): Promise<void>;
};
