import { createHash, randomBytes, randomUUID } from "node:crypto";
import { accept, refuse, type Refusal } from "#app/domain/refusal.ts";
import { SETUP_LINK_TTL_MS } from "#app/domain/user-admin.ts";
import {
  checkImportRows,
  emailsNamedIn,
  readImportFile,
  readImportRow,
  type ExistingPeople,
  type ImportCheck,
  type ImportRow,
} from "#app/domain/user-import.ts";
import { queueMailInSqliteTransaction } from "#app/commands/command.server.ts";
import { deliverOutbox } from "#app/commands/outbox-dispatcher.server.ts";
import { setupLinkMail, setupLinkUrl } from "#app/commands/setup-link.server.ts";
import { runSqliteTransaction } from "#app/utils/db.server.ts";
import type { SetupLink } from "./user-account.server.ts";
import {
  findPeopleByEmail,
  insertImportedAccounts,
  type KnownPeople,
  type NewAccount,
} from "./user-import-sqlite.server.ts";

/*
 * How an import stays out of everyone else's way. Node runs one thing at a
 * time, and agents' uploads share the one SQLite connection, so two things
 * can hold them up: a long stretch of JavaScript, and a long transaction.
 *
 * - Reading and checking the rows (Zod, ~10–50 µs a row) and making ids and
 *   tokens happens before any transaction, in slices of at most SLICE_MS with
 *   a turn for other requests after each.
 * - What exists is read in one indexed statement for all the file's emails.
 * - The write is one synchronous transaction of prepared inserts (no
 *   hashing, no argon2: imported people get set-password links). Inside it,
 *   the same look-up runs again; only if an answer changed since the check
 *   (someone took an email, a manager left) are the rows checked again, and
 *   then nothing is written if anything is wrong now. All or nothing.
 */
const SLICE_MS = 20;

/** Gives other requests a turn once this one has run for SLICE_MS. */
function turnTaker() {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

async function mapInSlices<T, U>(items: readonly T[], fn: (item: T) => U): Promise<U[]> {
  const takeTurn = turnTaker();
  const out: U[] = [];
  for (const item of items) {
    out.push(fn(item));
    await takeTurn();
  }
  return out;
}

function existingFrom(known: KnownPeople): ExistingPeople {
  const emails = new Set<string>();
  const activeEmails = new Set<string>();
  for (const [email, { active }] of known) {
    emails.add(email);
    if (active) activeEmails.add(email);
  }
  return { emails, activeEmails };
}

/** True when the two look-ups would make `checkImportRows` say the same of every row. */
function sameAnswers(a: KnownPeople, b: KnownPeople): boolean {
  if (a.size !== b.size) return false;
  for (const [email, { active }] of a) if (b.get(email)?.active !== active) return false;
  return true;
}

type CheckedFile =
  | { ok: true; rows: ImportRow[]; emails: string[]; known: KnownPeople; check: ImportCheck }
  | { ok: false; check: ImportCheck };

/** The file read and checked against the people who exist now; nothing written. */
async function checkFile(csv: string): Promise<CheckedFile> {
  const file = readImportFile(csv);
  if (!file.ok) return { ok: false, check: file.check };
  const rows = await mapInSlices(file.value.records, (record) => readImportRow(file.value, record));
  const emails = emailsNamedIn(rows);
  const known = await runSqliteTransaction((db) => findPeopleByEmail(db, emails));
  const check = checkImportRows(rows, existingFrom(known));
  return check.ok ? { ok: true, rows, emails, known, check } : { ok: false, check };
}

/** The dry run: every row's problems, nothing written. */
export async function previewImport(csv: string): Promise<ImportCheck> {
  return (await checkFile(csv)).check;
}

export type ImportedPerson = {
  userId: string;
  name: string;
  email: string;
  link: SetupLink;
  /** The link's address, as mailed. */
  url: string;
};

export type ImportOutcome =
  | { ok: true; value: { people: ImportedPerson[] } }
  | { ok: false; refusal: Refusal; check: ImportCheck };

function rowsRefused(check: ImportCheck): ImportOutcome {
  const bad = check.rows.filter((r) => r.errors.length > 0).length;
  const message =
    check.fileErrors[0] ??
    `${bad} of ${check.rows.length} rows have problems; nobody was imported.`;
  return { ...refuse("import_invalid", message), check };
}

/**
 * Ids shaped like Prisma's `cuid()` (25 characters: "c", the time, a counter,
 * then randomness), increasing, so imported rows join the end of each
 * primary-key index as rows made through Prisma do.
 */
function idMaker(now: Date) {
  const time = now.getTime().toString(36).padStart(8, "0");
  let counter = 0;
  return () =>
    `c${time}${(counter++).toString(36).padStart(4, "0")}${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/**
 * Applies an import all or nothing: the file is checked again against the
 * people who exist at the moment of writing, and one bad row means nothing
 * is written. Each new person gets a set-password link (and user.create and
 * user.setup_link audit events); the import as a whole is one user.import
 * event. Refusal: `import_invalid`, with the check that says why.
 */
export async function applyImport({
  actorId,
  csv,
  linkBase,
  now,
}: {
  actorId: string;
  csv: string;
  /** Where the mailed links point (`setupLinkBase`). */
  linkBase: string;
  now: Date;
}): Promise<ImportOutcome> {
  const checked = await checkFile(csv);
  if (!checked.ok) return rowsRefused(checked.check);
  const { rows, emails, known } = checked;

  const newId = idMaker(now);
  const linkExpiresAt = new Date(now.getTime() + SETUP_LINK_TTL_MS);
  const people = rows.map((r) => r.person!);
  const ids = await mapInSlices(people, newId);
  const idOf = new Map(people.map((p, i) => [p.email, ids[i]!]));
  const prepared = await mapInSlices(people, (person) => {
    const token = randomBytes(32).toString("base64url");
    const account: Omit<NewAccount, "managerId"> = {
      id: idOf.get(person.email)!,
      name: person.name,
      email: person.email,
      role: person.role,
      timezone: person.timezone,
      tokenId: newId(),
      tokenHash: sha256(token),
      createEventId: newId(),
      createMetadata: JSON.stringify({
        role: person.role,
        manager: person.managerEmail,
        timezone: person.timezone,
        imported: true,
      }),
      linkEventId: newId(),
    };
    const url = setupLinkUrl(linkBase, token);
    const mail = setupLinkMail({
      to: person.email,
      name: person.name,
      url,
      expiresAt: linkExpiresAt,
    });
    return { person, account, token, url, mail };
  });
  const importEventId = newId();

  const written = await runSqliteTransaction((db): ImportCheck | null => {
    const knownNow = findPeopleByEmail(db, emails);
    if (!sameAnswers(known, knownNow)) {
      const again = checkImportRows(rows, existingFrom(knownNow));
      if (!again.ok) return again;
    }
    const accounts = prepared.map(({ person, account }) => ({
      ...account,
      managerId: person.managerEmail
        ? (idOf.get(person.managerEmail) ?? knownNow.get(person.managerEmail)!.id)
        : null,
    }));
    insertImportedAccounts(db, { accounts, actorId, importEventId, now, linkExpiresAt });
    // Each new person's link is mailed if and only if the import committed.
    queueMailInSqliteTransaction(
      db,
      prepared.map((p) => p.mail),
      now,
    );
    return null;
  });
  if (written) return rowsRefused(written);
  await deliverOutbox();

  return accept({
    people: prepared.map(({ person, account, token, url }) => ({
      userId: account.id,
      name: person.name,
      email: person.email,
      link: { token, expiresAt: linkExpiresAt },
      url,
    })),
  });
}
