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
import { queueMailInSqliteTransaction } from "#app/commands/outbox-sqlite.server.ts";
import { deliverOutbox } from "#app/commands/outbox-dispatcher.server.ts";
import { setupLinkMail, setupLinkUrl } from "#app/commands/setup-link.server.ts";
import { withPeopleDirectory } from "#app/commands/people-directory.server.ts";
import { runSqliteTransaction } from "#app/utils/db.server.ts";
import type { Mail } from "#app/utils/mail.server.ts";
import { pacer } from "#app/utils/pace.ts";
import type { SetupLink } from "./user-account.server.ts";
import {
  findPeopleByEmail,
  finishImport,
  insertImportedAccounts,
  rollBackImport,
  startImport,
  unfinishedImports,
  type KnownPeople,
  type NewAccount,
} from "./user-import-sqlite.server.ts";

/*
 * How an import stays out of everyone else's way (ADR 0016). Node runs one
 * thing at a time, and agents' uploads share the one SQLite connection, so
 * two things can hold them up: a long stretch of JavaScript, and a long
 * transaction.
 *
 * - Reading and checking the rows (Zod, ~10–50 µs a row) and making ids and
 *   tokens happens before any transaction, paced: after each 10 ms of work,
 *   as long a pause for requests.
 * - What exists is read in one indexed statement for all the file's emails.
 * - The write is a few short transactions of prepared inserts (no hashing,
 *   no argon2: imported people get set-password links), IMPORT_CHUNK people each,
 *   managers before the people they manage, paced the same way. The import
 *   counts only once its last step marks it finished; its mails are held
 *   until then. If anything goes wrong in between (a crash, a conflict), what
 *   it wrote is removed again: all or nothing.
 * - Account changes wait while it writes (`withPeopleDirectory`), so the
 *   check made before the first chunk still holds at the last; each chunk
 *   checks its own emails and managers again all the same.
 */
/** People written per transaction (~10 ms each). */
export const IMPORT_CHUNK = 150;

async function mapPaced<T, U>(items: readonly T[], fn: (item: T) => U): Promise<U[]> {
  const takeTurn = pacer();
  const out: U[] = [];
  for (const item of items) {
    out.push(fn(item));
    await takeTurn();
  }
  return out;
}

/** Looked up 1,000 emails a statement, with turns for requests in between. */
async function lookUpPeople(emails: readonly string[]): Promise<KnownPeople> {
  const takeTurn = pacer();
  const known = new Map<string, { id: string; active: boolean }>();
  for (let from = 0; from < emails.length; from += 1000) {
    const some = emails.slice(from, from + 1000);
    for (const [email, person] of await runSqliteTransaction((db) => findPeopleByEmail(db, some)))
      known.set(email, person);
    await takeTurn();
  }
  return known;
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
  const takeTurn = pacer();
  const file = readImportFile(csv);
  if (!file.ok) return { ok: false, check: file.check };
  await takeTurn();
  const rows: ImportRow[] = [];
  for (const record of file.value.records) {
    rows.push(readImportRow(file.value, record));
    await takeTurn();
  }
  const emails = emailsNamedIn(rows);
  const known = await lookUpPeople(emails);
  await takeTurn();
  const check = checkImportRows(rows, existingFrom(known));
  await takeTurn();
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

const CONFLICT_MESSAGE =
  "Accounts changed while the file was being imported, so nobody was imported. Check the file again and import it.";

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
 * is written. It is written in chunks and counts only when the last is in
 * (see above); `onChunkWritten` is told after each chunk commits. Each new person gets a set-password link (and user.create and
 * user.setup_link audit events); the import as a whole is one user.import
 * event. Refusal: `import_invalid`, with the check that says why.
 */
export async function applyImport({
  actorId,
  csv,
  linkBase,
  now,
  onChunkWritten,
}: {
  actorId: string;
  csv: string;
  /** Where the mailed links point (`setupLinkBase`). */
  linkBase: string;
  now: Date;
  /** After each chunk has committed, with how many people are written so far. */
  onChunkWritten?: (written: number) => void | Promise<void>;
}): Promise<ImportOutcome> {
  const checked = await checkFile(csv);
  if (!checked.ok) return rowsRefused(checked.check);
  const { rows, emails, known } = checked;

  const newId = idMaker(now);
  const linkExpiresAt = new Date(now.getTime() + SETUP_LINK_TTL_MS);
  const people = rows.map((r) => r.person!);
  const ids = await mapPaced(people, newId);
  const idOf = new Map(people.map((p, i) => [p.email, ids[i]!]));
  // One read of the system's randomness for every token (10,000 reads cost ~0.3 s).
  const random = randomBytes(32 * people.length);
  let next = 0;
  const prepared = await mapPaced(people, (person): Prepared => {
    const token = random.subarray(32 * next, 32 * ++next).toString("base64url");
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
  const outcome = await withPeopleDirectory(() =>
    writeImport({
      actorId,
      rows,
      emails,
      known,
      prepared,
      idOf,
      newId,
      now,
      linkExpiresAt,
      onChunkWritten,
    }),
  );
  if (outcome) return outcome;
  // Thousands of links may take minutes over SMTP: the answer does not wait for them.
  void deliverOutbox();

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

type Prepared = {
  person: NonNullable<ImportRow["person"]>;
  account: Omit<NewAccount, "managerId">;
  token: string;
  url: string;
  mail: Mail;
};

/** The people in an order where everyone's manager in the file comes before them. */
function managersFirst(prepared: readonly Prepared[]): Prepared[] {
  const byEmail = new Map(prepared.map((p) => [p.person.email, p]));
  const depth = new Map<string, number>();
  const depthOf = (email: string): number => {
    const known = depth.get(email);
    if (known !== undefined) return known;
    // The file has no circles (checked), so this walk ends; iterative for long chains.
    const chain: string[] = [];
    let at: string | null = email;
    let base = 0;
    while (at !== null && byEmail.has(at)) {
      const d = depth.get(at);
      if (d !== undefined) {
        base = d + 1;
        break;
      }
      chain.push(at);
      at = byEmail.get(at)!.person.managerEmail;
    }
    for (let i = chain.length - 1; i >= 0; i--) depth.set(chain[i]!, base++);
    return depth.get(email)!;
  };
  return prepared
    .map((p, index) => ({ p, index, depth: depthOf(p.person.email) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map((x) => x.p);
}

/** Removes what an unfinished import wrote (a conflict, an error, or a crash before start-up). */
function rollBack(importId: string, now: Date): Promise<number> {
  return runSqliteTransaction((db) => rollBackImport(db, importId, now));
}

/**
 * Start-up: an import that a crash interrupted never counted, so what it
 * wrote is removed (its mails were held, so nobody got a link).
 */
export async function rollBackUnfinishedImports(now = new Date()): Promise<void> {
  const unfinished = await runSqliteTransaction((db) => unfinishedImports(db));
  for (const importId of unfinished) {
    const removed = await rollBack(importId, now);
    console.warn(`import ${importId} never finished; removed the ${removed} people it had written`);
  }
}

/** The writing half of `applyImport`: returns a refusal, or null once the import has finished. */
async function writeImport({
  actorId,
  rows,
  emails,
  known,
  prepared,
  idOf,
  newId,
  now,
  linkExpiresAt,
  onChunkWritten,
}: {
  actorId: string;
  rows: ImportRow[];
  emails: string[];
  known: KnownPeople;
  prepared: Prepared[];
  idOf: ReadonlyMap<string, string>;
  newId: () => string;
  now: Date;
  linkExpiresAt: Date;
  onChunkWritten?: (written: number) => void | Promise<void>;
}): Promise<ImportOutcome | null> {
  const importId = newId();
  // Account changes wait for the import from here (withPeopleDirectory), so what is true now
  // stays true while it writes; each chunk checks its own rows again all the same.
  const knownNow = await lookUpPeople(emails);
  if (!sameAnswers(known, knownNow)) {
    const again = checkImportRows(rows, existingFrom(knownNow));
    if (!again.ok) return rowsRefused(again);
  }
  await runSqliteTransaction((db) =>
    startImport(db, { importId, actorId, now, rows: prepared.length }),
  );
  const managerIdOf = (email: string | null) =>
    email ? (idOf.get(email) ?? knownNow.get(email)!.id) : null;

  const ordered = managersFirst(prepared);
  // After every chunk, as long a pause as it took.
  const takeTurn = pacer(0);
  try {
    for (let from = 0; from < ordered.length; from += IMPORT_CHUNK) {
      const chunk = ordered.slice(from, from + IMPORT_CHUNK);
      const conflict = await runSqliteTransaction((db) => {
        // The directory lock keeps these true; checked anyway, as the write depends on them.
        const named = new Set<string>();
        for (const { person } of chunk) {
          named.add(person.email);
          if (person.managerEmail && !idOf.has(person.managerEmail)) named.add(person.managerEmail);
        }
        const current = findPeopleByEmail(db, [...named]);
        const changed = chunk.some(
          ({ person }) =>
            current.has(person.email) ||
            (person.managerEmail !== null &&
              !idOf.has(person.managerEmail) &&
              current.get(person.managerEmail)?.active !== true),
        );
        if (changed) return true;
        insertImportedAccounts(db, {
          importId,
          accounts: chunk.map(({ person, account }) => ({
            ...account,
            managerId: managerIdOf(person.managerEmail),
          })),
          actorId,
          now,
          linkExpiresAt,
        });
        // Held until the import finishes: mailed if and only if it counts.
        queueMailInSqliteTransaction(
          db,
          chunk.map((p) => p.mail),
          now,
          importId,
        );
        return false;
      });
      if (conflict) {
        await rollBack(importId, now);
        const knownAfter = await lookUpPeople(emails);
        const again = checkImportRows(rows, existingFrom(knownAfter));
        return again.ok
          ? { ...refuse("import_conflict", CONFLICT_MESSAGE), check: again }
          : rowsRefused(again);
      }
      await onChunkWritten?.(Math.min(from + IMPORT_CHUNK, ordered.length));
      await takeTurn();
    }
    await runSqliteTransaction((db) =>
      finishImport(db, { importId, actorId, eventId: newId(), count: prepared.length, now }),
    );
  } catch (error) {
    await rollBack(importId, now).catch(() => undefined);
    throw error;
  }
  return null;
}
