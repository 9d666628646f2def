/**
 * CSV per RFC 4180, both halves: writing (`csvRow`, used for every CSV file of
 * the records export) and reading (`parseCsv`, used by the user import).
 */

/** A field always in double quotes, inner quotes doubled (the export's `data` column). */
export function csvQuoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** One CSV field: quoted only when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? csvQuoted(text) : text;
}

/** One CSV record, CRLF-terminated. */
export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

export type CsvParseResult =
  { ok: true; records: { line: number; fields: string[] }[] } | { ok: false; error: string };

/**
 * Reading: quoted fields may hold commas, quotes ("") and line breaks; lines
 * end in CRLF or LF; a UTF-8 byte-order mark (Excel) is ignored; blank lines
 * are skipped. An unterminated quote is an error naming the line it began on.
 */
export function parseCsv(input: string): CsvParseResult {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let touched = false; // the current record has content (so "" is a field, not a blank line)

  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    if (touched || fields.length > 1 || fields[0] !== "")
      records.push({ line: recordLine, fields });
    fields = [];
    touched = false;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
      touched = true;
    } else if (c === ",") {
      endField();
      touched = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) return { ok: false, error: `Line ${quoteLine}: a quoted value is never closed.` };
  endRecord();
  return { ok: true, records };
}
