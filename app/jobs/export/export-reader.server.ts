/**
 * Opens the records export's reader of this process's provider (ADR 0032):
 * export-reader-sqlite.server.ts (its own read-only better-sqlite3
 * connection, ADR 0011) or export-reader-postgres.server.ts (keyset pages
 * through the app's pool). Small sections with relations (exemptions,
 * acknowledgements, audit) go through Prisma (section-queries.server.ts).
 */
import { byProvider } from "#app/utils/db.server.ts";
import { openPostgresExportReader } from "./export-reader-postgres.server.ts";
import { openSqliteExportReader } from "./export-reader-sqlite.server.ts";
import type { ExportReader } from "./export-store.ts";

export type { ExportReader } from "./export-store.ts";

const exportReaderOpener = byProvider<() => ExportReader>({
  sqlite: () => openSqliteExportReader,
  postgresql: () => openPostgresExportReader,
});

/** Opens this provider's reader; the caller closes it when the export ends. */
export function openExportReader(): ExportReader {
  return exportReaderOpener()();
}
