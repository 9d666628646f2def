import { z } from "zod";
import { parseCsv } from "./csv.ts";
import { ROLES, type Role } from "./roles.ts";
import { emailField, managerEmailField, nameField, timezoneField } from "./user-admin.ts";

/** The columns of an import file, in any order; headers ignore case, spaces, underscores and hyphens. */
export const IMPORT_COLUMNS = ["name", "email", "role", "manager email", "timezone"] as const;
export const MAX_IMPORT_ROWS = 1000;
export const MAX_IMPORT_BYTES = 1024 * 1024;

const REQUIRED_COLUMNS = ["name", "email"] as const;

/** "Manager email", "manager_email" and "ManagerEmail" all name the same column. */
function headerKey(header: string): string {
  return header.toLowerCase().replace(/[\s_-]+/g, "");
}

const COLUMN_KEYS = new Map(IMPORT_COLUMNS.map((c) => [headerKey(c), c]));

const RowSchema = z.object({
  name: nameField,
  email: emailField,
  // An empty role means a worker; a label ("Reviewer") reads as well as the enum.
  role: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? v.trim().toUpperCase() : "WORKER"),
    z.enum(ROLES, { errorMap: () => ({ message: "The role must be Worker, Reviewer or Admin." }) }),
  ),
  managerEmail: managerEmailField,
  // An empty time zone means UTC; the person can be given theirs later.
  timezone: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? "UTC" : v),
    timezoneField,
  ),
});

export type ImportPerson = {
  name: string;
  email: string;
  role: Role;
  managerEmail: string | null;
  timezone: string;
};

export type ImportRow = {
  /** The line of the file the row starts on (1 is the header). */
  line: number;
  /** What the file said, for the preview. */
  raw: { name: string; email: string; role: string; managerEmail: string; timezone: string };
  person: ImportPerson | null;
  errors: string[];
};

export type ImportCheck = {
  /** Problems with the file as a whole (no header, too many rows, unclosed quote). */
  fileErrors: string[];
  rows: ImportRow[];
  /** True when nothing is wrong anywhere: the import may be applied. */
  ok: boolean;
};

/**
 * Checks an import file against the people who already exist, without
 * writing anything: every row's every problem is listed (bad or duplicate
 * email, unknown manager, bad role or time zone). A manager may be someone
 * who exists already or someone earlier or later in the same file.
 */
export type ExistingPeople = {
  /** Every account's email, active or not: an import never reuses one. */
  emails: ReadonlySet<string>;
  /** Active accounts' emails: only these can be named as managers. */
  activeEmails: ReadonlySet<string>;
};

export function checkImport(text: string, existing: ExistingPeople): ImportCheck {
  const parsed = parseCsv(text);
  if (!parsed.ok) return { fileErrors: [parsed.error], rows: [], ok: false };
  const [header, ...records] = parsed.records;
  if (!header) {
    return {
      fileErrors: [
        `The file is empty. Its first line must name the columns: ${IMPORT_COLUMNS.join(", ")}.`,
      ],
      rows: [],
      ok: false,
    };
  }
  const keys = header.fields.map((h) => COLUMN_KEYS.get(headerKey(h)) ?? h.trim());
  const fileErrors: string[] = [];
  const missing = REQUIRED_COLUMNS.filter((c) => !keys.includes(c));
  if (missing.length > 0) {
    fileErrors.push(
      `The first line must name the columns (${IMPORT_COLUMNS.join(", ")}); missing: ${missing.join(", ")}.`,
    );
  }
  const unknown = keys.filter(
    (k) => k !== "" && !(IMPORT_COLUMNS as readonly string[]).includes(k),
  );
  if (unknown.length > 0) fileErrors.push(`Unknown columns: ${unknown.join(", ")}.`);
  if (records.length === 0) fileErrors.push("The file has a header but no people.");
  if (records.length > MAX_IMPORT_ROWS) {
    fileErrors.push(
      `The file has ${records.length} people; import at most ${MAX_IMPORT_ROWS} at a time.`,
    );
  }
  if (fileErrors.length > 0) return { fileErrors, rows: [], ok: false };

  const column = (fields: string[], name: (typeof IMPORT_COLUMNS)[number]) => {
    const index = keys.indexOf(name);
    return index === -1 ? "" : (fields[index] ?? "");
  };
  const firstLineOf = new Map<string, number>();
  const rows: ImportRow[] = records.map(({ line, fields }) => {
    const raw = {
      name: column(fields, "name"),
      email: column(fields, "email"),
      role: column(fields, "role"),
      managerEmail: column(fields, "manager email"),
      timezone: column(fields, "timezone"),
    };
    const errors: string[] = [];
    if (fields.length > keys.length)
      errors.push(`This line has ${fields.length} values for ${keys.length} columns.`);
    const result = RowSchema.safeParse(raw);
    if (!result.success)
      errors.push(...result.error.issues.map((i) => `${labelOf(i.path[0])}: ${i.message}`));
    const person = result.success ? result.data : null;
    if (person) {
      const seen = firstLineOf.get(person.email);
      if (existing.emails.has(person.email))
        errors.push(`Email: ${person.email} already has an account.`);
      else if (seen !== undefined) errors.push(`Email: ${person.email} is also on line ${seen}.`);
      else firstLineOf.set(person.email, line);
    }
    return { line, raw, person, errors };
  });
  // Managers are checked once every row's email is known.
  const managerInFile = new Map(
    rows.flatMap((r) => (r.person ? [[r.person.email, r.person.managerEmail] as const] : [])),
  );
  for (const row of rows) {
    const manager = row.person?.managerEmail;
    if (!manager) continue;
    if (manager === row.person!.email) {
      row.errors.push("Manager email: a person cannot manage themself.");
    } else if (!existing.activeEmails.has(manager) && !firstLineOf.has(manager)) {
      row.errors.push(
        `Manager email: nobody with ${manager} has an active account or is in this file.`,
      );
    } else if (managesInCircle(row.person!.email, managerInFile)) {
      row.errors.push("Manager email: the managers in this file go round in a circle.");
    }
  }
  return { fileErrors: [], rows, ok: rows.every((r) => r.errors.length === 0) };
}

/** True when following managers up from `email` inside the file comes back to `email`. */
function managesInCircle(email: string, managerOf: ReadonlyMap<string, string | null>): boolean {
  const seen = new Set<string>();
  for (let m = managerOf.get(email) ?? null; m !== null && !seen.has(m);) {
    if (m === email) return true;
    seen.add(m);
    m = managerOf.get(m) ?? null;
  }
  return false;
}

function labelOf(key: unknown): string {
  switch (key) {
    case "name":
      return "Name";
    case "email":
      return "Email";
    case "role":
      return "Role";
    case "managerEmail":
      return "Manager email";
    case "timezone":
      return "Time zone";
    default:
      return "Row";
  }
}

/** The upload or the re-submitted text of the preview. */
export const ImportFormSchema = z.object({
  intent: z.enum(["preview", "apply"], {
    errorMap: () => ({ message: "Choose preview or import." }),
  }),
  csv: z
    .string({ required_error: "Choose a CSV file to import." })
    .min(1, "Choose a CSV file to import.")
    .max(MAX_IMPORT_BYTES, "The file must be at most 1 MB."),
});
