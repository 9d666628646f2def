/**
 * The CSV rules of `app/domain/csv.ts`, written as SQLite expressions, for the
 * one file too large to format in JavaScript: the events (ADR 0011: SQLite
 * builds each line, which halved the garbage and carried the export past
 * 200,000 rows/s). Tested against `csvField` and `csvQuoted`, so the two
 * cannot drift apart.
 */

/**
 * SQL for `csvField(expr)` of a text: one that begins like a formula gets a
 * leading single quote and is quoted (`'"'''` is the SQL text `"'`);
 * otherwise quoted only when it holds a comma, a quote or a line break.
 */
export function sqliteCsvField(expr: string): string {
  return `CASE WHEN substr(${expr}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13))
             THEN '"''' || replace(${expr}, '"', '""') || '"'
           WHEN instr(${expr}, '"') OR instr(${expr}, ',') OR instr(${expr}, char(10)) OR instr(${expr}, char(13))
             THEN ${sqliteCsvQuoted(expr)} ELSE ${expr} END`;
}

/** SQL for `csvQuoted(expr)`: always in quotes, inner quotes doubled. */
export function sqliteCsvQuoted(expr: string): string {
  return `'"' || replace(${expr}, '"', '""') || '"'`;
}

/**
 * SQL for `csvRow`: the fields joined by commas, ending in CRLF. Each field is
 * already an SQL expression of its CSV text: wrap free text in `sqliteCsvField`
 * or `sqliteCsvQuoted`; pass bare only what can never hold a comma, a quote or
 * a line break nor begin like a formula (integers, ISO times, cuids, the event
 * type enum).
 */
export function sqliteCsvRow(fields: readonly string[]): string {
  return `${fields.map((f) => `(${f})`).join(" || ',' || ")} || char(13, 10)`;
}
