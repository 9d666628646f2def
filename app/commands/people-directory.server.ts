/**
 * Changes to who has an account and who manages whom run one at a time.
 *
 * A CSV import checks its whole file once (emails free, managers active) and
 * then writes it in short chunks, each its own transaction, so that agents'
 * uploads are never held up for long (ADR 0016). Between two chunks another
 * admin could otherwise take one of the file's emails, deactivate a manager
 * it names, or point someone at a person the import has only half written.
 * Creating, changing and (de)activating accounts therefore wait here while
 * an import runs (a few seconds at most), and an import waits for them.
 *
 * One process serves a SQLite database, so an in-process queue is the whole
 * lock. On PostgreSQL several nodes share the database: behind the same
 * queue, each change also holds an advisory lock in the database for as long
 * as it runs (people-directory-postgres.server.ts, ADR 0035).
 */
import { isPostgres } from "#app/utils/db.server.ts";
import { withPostgresPeopleDirectoryLock } from "./people-directory-postgres.server.ts";

declare global {
  var __lullPeopleDirectory: Promise<unknown> | undefined;
}

export function withPeopleDirectory<T>(work: () => Promise<T>): Promise<T> {
  const before = globalThis.__lullPeopleDirectory ?? Promise.resolve();
  const locked = () => (isPostgres() ? withPostgresPeopleDirectoryLock(work) : work());
  const mine = before.then(locked, locked);
  // The next change waits for this one however it ends.
  globalThis.__lullPeopleDirectory = mine.catch(() => undefined);
  return mine;
}
