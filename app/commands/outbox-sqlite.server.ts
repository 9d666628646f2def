import { randomUUID } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import { runSqliteTransaction } from "#app/utils/db.server.ts";
import type { Mail } from "#app/utils/mail.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type { OutboxStore } from "./outbox-store.ts";

/**
 * Prepared statements, not Prisma's createMany (~0.4 ms of JavaScript a
 * row): an import queues thousands at once. A row whose DELETE changes
 * nothing was claimed by another dispatcher.
 */
export const outboxStore: OutboxStore = {
  async claimAndStoreMails(mails, at) {
    const stamp = toStoredDateTime(at);
    return runSqliteTransaction((db) => {
      const claim = db.prepare(`DELETE FROM "OutboxMessage" WHERE "id" = ?`);
      const store = db.prepare(
        `INSERT INTO "OutboundEmail" ("id", "to", "subject", "text", "createdAt") VALUES (?, ?, ?, ?, ?)`,
      );
      const claimed = new Set<number>();
      for (const { id, to, subject, text } of mails) {
        if (claim.run(id).changes === 0) continue;
        store.run(randomUUID(), to, subject, text, stamp);
        claimed.add(id);
      }
      return claimed;
    });
  },
};

/**
 * For the one bulk write that runs as raw better-sqlite3 statements inside
 * `runSqliteTransaction` (the CSV import): queues effects as outbox rows in
 * that same transaction. After it commits, call `deliverOutbox`.
 * Mail only: such a write moves no state version (new people have no agents).
 */
export function queueMailInSqliteTransaction(
  db: BetterSqlite3.Database,
  mails: readonly Mail[],
  now: Date,
  /** Held until this CSV import has finished (ADR 0016). */
  importId: string | null = null,
): void {
  const insert = db.prepare(
    `INSERT INTO "OutboxMessage" ("kind", "payload", "createdAt", "attempts", "importId") VALUES ('mail', ?, ?, 0, ?)`,
  );
  const at = toStoredDateTime(now);
  for (const mail of mails) insert.run(JSON.stringify(mail), at, importId);
}
