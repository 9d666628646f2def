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
 */
import { prisma } from "#app/utils/db.server.ts";
import { notifyExportQueued } from "#app/utils/export-queue.server.ts";
import {
  logMailDelivered,
  mailIsStoredInDatabase,
  sendOverSmtp,
  storedMail,
} from "#app/utils/mail.server.ts";
import { publishStateChange, publishStateChangeToEveryone } from "#app/utils/state-bus.server.ts";
import { parseOutboxEffect } from "./outbox.ts";

const BATCH = 200;
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
  let after = 0;
  for (;;) {
    const rows = await prisma.outboxMessage.findMany({
      where: { failedAt: null, id: { gt: after } },
      orderBy: { id: "asc" },
      take: BATCH,
      select: { id: true, kind: true, payload: true, attempts: true },
    });
    for (const row of rows) {
      after = row.id;
      try {
        await deliver(row);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
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
    if (rows.length < BATCH) return;
  }
}

async function deliver(row: { id: number; kind: string; payload: string }): Promise<void> {
  const effect = parseOutboxEffect(row.kind, row.payload);
  switch (effect.kind) {
    case "mail": {
      const mail = effect.payload;
      if (mailIsStoredInDatabase()) {
        // Claim and store in one transaction: exactly once, even with two dispatchers.
        const stored = await prisma.$transaction(async (tx) => {
          const { count } = await tx.outboxMessage.deleteMany({ where: { id: row.id } });
          if (count === 0) return false;
          await tx.outboundEmail.create({ data: storedMail(mail) });
          return true;
        });
        if (stored) logMailDelivered(mail);
        return;
      }
      await sendOverSmtp(mail);
      logMailDelivered(mail);
      break;
    }
    case "state.changed":
      if (effect.payload.everyone) publishStateChangeToEveryone();
      for (const workerId of effect.payload.workerIds) publishStateChange(workerId);
      break;
    case "device.revoked":
      publishStateChange(effect.payload.workerId, { revokedDeviceId: effect.payload.deviceId });
      break;
    case "exports.wake":
      notifyExportQueued();
      break;
  }
  await prisma.outboxMessage.deleteMany({ where: { id: row.id } });
}
