import { z } from "zod";
import { parseCsv } from "./csv.ts";
import { ROLES, type Role } from "./roles.ts";
import { emailField, managerEmailField, nameField, timezoneField } from "./user-admin.ts";

/** The columns of an import file, in any order; headers ignore case, spaces, underscores and hyphens. */
export const IMPORT_COLUMNS = ["name", "email", "role", "manager email", "timezone"] as const;
export const MAX_IMPORT_ROWS = 10_000;
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

/** The people who already exist, as far as an import file's emails are concerned. */
export type ExistingPeople = {
  /** Every account's email, active or not: an import never reuses one. */
  emails: ReadonlySet<string>;
  /** Active accounts' emails: only these can be named as managers. */
  activeEmails: ReadonlySet<string>;
};

/** A file whose header is fine, with its records still to be read one by one. */
export type ImportFile = {
  columns: string[];
  records: { line: number; fields: string[] }[];
};

/**
 * Checks an import file against the people who already exist, without
 * writing anything: every row's every problem is listed (bad or duplicate
 * email, unknown manager, bad role or time zone). A manager may be someone
 * who exists already or someone earlier or later in the same file.
 *
 * The three steps are also exported, so a caller can read a large file's
 * rows in slices and give other work a turn in between:
 * `readImportFile` → `readImportRow` for each record → `checkImportRows`.
 */
export function checkImport(text: string, existing: ExistingPeople): ImportCheck {
  const file = readImportFile(text);
  if (!file.ok) return file.check;
  const rows = file.value.records.map((record) => readImportRow(file.value, record));
  return checkImportRows(rows, existing);
}

/** The file's header and records, or the check that lists what is wrong with the file as a whole. */
export function readImportFile(
  text: string,
): { ok: true; value: ImportFile } | { ok: false; check: ImportCheck } {
  const refused = (fileErrors: string[]) => ({
    ok: false as const,
    check: { fileErrors, rows: [], ok: false },
  });
  const parsed = parseCsv(text);
  if (!parsed.ok) return refused([parsed.error]);
  const [header, ...records] = parsed.records;
  if (!header) {
    return refused([
      `The file is empty. Its first line must name the columns: ${IMPORT_COLUMNS.join(", ")}.`,
    ]);
  }
  const columns = header.fields.map((h) => COLUMN_KEYS.get(headerKey(h)) ?? h.trim());
  const fileErrors: string[] = [];
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    fileErrors.push(
      `The first line must name the columns (${IMPORT_COLUMNS.join(", ")}); missing: ${missing.join(", ")}.`,
    );
  }
  const unknown = columns.filter(
    (k) => k !== "" && !(IMPORT_COLUMNS as readonly string[]).includes(k),
  );
  if (unknown.length > 0) fileErrors.push(`Unknown columns: ${unknown.join(", ")}.`);
  if (records.length === 0) fileErrors.push("The file has a header but no people.");
  if (records.length > MAX_IMPORT_ROWS) {
    fileErrors.push(
      `The file has ${count(records.length)} people; import at most ${count(MAX_IMPORT_ROWS)} at a time.`,
    );
  }
  if (fileErrors.length > 0) return refused(fileErrors);
  return { ok: true, value: { columns, records } };
}

/** One record on its own: what it says, the person it describes, and what is wrong with its values. */
export function readImportRow(
  file: Pick<ImportFile, "columns">,
  { line, fields }: { line: number; fields: string[] },
): ImportRow {
  const keys = file.columns;
  const column = (name: (typeof IMPORT_COLUMNS)[number]) => {
    const index = keys.indexOf(name);
    return index === -1 ? "" : (fields[index] ?? "");
  };
  const raw = {
    name: column("name"),
    email: column("email"),
    role: column("role"),
    managerEmail: column("manager email"),
    timezone: column("timezone"),
  };
  const errors: string[] = [];
  if (fields.length > keys.length)
    errors.push(`This line has ${fields.length} values for ${keys.length} columns.`);
  const result = RowSchema.safeParse(raw);
  if (!result.success)
    errors.push(...result.error.issues.map((i) => `${labelOf(i.path[0])}: ${i.message}`));
  return { line, raw, person: result.success ? result.data : null, errors };
}

/** Every email a file's rows name (people and managers): all an import needs to know of who exists. */
export function emailsNamedIn(rows: readonly ImportRow[]): string[] {
  const emails = new Set<string>();
  for (const { person } of rows) {
    if (!person) continue;
    emails.add(person.email);
    if (person.managerEmail) emails.add(person.managerEmail);
  }
  return [...emails];
}

/**
 * The checks between rows and against the people who exist: duplicate or
 * taken emails, unknown or inactive managers, a person managing themself,
 * managers going round in a circle. Returns new rows; `rows` is not changed,
 * so the same rows can be checked again against a newer `existing`.
 */
export function checkImportRows(rows: readonly ImportRow[], existing: ExistingPeople): ImportCheck {
  const firstLineOf = new Map<string, number>();
  const checked: ImportRow[] = rows.map((row) => {
    const errors = [...row.errors];
    const person = row.person;
    if (person) {
      const seen = firstLineOf.get(person.email);
      if (existing.emails.has(person.email))
        errors.push(`Email: ${person.email} already has an account.`);
      else if (seen !== undefined) errors.push(`Email: ${person.email} is also on line ${seen}.`);
      else firstLineOf.set(person.email, row.line);
    }
    return { ...row, errors };
  });
  // Managers are checked once every row's email is known.
  const managerInFile = new Map(
    checked.flatMap((r) => (r.person ? [[r.person.email, r.person.managerEmail] as const] : [])),
  );
  const inCircle = emailsInCircles(managerInFile);
  for (const row of checked) {
    const manager = row.person?.managerEmail;
    if (!manager) continue;
    if (manager === row.person!.email) {
      row.errors.push("Manager email: a person cannot manage themself.");
    } else if (!existing.activeEmails.has(manager) && !firstLineOf.has(manager)) {
      row.errors.push(
        `Manager email: nobody with ${manager} has an active account or is in this file.`,
      );
    } else if (inCircle.has(row.person!.email)) {
      row.errors.push("Manager email: the managers in this file go round in a circle.");
    }
  }
  return { fileErrors: [], rows: checked, ok: checked.every((r) => r.errors.length === 0) };
}

/**
 * The emails from which following managers up inside the file comes back to
 * the same email. Each email is walked once (a chain of 10,000 managers is
 * 10,000 steps, not 50 million).
 */
function emailsInCircles(managerOf: ReadonlyMap<string, string | null>): Set<string> {
  const inCircle = new Set<string>();
  const walkOf = new Map<string, number>(); // which walk first reached each email
  let walk = 0;
  for (const start of managerOf.keys()) {
    if (walkOf.has(start)) continue;
    walk++;
    const path: string[] = [];
    let m: string | null = start;
    while (m !== null && managerOf.has(m) && !walkOf.has(m)) {
      walkOf.set(m, walk);
      path.push(m);
      m = managerOf.get(m) ?? null;
    }
    // Back at an email of this same walk: from there on, the path is a circle.
    if (m !== null && walkOf.get(m) === walk) {
      for (const email of path.slice(path.indexOf(m))) inCircle.add(email);
    }
  }
  return inCircle;
}

function count(n: number): string {
  return n.toLocaleString("en-GB");
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

/** Every row of a file this long is shown in the dry run; a longer file's are summarised. */
export const PREVIEW_ALL_ROWS = 200;
/** At most this many rows with problems are listed (after fixing those, check again). */
export const PREVIEW_PROBLEM_ROWS = 500;
/** How many of a long file's first rows are shown when they have no problems. */
export const PREVIEW_FIRST_ROWS = 50;

/** What the dry run shows of a check: counts of everything, and the rows worth reading. */
export type ImportPreview = {
  fileErrors: string[];
  ok: boolean;
  /** Rows in the file, and how many of them have problems. */
  total: number;
  withProblems: number;
  /** In file order: every row of a short file; else the first rows and the rows with problems. */
  rows: ImportRow[];
};

/**
 * A dry run's answer stays small for a file of 10,000 rows: every row with a
 * problem (up to PREVIEW_PROBLEM_ROWS) and the file's first rows, in line order.
 */
export function previewOf(check: ImportCheck): ImportPreview {
  const bad = check.rows.filter((r) => r.errors.length > 0);
  const base = {
    fileErrors: check.fileErrors,
    ok: check.ok,
    total: check.rows.length,
    withProblems: bad.length,
  };
  if (check.rows.length <= PREVIEW_ALL_ROWS) return { ...base, rows: check.rows };
  const shown = new Set([
    ...check.rows.slice(0, PREVIEW_FIRST_ROWS),
    ...bad.slice(0, PREVIEW_PROBLEM_ROWS),
  ]);
  return { ...base, rows: check.rows.filter((r) => shown.has(r)) };
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
