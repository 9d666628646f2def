import type BetterSqlite3 from "better-sqlite3";
import { z } from "zod";
import type { Role } from "#app/domain/roles.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";

/**
 * The user import's SQL for SQLite, run on Prisma's own connection inside
 * `runSqliteTransaction` (synchronous: nothing else runs in between). Prisma's
 * `createMany` spends ~0.35 ms of JavaScript per row on this schema (3.5 s for
 * 10,000 people before any audit event or link), so the bulk path uses
 * prepared statements, as event ingestion does (ADR 0007).
 */

/** Accounts by email, among the emails a file names: each one's id and whether it is active. */
export type KnownPeople = ReadonlyMap<string, { id: string; active: boolean }>;

const KnownPersonRow = z.object({
  id: z.string(),
  email: z.string(),
  // better-sqlite3 hands back integers as BigInt on this connection.
  active: z.union([z.bigint(), z.number()]).transform((v) => Number(v) === 1),
});

/** One indexed look-up per email, in one statement (the emails travel as one JSON array). */
export function findPeopleByEmail(db: BetterSqlite3.Database, emails: string[]): KnownPeople {
  const rows = db
    .prepare(
      `SELECT "id", "email", "deactivatedAt" IS NULL AS "active" FROM "User"
       WHERE "email" IN (SELECT "value" FROM json_each(?))`,
    )
    .all(JSON.stringify(emails));
  return new Map(
    z
      .array(KnownPersonRow)
      .parse(rows)
      .map((r) => [r.email, { id: r.id, active: r.active }]),
  );
}

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

/**
 * Writes the accounts, their set-password tokens, a user.create and a
 * user.setup_link audit event each, and one user.import event, exactly as
 * `createUserAccount` and `issueSetupToken` would write them one by one.
 * Managers may come later in the list than the people they manage: foreign
 * keys are checked at commit.
 */
export function insertImportedAccounts(
  db: BetterSqlite3.Database,
  {
    accounts,
    actorId,
    importEventId,
    now,
    linkExpiresAt,
  }: {
    accounts: readonly NewAccount[];
    actorId: string;
    importEventId: string;
    now: Date;
    linkExpiresAt: Date;
  },
): void {
  const at = toStoredDateTime(now);
  const expires = toStoredDateTime(linkExpiresAt);
  const linkMetadata = JSON.stringify({ expiresAt: linkExpiresAt.toISOString() });
  db.pragma("defer_foreign_keys = ON");
  const user = db.prepare(
    `INSERT INTO "User" ("id", "email", "name", "role", "timezone", "managerId", "stateVersion", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
  );
  const token = db.prepare(
    `INSERT INTO "PasswordSetupToken" ("id", "userId", "tokenHash", "createdById", "createdAt", "expiresAt")
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const audit = db.prepare(
    `INSERT INTO "AuditEvent" ("id", "at", "actorId", "subjectUserId", "action", "targetType", "targetId", "metadata")
     VALUES (?, ?, ?, ?, ?, 'User', ?, ?)`,
  );
  for (const a of accounts) {
    user.run(a.id, a.email, a.name, a.role, a.timezone, a.managerId, at, at);
  }
  for (const a of accounts) {
    audit.run(a.createEventId, at, actorId, a.id, "user.create", a.id, a.createMetadata);
    token.run(a.tokenId, a.id, a.tokenHash, actorId, at, expires);
    audit.run(a.linkEventId, at, actorId, a.id, "user.setup_link", a.id, linkMetadata);
  }
  audit.run(
    importEventId,
    at,
    actorId,
    null,
    "user.import",
    null,
    JSON.stringify({ count: accounts.length }),
  );
}
