import type BetterSqlite3 from "better-sqlite3";
import { z } from "zod";
import { queueMailInSqliteTransaction } from "#app/commands/outbox-sqlite.server.ts";
import { runSqliteTransaction } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type { KnownPeople, NewAccount, UserImportStore } from "./user-import-store.ts";

/**
 * The user import's SQL for SQLite, run on Prisma's own connection inside
 * `runSqliteTransaction` (synchronous: nothing else runs in between; each
 * call below is one short transaction of an import, ADR 0016). Prisma's
 * `createMany` spends ~0.35 ms of JavaScript per row on this schema (3.5 s for
 * 10,000 people before any audit event or link), so the bulk path uses
 * prepared statements, as event ingestion does (ADR 0007).
 */

const KnownPersonRow = z.object({
  id: z.string(),
  email: z.string(),
  // better-sqlite3 hands back integers as BigInt on this connection.
  active: z.union([z.bigint(), z.number()]).transform((v) => Number(v) === 1),
});

/** One indexed look-up per email, in one statement (the emails travel as one JSON array). */
function findPeopleByEmail(db: BetterSqlite3.Database, emails: readonly string[]): KnownPeople {
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

/** Records the start of an import: until `finishImport`, its people and their mails do not count. */
function startImport(
  db: BetterSqlite3.Database,
  { importId, actorId, now, rows }: { importId: string; actorId: string; now: Date; rows: number },
): void {
  db.prepare(
    `INSERT INTO "UserImport" ("id", "actorId", "startedAt", "rows") VALUES (?, ?, ?, ?)`,
  ).run(importId, actorId, toStoredDateTime(now), rows);
}

/**
 * Writes one chunk of an import: the accounts, their set-password tokens and
 * a user.create and a user.setup_link audit event each, exactly as
 * `createUserAccount` and `issueSetupToken` would write them one by one.
 * A manager in the file must have been written in this chunk or an earlier one.
 */
function insertImportedAccounts(
  db: BetterSqlite3.Database,
  {
    importId,
    accounts,
    actorId,
    now,
    linkExpiresAt,
  }: {
    importId: string;
    accounts: readonly NewAccount[];
    actorId: string;
    now: Date;
    linkExpiresAt: Date;
  },
): void {
  const at = toStoredDateTime(now);
  const expires = toStoredDateTime(linkExpiresAt);
  const linkMetadata = JSON.stringify({ expiresAt: linkExpiresAt.toISOString() });
  const user = db.prepare(
    `INSERT INTO "User" ("id", "email", "name", "role", "timezone", "managerId", "stateVersion", "createdAt", "updatedAt", "importId")
     VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
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
    user.run(a.id, a.email, a.name, a.role, a.timezone, a.managerId, at, at, importId);
  }
  for (const a of accounts) {
    audit.run(a.createEventId, at, actorId, a.id, "user.create", a.id, a.createMetadata);
    token.run(a.tokenId, a.id, a.tokenHash, actorId, at, expires);
    audit.run(a.linkEventId, at, actorId, a.id, "user.setup_link", a.id, linkMetadata);
  }
}

/** The import counts from here: one user.import event, and its mails may go. */
function finishImport(
  db: BetterSqlite3.Database,
  {
    importId,
    actorId,
    eventId,
    count,
    now,
  }: { importId: string; actorId: string; eventId: string; count: number; now: Date },
): void {
  const at = toStoredDateTime(now);
  db.prepare(`UPDATE "UserImport" SET "finishedAt" = ? WHERE "id" = ?`).run(at, importId);
  db.prepare(
    `INSERT INTO "AuditEvent" ("id", "at", "actorId", "subjectUserId", "action", "targetType", "targetId", "metadata")
     VALUES (?, ?, ?, NULL, 'user.import', NULL, NULL, ?)`,
  ).run(eventId, at, actorId, JSON.stringify({ count }));
}

/** Imports that started and neither finished nor were rolled back (a crash, or one running now). */
function unfinishedImports(db: BetterSqlite3.Database): string[] {
  return z
    .array(z.object({ id: z.string() }))
    .parse(
      db
        .prepare(
          `SELECT "id" FROM "UserImport" WHERE "finishedAt" IS NULL AND "rolledBackAt" IS NULL`,
        )
        .all(),
    )
    .map((r) => r.id);
}

/**
 * Removes everything an unfinished import wrote: its people, their links and
 * audit events (the audit trail's one exception, for events of people who
 * never counted) and its held mails. The UserImport row stays, marked.
 */
function rollBackImport(db: BetterSqlite3.Database, importId: string, now: Date): number {
  const people = `SELECT "id" FROM "User" WHERE "importId" = ?`;
  db.prepare(`DELETE FROM "OutboxMessage" WHERE "importId" = ?`).run(importId);
  db.prepare(`DELETE FROM "PasswordSetupToken" WHERE "userId" IN (${people})`).run(importId);
  db.prepare(`DELETE FROM "AuditEvent" WHERE "subjectUserId" IN (${people})`).run(importId);
  db.prepare(`UPDATE "User" SET "managerId" = NULL WHERE "importId" = ?`).run(importId);
  const removed = db.prepare(`DELETE FROM "User" WHERE "importId" = ?`).run(importId).changes;
  db.prepare(`UPDATE "UserImport" SET "rolledBackAt" = ? WHERE "id" = ?`).run(
    toStoredDateTime(now),
    importId,
  );
  return removed;
}

export const userImportStore: UserImportStore = {
  holdsTheThread: true,
  findPeopleByEmail: (emails) => runSqliteTransaction((db) => findPeopleByEmail(db, emails)),
  startImport: (args) => runSqliteTransaction((db) => startImport(db, args)),
  writeChunk: ({ importId, named, conflicts, accounts, mails, actorId, now, linkExpiresAt }) =>
    runSqliteTransaction((db) => {
      if (conflicts(findPeopleByEmail(db, named))) return true;
      insertImportedAccounts(db, { importId, accounts, actorId, now, linkExpiresAt });
      queueMailInSqliteTransaction(db, mails, now, importId);
      return false;
    }),
  finishImport: (args) => runSqliteTransaction((db) => finishImport(db, args)),
  unfinishedImports: () => runSqliteTransaction((db) => unfinishedImports(db)),
  rollBackImport: (importId, now) =>
    runSqliteTransaction((db) => rollBackImport(db, importId, now)),
};
