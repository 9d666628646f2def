/**
 * Drains the outbox: uploads batches oldest first, one at a time. A batch
 * that fails is retried with the same batchId after a backoff before any
 * newer one is sent; one the server refuses for good is set aside. Only this
 * queue deletes or rewrites outbox files, one change at a time, so a batch is
 * never sent twice at once and a purge never resurrects a confirmed batch.
 *
 * Privacy (ADR 0041): `purge` drops events a new state forbids (a forget
 * window, a private application) from every waiting batch, and each attempt
 * filters its batch again just before sending, as a last defence.
 */
import type { AgentEvent } from "../app/agent-protocol/v1.ts";
import { DeviceRevokedError, type FetchLike } from "./api.ts";
import { Backoff, type BackoffPolicy, type WakeableSleeps } from "./backoff.ts";
import { filterPrivacy, type DropReason } from "./collection.ts";
import type { Outbox, PendingBatch } from "./outbox.ts";
import type { StatusFields } from "./status.ts";
import { describeNetworkError, uploadBatch, type UploadOutcome } from "./upload.ts";

export type UploadQueueOptions = {
  outbox: Outbox;
  server: string;
  token: string;
  signal: AbortSignal;
  fetchImpl?: FetchLike;
  backoff: BackoffPolicy;
  random: () => number;
  /** Shared with the state loop: a success here ends its backoff, and the other way round. */
  retrySleeps: WakeableSleeps;
  report: (word: string | undefined, fields: StatusFields) => void;
  onNetworkFailure: (reason: string) => void;
  onRevoked: (message: string) => void;
  /** Why an event may no longer be uploaded under the current state, or null (default: never). */
  dropReason?: () => (event: Pick<AgentEvent, "at" | "app">) => DropReason | null;
};

/** Events a purge or an upload took out of waiting batches, with why. */
export type PurgedEvents = { forgotten: AgentEvent[]; privateApp: AgentEvent[] };

/** With nothing asked for, the queue still looks at the outbox this often. */
const IDLE_CHECK_MS = 60_000;

export class UploadQueue {
  /** Batches in the outbox, as far as this process knows. */
  buffered = 0;
  private wanted = true; // batches left over from the last run
  private wake: (() => void) | null = null;
  /** The batches to send, oldest first (a copy of the outbox, refreshed when empty). */
  private queue: PendingBatch[] = [];
  /** The batch being sent: a purge leaves its file alone (the next attempt filters it). */
  private inFlight: string | null = null;
  /** Changes to the outbox files and to `queue`, one at a time. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: UploadQueueOptions) {}

  async countBuffered(): Promise<number> {
    this.buffered = await this.options.outbox.count();
    return this.buffered;
  }

  /** A new batch is in the outbox. */
  added(): void {
    this.buffered += 1;
    this.request();
  }

  /** Look at the outbox now (new batch, or the server is back). */
  request(): void {
    this.wanted = true;
    this.wake?.();
  }

  /**
   * Drops the events the current state forbids from every waiting batch but the
   * one being sent: rewrites each affected file with the same batchId (through a
   * temporary file and a rename), or deletes it when nothing is left.
   */
  purge(): Promise<PurgedEvents> {
    return this.exclusive(async () => {
      const purged: PurgedEvents = { forgotten: [], privateApp: [] };
      const check = this.options.dropReason?.();
      if (!check) return purged;
      const replaced = new Map<string, PendingBatch | null>();
      for (const batch of await this.options.outbox.list()) {
        if (batch.batchId === this.inFlight) continue;
        const filtered = await this.applyPrivacy(batch, check);
        purged.forgotten.push(...filtered.forgotten);
        purged.privateApp.push(...filtered.privateApp);
        if (filtered.batch !== batch) replaced.set(batch.batchId, filtered.batch);
      }
      this.queue = this.queue.flatMap((batch) => {
        const replacement = replaced.get(batch.batchId);
        if (replacement === undefined) return [batch];
        return replacement === null ? [] : [replacement];
      });
      return purged;
    });
  }

  async run(): Promise<void> {
    const { signal } = this.options;
    const backoff = new Backoff(this.options.backoff, this.options.random);
    let lastFailure = "";
    while (!signal.aborted) {
      try {
        const batch = await this.exclusive(() => this.takeNext());
        if (!batch) {
          await this.waitForRequest();
          if (signal.aborted) break;
          this.wanted = false;
          await this.exclusive(async () => {
            this.queue = await this.options.outbox.list();
            this.buffered = this.queue.length;
          });
          continue;
        }
        let outcome: UploadOutcome;
        try {
          outcome = await uploadBatch({
            server: this.options.server,
            token: this.options.token,
            batch,
            signal,
            fetchImpl: this.options.fetchImpl,
          });
        } finally {
          if (signal.aborted) this.inFlight = null;
        }
        if (signal.aborted) break;
        if (outcome.kind !== "retry") {
          if (backoff.failures > 0) this.options.retrySleeps.wakeAll();
          backoff.reset();
          lastFailure = "";
          await this.exclusive(async () => {
            this.queue = this.queue.filter((waiting) => waiting.batchId !== batch.batchId);
            this.buffered = Math.max(0, this.buffered - 1);
            try {
              await this.settle(batch, outcome);
            } finally {
              this.inFlight = null;
            }
          });
          continue;
        }
        this.inFlight = null;
        if (outcome.network) this.options.onNetworkFailure(outcome.reason);
        // Reported once per batch and reason, not at every retry of a long outage.
        const failure = `${batch.batchId}|${outcome.reason}`;
        if (failure !== lastFailure) {
          this.options.report("upload_failed", {
            batch: batch.batchId,
            reason: outcome.reason,
            buffered: this.buffered,
            will_retry: true,
          });
        }
        lastFailure = failure;
        await this.options.retrySleeps.sleep(
          backoff.nextDelayMs(outcome.retryAfterMs),
          signal,
          outcome.retryAfterMs === undefined,
        );
      } catch (error) {
        if (error instanceof DeviceRevokedError) return this.options.onRevoked(error.message);
        if (signal.aborted) break;
        this.options.report(undefined, {
          error: "upload_queue",
          reason: describeNetworkError(error),
        });
        this.inFlight = null;
        await this.exclusive(async () => void (this.queue = []));
        await this.options.retrySleeps.sleep(backoff.nextDelayMs(), signal);
        this.wanted = true;
      }
    }
  }

  /** Runs `change` after every change before it; a failure does not block the next one. */
  private exclusive<T>(change: () => Promise<T>): Promise<T> {
    const result = this.changes.then(change);
    this.changes = result.catch(() => undefined);
    return result;
  }

  /**
   * The oldest batch, filtered under the current state just before it is sent (the
   * last defence: a state may have arrived since the last purge), marked in flight.
   * A batch left empty is deleted and the next one taken. Null when none is waiting.
   */
  private async takeNext(): Promise<PendingBatch | null> {
    const check = this.options.dropReason?.();
    while (this.queue.length > 0) {
      let batch = this.queue[0]!;
      if (check) {
        const filtered = await this.applyPrivacy(batch, check);
        for (const [reason, events] of [
          ["forgotten", filtered.forgotten],
          ["private_app", filtered.privateApp],
        ] as const) {
          if (events.length > 0) {
            this.options.report("dropped", {
              events: events.length,
              reason,
              batch: batch.batchId,
              when: "before_upload",
            });
          }
        }
        if (filtered.batch === null) {
          this.queue.shift();
          continue;
        }
        batch = this.queue[0] = filtered.batch;
      }
      this.inFlight = batch.batchId;
      return batch;
    }
    return null;
  }

  /**
   * Filters one waiting batch: unchanged (the same object), rewritten with its batchId, or
   * deleted (null). Reports what it took out. Call inside `exclusive`.
   */
  private async applyPrivacy(
    batch: PendingBatch,
    check: (event: Pick<AgentEvent, "at" | "app">) => DropReason | null,
  ): Promise<{ batch: PendingBatch | null } & PurgedEvents> {
    const { kept, forgotten, privateApp } = filterPrivacy(batch.events, check);
    if (kept.length === batch.events.length) return { batch, forgotten, privateApp };
    if (kept.length === 0) {
      await this.options.outbox.remove(batch.batchId);
      this.buffered = Math.max(0, this.buffered - 1);
      return { batch: null, forgotten, privateApp };
    }
    const rewritten = { ...batch, events: kept };
    await this.options.outbox.save(rewritten);
    return { batch: rewritten, forgotten, privateApp };
  }

  private waitForRequest(): Promise<void> {
    if (this.wanted || this.options.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.options.signal.removeEventListener("abort", done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, IDLE_CHECK_MS);
      this.options.signal.addEventListener("abort", done);
      this.wake = done;
    });
  }

  /** The server answered for good: forget the batch, or set it aside with the reason. */
  private async settle(
    batch: PendingBatch,
    outcome: Exclude<UploadOutcome, { kind: "retry" }>,
  ): Promise<void> {
    if (outcome.kind === "uploaded") {
      await this.options.outbox.remove(batch.batchId);
      const { result } = outcome;
      this.options.report("uploaded", {
        batch: result.batchId,
        events: batch.events.length,
        stored: result.stored,
        discardedPaused: result.discardedPaused,
        discardedExempt: result.discardedExempt,
        rejectedFuture: result.rejectedFuture,
        discardedForgotten: result.discardedForgotten,
        discardedPrivateApp: result.discardedPrivateApp,
        duplicate: result.duplicate,
        buffered: this.buffered,
      });
      return;
    }
    const file = await this.options.outbox.reject(
      batch.batchId,
      `HTTP ${outcome.status}: ${outcome.reason}`,
    );
    this.options.report("rejected", {
      batch: batch.batchId,
      http: outcome.status,
      reason: outcome.reason,
      file,
    });
  }
}
