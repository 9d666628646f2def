/**
 * The agent's one-line status reports: `<ISO time> [word] key=value …`, easy
 * to grep (`status=paused`, `status=collecting`, `uploaded batch=…`).
 * Values with spaces, quotes or "=" are JSON-quoted.
 */

export type StatusValue = string | number | boolean | undefined;
export type StatusFields = Record<string, StatusValue>;

export type StatusReport = {
  at: Date;
  /** A leading bare word such as "uploaded" or "rejected", if any. */
  word: string | undefined;
  fields: StatusFields;
  line: string;
};

function formatValue(value: string | number | boolean): string {
  const text = String(value);
  return text === "" || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

export function formatStatusLine(at: Date, word: string | undefined, fields: StatusFields): string {
  const parts = [at.toISOString()];
  if (word) parts.push(word);
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(" ");
}
