/**
 * CSV per RFC 4180, both halves: writing (`csvRow`, used for every CSV file
 * Lull writes: the records export and the people import's links) and reading
 * (`parseCsv`, used by the user import; reading keeps every character).
 */

/**
 * A text a spreadsheet would run as a formula (OWASP, CSV injection): one
 * that begins with =, +, -, @, a tab or a carriage return.
 */
export const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A field always in double quotes, inner quotes doubled (the export's `data`
 * column). Not neutralised: that column holds a JSON object, whose text
 * begins with "{".
 */
export function csvQuoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * One CSV field: quoted only when it holds a comma, a quote or a line break.
 * A string that begins like a formula (`FORMULA_START`: names, apps and
 * emails come from people and agents) is written as text: a leading single
 * quote, and quoted. Numbers and dates are Lull's own and written as they are
 * (a -3 stays a number).
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string" && FORMULA_START.test(value)) return csvQuoted(`'${value}`);
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

  // Runs of ordinary characters are copied as one slice (a 1 MB file is read in
  // milliseconds, not a character at a time).
  const special = /[",\r\n]/g;
  let i = 0;
  while (i < text.length) {
    if (quoted) {
      const q = text.indexOf('"', i);
      const chunk = text.slice(i, q === -1 ? text.length : q);
      for (let n = chunk.indexOf("\n"); n !== -1; n = chunk.indexOf("\n", n + 1)) line++;
      field += chunk;
      if (q === -1) break;
      if (text[q + 1] === '"') {
        field += '"';
        i = q + 2;
      } else {
        quoted = false;
        i = q + 1;
      }
      continue;
    }
    special.lastIndex = i;
    const match = special.exec(text);
    const j = match ? match.index : text.length;
    field += text.slice(i, j);
    if (!match) break;
    const c = text[j]!;
    i = j + 1;
    if (c === '"') {
      if (field === "") {
        quoted = true;
        quoteLine = line;
        touched = true;
      } else field += c;
    } else if (c === ",") {
      endField();
      touched = true;
    } else {
      if (c === "\r" && text[i] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    }
  }
  if (quoted) return { ok: false, error: `Line ${quoteLine}: a quoted value is never closed.` };
  endRecord();
  return { ok: true, records };
}
