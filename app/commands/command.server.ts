/**
 * The one path for every change (ADR 0013). A command runs in one
 * transaction in which it writes, records its audit events, moves the state
 * version of every worker whose collection state it affects, and queues its
 * after-commit effects (push to agents, mail, waking the export runner) as
 * outbox rows. After commit the dispatcher delivers them; a crash between
 * commit and delivery loses nothing, because start-up delivers what is left.
 *
 * A command that returns `{ ok: false, … }` (a refusal) is rolled back
 * whole: a failed request changes nothing, even if it wrote before refusing.
 *
 * Nothing else in app/ bumps a state version, publishes to agents, sends
 * mail or wakes a job (test/integration/architecture.test.ts holds that).
 */
import { recordAuditEvent, type AuditEventInput } from "#app/utils/audit.server.ts";
import { byProvider, prisma, type Tx } from "#app/utils/db.server.ts";
import type { Mail } from "#app/utils/mail.server.ts";
import type { OutboxEffect } from "./outbox.ts";
import { deliverOutbox } from "./outbox-dispatcher.server.ts";
import * as sqliteWorkerLock from "./worker-lock-sqlite.server.ts";
import * as postgresWorkerLock from "./worker-lock-postgres.server.ts";
import type { LockWorker } from "./worker-lock.ts";

const workerLock = byProvider<LockWorker>({
  sqlite: () => sqliteWorkerLock.lockWorker,
  postgresql: () => postgresWorkerLock.lockWorker,
});

export type Command = {
  tx: Tx;
  now: Date;
  /**
   * Makes every other command for this worker wait until this one has
   * committed (ADR 0035). Call it before reading what a rule about the
   * worker's rows checks, when the worker is known only from a row read
   * first; otherwise pass `worker` to `runCommand`.
   */
  lockWorker(workerId: string): Promise<void>;
  /** Records an audit event in this transaction (at `now` unless given). */
  audit(event: AuditEventInput): Promise<void>;
  /** The worker's windows or gate changed: their state version moves and their agents are told. */
  touchWorker(workerId: string): void;
  /** Every active worker's state moved (the acknowledgement gate, a new notice). */
  touchEveryone(): void;
  /** The device's open streams close after commit. */
  deviceRevoked(workerId: string, deviceId: string): void;
  mail(mail: Mail): void;
  wakeExportRunner(): void;
};

class Refused {
  constructor(readonly result: unknown) {}
}

function isRefusal(result: unknown): boolean {
  return typeof result === "object" && result !== null && (result as { ok?: unknown }).ok === false;
}

export type CommandOptions = {
  timeout?: number;
  /**
   * The worker whose rows this command checks a rule across (one running
   * pause, an export a day…): locked before `work` runs, so two such
   * commands for one worker run one after the other on every provider and
   * node (ADR 0035).
   */
  worker?: string;
};

export async function runCommand<T>(
  now: Date,
  work: (command: Command) => Promise<T>,
  options: CommandOptions = {},
): Promise<T> {
  let result: T;
  try {
    result = await prisma.$transaction(
      async (tx) => {
        const touched = new Set<string>();
        let everyone = false;
        const effects: OutboxEffect[] = [];
        const command: Command = {
          tx,
          now,
          lockWorker: (workerId) => workerLock()(tx, workerId),
          audit: (event) => recordAuditEvent(tx, { ...event, at: event.at ?? now }),
          touchWorker: (workerId) => void touched.add(workerId),
          touchEveryone: () => void (everyone = true),
          deviceRevoked: (workerId, deviceId) =>
            void effects.push({ kind: "device.revoked", payload: { workerId, deviceId } }),
          mail: (mail) => void effects.push({ kind: "mail", payload: mail }),
          wakeExportRunner: () => void effects.push({ kind: "exports.wake", payload: {} }),
        };
        if (options.worker !== undefined) await command.lockWorker(options.worker);
        const outcome = await work(command);
        if (isRefusal(outcome)) throw new Refused(outcome);
        await moveStateVersions(tx, [...touched], everyone);
        if (everyone || touched.size > 0) {
          effects.unshift({
            kind: "state.changed",
            payload: { workerIds: everyone ? [] : [...touched], everyone },
          });
        }
        if (effects.length > 0) {
          await tx.outboxMessage.createMany({
            data: effects.map((e) => ({ kind: e.kind, payload: JSON.stringify(e.payload) })),
          });
        }
        return outcome;
      },
      // maxWait: a burst of commands (one worker's, waiting on its lock) queues for a
      // connection instead of failing after Prisma's default 2 s.
      { timeout: options.timeout ?? 10_000, maxWait: 10_000 },
    );
  } catch (error) {
    if (error instanceof Refused) return error.result as T;
    throw error;
  }
  await deliverOutbox();
  return result;
}

/** The one place a state version moves: the agents' ETag, compared by fleet health's "behind". */
async function moveStateVersions(tx: Tx, workerIds: string[], everyone: boolean) {
  const data = { stateVersion: { increment: 1 }, stateVersionAt: new Date() };
  if (everyone) await tx.user.updateMany({ where: { deactivatedAt: null }, data });
  const rest = everyone
    ? // A worker deactivated in this same command is no longer "everyone" but still moves.
      (
        await tx.user.findMany({
          where: { id: { in: workerIds }, deactivatedAt: { not: null } },
          select: { id: true },
        })
      ).map((u) => u.id)
    : workerIds;
  if (rest.length > 0) await tx.user.updateMany({ where: { id: { in: rest } }, data });
}
