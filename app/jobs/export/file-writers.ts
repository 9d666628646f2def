/**
 * The one writer of each file format in the export, pure (they write to any
 * `FileSink`): JSON, CSV (RFC 4180 by `csvRow`, header first) and NDJSON.
 */
import { csvRow } from "#app/domain/csv.ts";
import type { ManifestFile } from "#app/domain/records-export.ts";

/** Where a file's text goes; `rows` is how many records the text holds (for the manifest). */
export type FileSink = {
  write(text: string, rows: number): Promise<void>;
  close(): Promise<ManifestFile>;
};

/** A file of text written as given: the README (no records), a receipt (one). */
export async function writeText(sink: FileSink, text: string, rows = 0): Promise<ManifestFile> {
  await sink.write(text, rows);
  return sink.close();
}

/** JSON as the export writes it: two-space indent, a final newline. */
function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A JSON file: a list counts one row per element; a single object (the manifest) none. */
export async function writeJson(
  sink: FileSink,
  value: readonly unknown[] | object,
): Promise<ManifestFile> {
  await sink.write(jsonText(value), Array.isArray(value) ? value.length : 0);
  return sink.close();
}

/** A CSV file: its header row, then records in as many batches as the caller likes. */
export class CsvWriter {
  private constructor(private readonly sink: FileSink) {}

  static async open(sink: FileSink, columns: readonly string[]): Promise<CsvWriter> {
    await sink.write(csvRow(columns), 0);
    return new CsvWriter(sink);
  }

  /**
   * Writes the records, `perWrite` at a time. A lazy iterable (a database
   * cursor, or pages of one) is read only as fast as the archive takes the text.
   */
  async records(
    records: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
    perWrite = 2_000,
  ): Promise<void> {
    let text = "";
    let rows = 0;
    const flush = async () => {
      await this.sink.write(text, rows);
      text = "";
      rows = 0;
    };
    if (Symbol.asyncIterator in records) {
      for await (const record of records) {
        text += csvRow(record);
        if (++rows === perWrite) await flush();
      }
    } else {
      // A synchronous cursor stays synchronous between writes (no await per record).
      for (const record of records) {
        text += csvRow(record);
        if (++rows === perWrite) await flush();
      }
    }
    if (rows > 0) await this.sink.write(text, rows);
  }

  /**
   * Records already formatted by the same rules (the events: by SQLite with
   * `sqlite-csv.ts`, or by `eventCsvLine`), `rows` of them, each ending in CRLF.
   */
  async formattedLines(text: string, rows: number): Promise<void> {
    await this.sink.write(text, rows);
  }

  close(): Promise<ManifestFile> {
    return this.sink.close();
  }
}

/** A CSV file with all its records at once. */
export async function writeCsv(
  sink: FileSink,
  columns: readonly string[],
  records: Iterable<readonly unknown[]>,
): Promise<ManifestFile> {
  const csv = await CsvWriter.open(sink, columns);
  await csv.records(records);
  return csv.close();
}

/** An NDJSON file: one JSON value per line, each line ending in "\n". */
export class NdjsonWriter {
  constructor(private readonly sink: FileSink) {}

  /** Lines already built (the events: by SQLite's `json_object` or `eventNdjsonLine`), `rows` of them. */
  async formattedLines(text: string, rows: number): Promise<void> {
    await this.sink.write(text, rows);
  }

  close(): Promise<ManifestFile> {
    return this.sink.close();
  }
}
