import type { Role } from "#app/domain/roles.ts";
import type { Mail } from "#app/utils/mail.server.ts";

/**
 * The CSV import's statements (ADR 0016), one implementation per provider
 * (ADR 0032): user-import-sqlite.server.ts, user-import-postgres.server.ts.
 * Each method is one short transaction of an import; bulk statements, not
 * Prisma's createMany (~0.35 ms of JavaScript a row).
 */

/** Accounts by email, among the emails a file names: each one's id and whether it is active. */
export type KnownPeople = ReadonlyMap<string, { id: string; active: boolean }>;

export type NewAccount = {
  id: string;
  name: string;
  email: string;
  role: Role;
  timezone: string;
  managerId: string | null;
  tokenId: string;
  tokenHash: string;
  createEventId: string;
  /** The user.create event's metadata, as JSON. */
  createMetadata: string;
  linkEventId: string;
};

export type ImportChunk = {
  importId: string;
  /** The emails this chunk's check depends on: its people, and managers from outside the file. */
  named: readonly string[];
  /** Given those people as they are now, inside the chunk's transaction: true if the chunk may not be written. */
  conflicts: (current: KnownPeople) => boolean;
  accounts: readonly NewAccount[];
  /** Held until the import finishes: mailed if and only if it counts. */
  mails: readonly Mail[];
  actorId: string;
  now: Date;
  linkExpiresAt: Date;
};

export type UserImportStore = {
  /**
   * True when a chunk's statements run on the thread (better-sqlite3): the
   * import then pauses after each chunk for as long as it took, so requests
   * get half the thread. Otherwise the thread was free while the database
   * worked, and waiting requests only go first.
   */
  holdsTheThread: boolean;
  findPeopleByEmail(emails: readonly string[]): Promise<KnownPeople>;
  /** Records the start of an import: until `finishImport`, its people and their mails do not count. */
  startImport(args: { importId: string; actorId: string; now: Date; rows: number }): Promise<void>;
  /**
   * In one transaction: reads the `named` people again and, unless `conflicts`
   * says no, writes the accounts, their set-password tokens, a user.create and
   * a user.setup_link audit event each (as `createUserAccount` and
   * `issueSetupToken` would) and the held mails. Returns true on a conflict
   * (nothing written). A manager in the file must be in this chunk or an earlier one.
   */
  writeChunk(chunk: ImportChunk): Promise<boolean>;
  /** The import counts from here: one user.import event, and its mails may go. */
  finishImport(args: {
    importId: string;
    actorId: string;
    eventId: string;
    count: number;
    now: Date;
  }): Promise<void>;
  /** Imports that started and neither finished nor were rolled back (a crash, or one running now). */
  unfinishedImports(): Promise<string[]>;
  /**
   * Removes everything an unfinished import wrote: its people, their links and
   * audit events (the audit trail's one exception, for events of people who
   * never counted) and its held mails. The UserImport row stays, marked.
   * Returns how many people it removed.
   */
  rollBackImport(importId: string, now: Date): Promise<number>;
};
