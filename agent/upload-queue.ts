/**
 * Drains the outbox: uploads batches oldest first, one at a time. A batch
 * that fails is retried with the same batchId after a backoff before any
 * newer one is sent; one the server refuses for good is set aside. Only this
 * queue deletes outbox files, so a batch is never sent twice at once.
 */
import { DeviceRevokedError, type FetchLike } from "./api.ts";
import { Backoff, type BackoffPolicy, type WakeableSleeps } from "./backoff.ts";
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
};

/** With nothing asked for, the queue still looks at the outbox this often. */
const IDLE_CHECK_MS = 60_000;

export class UploadQueue {
  /** Batches in the outbox, as far as this process knows. */
  buffered = 0;
  private wanted = true; // batches left over from the last run
  private wake: (() => void) | null = null;

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

  async run(): Promise<void> {
    const { outbox, signal } = this.options;
    const backoff = new Backoff(this.options.backoff, this.options.random);
    let queue: PendingBatch[] = [];
    let lastFailure = "";
    while (!signal.aborted) {
      try {
        const batch = queue[0];
        if (!batch) {
          await this.waitForRequest();
          if (signal.aborted) break;
          this.wanted = false;
          queue = await outbox.list();
          this.buffered = queue.length;
          continue;
        }
        const outcome = await uploadBatch({
          server: this.options.server,
          token: this.options.token,
          batch,
          signal,
          fetchImpl: this.options.fetchImpl,
        });
        if (signal.aborted) break;
        if (outcome.kind !== "retry") {
          queue.shift();
          this.buffered = Math.max(0, this.buffered - 1);
          if (backoff.failures > 0) this.options.retrySleeps.wakeAll();
          backoff.reset();
          lastFailure = "";
          await this.settle(batch, outcome);
          continue;
        }
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
        queue = [];
        await this.options.retrySleeps.sleep(backoff.nextDelayMs(), signal);
        this.wanted = true;
      }
    }
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
