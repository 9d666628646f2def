/**
 * Delivers commands' after-commit effects from the OutboxMessage table, in
 * the order they were committed: right after each command, again at start-up
 * for whatever a crash left, and every half minute for retries. Deliveries
 * run one at a time in a process, and a row is deleted as it is delivered,
 * so each effect is delivered once:
 *  - pushes to agents are idempotent anyway (agents re-read by state version);
 *  - with the "database" mail transport the stored mail and the deletion of
 *    its row commit together (exactly once); over SMTP a crash between the
 *    server's acceptance and the deletion can send a mail twice (at least once).
 *
 * This is the seam for several nodes: on PostgreSQL a push becomes NOTIFY.
 * On PostgreSQL the mails' claim is `DELETE … RETURNING` (outbox-postgres.server.ts).
 */
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { pacer } from "#app/utils/pace.ts";
import { notifyExportQueued } from "#app/utils/export-queue.server.ts";
import {
  logMailDelivered,
  mailIsStoredInDatabase,
  sendOverSmtp,
  storedMail,
} from "#app/utils/mail.server.ts";
import { publishStateChange, publishStateChangeToEveryone } from "#app/utils/state-bus.server.ts";
import { OutboxPayloads, parseOutboxEffect } from "./outbox.ts";
import { outboxStore as postgresOutboxStore } from "./outbox-postgres.server.ts";
import { outboxStore as sqliteOutboxStore } from "./outbox-sqlite.server.ts";

const outboxStore = byProvider({
  sqlite: () => sqliteOutboxStore,
  postgresql: () => postgresOutboxStore,
});

const BATCH = 200;
/** Mails stored in one transaction (~20 µs each). */
const MAILS_AT_ONCE = 100;
/** After this many failed attempts a message is set aside (failedAt) for an operator. */
export const MAX_ATTEMPTS = 8;
const RETRY_EVERY_MS = 30_000;

type DispatcherState = { started: boolean; chain: Promise<void>; timer?: NodeJS.Timeout };

declare global {
  var __lullOutbox: DispatcherState | undefined;
}

function state(): DispatcherState {
  globalThis.__lullOutbox ??= { started: false, chain: Promise.resolve() };
  return globalThis.__lullOutbox;
}

/**
 * Starts delivering in this process (the server calls it once at start-up):
 * first everything left undelivered, then after every command.
 */
export function startOutboxDispatcher(): Promise<void> {
  const s = state();
  if (!s.started) {
    s.started = true;
    s.timer = setInterval(() => void deliverOutbox(), RETRY_EVERY_MS);
    s.timer.unref();
  }
  return deliverOutbox();
}

/** Stops delivering here: committed effects wait in the table for a dispatcher. */
export async function stopOutboxDispatcher(): Promise<void> {
  const s = state();
  s.started = false;
  clearInterval(s.timer);
  await s.chain;
}

/**
 * Delivers every pending message (when the dispatcher runs in this process).
 * Concurrent calls queue behind each other; it never throws.
 */
export function deliverOutbox(): Promise<void> {
  const s = state();
  if (!s.started) return Promise.resolve();
  s.chain = s.chain.then(deliverPending).catch((error: unknown) => {
    console.error("outbox:", error instanceof Error ? error.message : error);
  });
  return s.chain;
}

async function deliverPending(): Promise<void> {
  const takeTurn = pacer();
  let after = 0;
  for (;;) {
    const rows = await prisma.outboxMessage.findMany({
      // A CSV import's mails wait until the import has finished (ADR 0016).
      where: {
        failedAt: null,
        id: { gt: after },
        OR: [{ importId: null }, { import: { finishedAt: { not: null } } }],
      },
      orderBy: { id: "asc" },
      take: BATCH,
      select: { id: true, kind: true, payload: true, attempts: true },
    });
    let i = 0;
    while (i < rows.length) {
      // Consecutive mails for the database transport are stored together (an import's links).
      if (rows[i]!.kind === "mail" && mailIsStoredInDatabase()) {
        let j = i;
        while (j < rows.length && rows[j]!.kind === "mail" && j - i < MAILS_AT_ONCE) j++;
        await attempt(rows.slice(i, j), storeMails);
        await takeTurn();
        i = j;
      } else {
        const row = rows[i]!;
        await attempt([row], () => deliver(row));
        i++;
      }
    }
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    if (rows.length < BATCH) return;
    // Thousands of an import's mails: requests get the thread between batches.
    await takeTurn();
  }
}

type Row = { id: number; kind: string; payload: string; attempts: number };

async function attempt(rows: Row[], work: (rows: Row[]) => Promise<void>): Promise<void> {
  try {
    await work(rows);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (const row of rows) {
      console.error(`outbox: message ${row.id} (${row.kind}) not delivered: ${message}`);
      await prisma.outboxMessage.updateMany({
        where: { id: row.id },
        data: {
          attempts: { increment: 1 },
          lastError: message.slice(0, 500),
          ...(row.attempts + 1 >= MAX_ATTEMPTS ? { failedAt: new Date() } : {}),
        },
      });
    }
  }
}

/**
 * The "database" transport: claim the rows and store their mails in one
 * transaction, so each is stored exactly once, even with two dispatchers
 * (outbox-sqlite.server.ts, outbox-postgres.server.ts).
 */
async function storeMails(rows: Row[]): Promise<void> {
  const mails = rows.map((row) => {
    const mail = OutboxPayloads.mail.parse(JSON.parse(row.payload));
    return { id: row.id, mail, ...storedMail(mail) };
  });
  const claimed = await outboxStore().claimAndStoreMails(mails, new Date());
  for (const { id, mail } of mails) if (claimed.has(id)) logMailDelivered(mail);
}

async function deliver(row: Row): Promise<void> {
  const effect = parseOutboxEffect(row.kind, row.payload);
  switch (effect.kind) {
    case "mail":
      await sendOverSmtp(effect.payload);
      logMailDelivered(effect.payload);
      break;
    // Pushed to this node's agents at once; with several nodes, the promise is the other
    // nodes being told (a failure keeps the message for another attempt).
    case "state.changed":
      await Promise.all([
        ...(effect.payload.everyone ? [publishStateChangeToEveryone()] : []),
        ...effect.payload.workerIds.map((workerId) => publishStateChange(workerId)),
      ]);
      break;
    case "device.revoked":
      await publishStateChange(effect.payload.workerId, {
        revokedDeviceId: effect.payload.deviceId,
      });
      break;
    case "exports.wake":
      notifyExportQueued();
      break;
  }
  await prisma.outboxMessage.deleteMany({ where: { id: row.id } });
}
