/**
 * The records export's own connection to the SQLite file, the one place it is
 * opened (ADR 0011).
 *
 * Why not the app's Prisma client: an export reads up to millions of events in
 * keyset pages and has SQLite format each row as text, one page at a time, so
 * memory stays flat (the process peaks at ~150 MB on 2 million events); Prisma
 * would turn every row into objects first. Why a separate, read-only
 * connection rather than the app's better-sqlite3 handle: ingestion runs its
 * statements on that handle (ADR 0007), and the export's temp table
 * ("ExportZone") must stay private to the export. In WAL mode this reader
 * never blocks the app's writer.
 */
import Database from "better-sqlite3";
import { getEnv } from "#app/utils/env.server.ts";
import { sqlitePathFromUrl } from "#app/utils/sqlite-adapter.server.ts";

/** Opens the reader; the caller closes it when the export ends, however it ends. */
export function openExportReader(): Database.Database {
  return new Database(sqlitePathFromUrl(getEnv().DATABASE_URL), {
    readonly: true,
    fileMustExist: true,
  });
}
