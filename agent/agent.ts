/**
 * The running agent: follows the worker's state (SSE, else long-poll),
 * decides from the last known windows and the local clock whether it may
 * collect, makes synthetic events only while it may, and uploads them in
 * batches that survive crashes and outages (outbox.ts). It honours the
 * worker's privacy rules (ADR 0041) online and offline: events of a private
 * application are never buffered, nor events inside a forget window; each
 * state (and the saved one at start-up) drops the buffered events inside its
 * forget windows, in memory and in the outbox, and each upload filters again.
 *
 * Start it with `startAgent(options)`; it reports every change as a status
 * line (`onStatus`, the `status` event of `statusEvents`) and ends when
 * stopped (`stop()`) or when the server revokes the device (`done`).
 */
import { EventEmitter } from "node:events";
import { LIMITS, type AgentEvent, type AgentState } from "../app/agent-protocol/v1.ts";
import type { FetchLike } from "./api.ts";
import { DEFAULT_BACKOFF, WakeableSleeps, type BackoffPolicy } from "./backoff.ts";
import {
  filterPrivacy,
  forgetAt,
  forgetKey,
  heldByServer,
  isCollecting,
  mayCollect,
  mayCollectType,
  nextTransition,
  privacyCheck,
  windowAt,
  type DropReason,
} from "./collection.ts";
import { readAgentConfig, readSavedState, writeSavedState, type AgentConfig } from "./config.ts";
import { createActivityGenerator } from "./generator.ts";
import { newBatch, Outbox } from "./outbox.ts";
import { StateFollower, type TransportName } from "./state-follower.ts";
import { formatStatusLine, type StatusFields, type StatusReport } from "./status.ts";
import { UploadQueue, type PurgedEvents } from "./upload-queue.ts";
import { describeNetworkError } from "./upload.ts";
import {
  DEFAULT_USAGE_INTERVAL_SECONDS,
  runUsageReporter,
  type UsageMeter,
} from "./usage-report.ts";

export type { TransportName } from "./state-follower.ts";

export type AgentOptions = {
  configDir: string;
  /** Preferred transport; "sse" falls back to long-poll when the stream keeps failing. */
  transport?: TransportName;
  eventsPerSecond?: number;
  batchSeconds?: number;
  onStatus?: (report: StatusReport) => void;
  fetchImpl?: FetchLike;
  random?: () => number;
  /** The clock deciding "collecting now?" and stamping events. */
  now?: () => Date;
  backoff?: BackoffPolicy;
  /** Consecutive SSE failures before switching to long-poll. */
  sseFailuresBeforeLongPoll?: number;
  /** After falling back to long-poll, try SSE again after this long. */
  retrySseAfterMs?: number;
  /** SSE silence (no event, no heartbeat) after which the stream is presumed dead. */
  idleTimeoutMs?: number;
  /** How often to report the agent's own CPU time and memory (POST /usage); 0: never. Default 3600. */
  usageIntervalSeconds?: number;
  /** What the usage reports measure (default: this process). */
  usageMeter?: UsageMeter;
};

export type AgentExit = { reason: "stopped" } | { reason: "revoked"; message: string };

export type AgentSnapshot = {
  collecting: boolean;
  stateVersion: string | undefined;
  connection: "connecting" | "online" | "offline";
  transport: TransportName;
  bufferedEvents: number;
};

export type RunningAgent = {
  deviceId: string;
  /** Emits "status" with a StatusReport for every status line. */
  statusEvents: EventEmitter;
  /** Resolves when the agent has ended: stopped, or revoked by the server. */
  done: Promise<AgentExit>;
  /** Writes the partial batch to the outbox, closes the connections, resolves when all is quiet. */
  stop(): Promise<void>;
  snapshot(): AgentSnapshot;
};

/** How often the verdict is re-checked besides the timer at each window boundary (clock jumps, sleep). */
const SAFETY_TICK_MS = 1000;
const GENERATOR_TICK_MS = 100;
const CLOCK_SKEW_WARNING_MS = 30_000;
const DEFAULT_REFRESH_MS = 5 * 60 * 1000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const config = await readAgentConfig(options.configDir);
  const agent = new Agent(config, options);
  await agent.start();
  return {
    deviceId: config.deviceId,
    statusEvents: agent.statusEvents,
    done: agent.done,
    stop: () => agent.stop(),
    snapshot: () => agent.snapshot(),
  };
}

class Agent {
  readonly statusEvents = new EventEmitter();
  readonly done: Promise<AgentExit>;
  private resolveDone!: (exit: AgentExit) => void;

  private readonly outbox: Outbox;
  private readonly stopController = new AbortController();
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly nextEvent: (at: Date) => AgentEvent;

  private state: AgentState | null = null;
  private stateReceivedAt = 0;
  private connection: AgentSnapshot["connection"] = "connecting";
  private lastVerdict = "";
  private skewWarned = false;

  /** Why an event may not be buffered or uploaded under the current state (privacyCheck). */
  private privacy: (event: Pick<AgentEvent, "at" | "app">) => DropReason | null = () => null;
  /** Forget windows already reported (those of the current state). */
  private knownForgets = new Set<string>();
  /** New events dropped by the privacy rules since the last report, per reason. */
  private unreportedDrops: Record<DropReason, number> = { forgotten: 0, private_app: 0 };

  private buffer: AgentEvent[] = [];
  private bufferBytes = 0;
  private eventCredit = 0;
  private lastGeneratorTick = 0;

  private readonly timers: NodeJS.Timeout[] = [];
  private boundaryTimer: NodeJS.Timeout | undefined;
  private flushChain: Promise<void> = Promise.resolve();
  private persistChain: Promise<void> = Promise.resolve();
  private loops: Promise<void>[] = [];
  private terminating: Promise<void> | null = null;
  private readonly follower: StateFollower;
  private readonly uploads: UploadQueue;

  constructor(
    private readonly config: AgentConfig,
    private readonly options: AgentOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.outbox = new Outbox(options.configDir);
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.nextEvent = createActivityGenerator(this.random);
    // Backoff sleeps of both loops, ended early when either reaches the server again.
    const retrySleeps = new WakeableSleeps();
    const backoff = options.backoff ?? DEFAULT_BACKOFF;
    const revoke = (message: string) => this.revoke(message);
    this.follower = new StateFollower({
      server: config.server,
      token: config.token,
      signal: this.signal,
      fetchImpl: options.fetchImpl,
      preferred: options.transport ?? "sse",
      backoff,
      random: this.random,
      retrySleeps,
      sseFailuresBeforeLongPoll: options.sseFailuresBeforeLongPoll ?? 3,
      retrySseAfterMs: options.retrySseAfterMs ?? 10 * 60 * 1000,
      idleTimeoutMs: options.idleTimeoutMs,
      known: () => this.knownState(),
      onState: (state, source) => this.applyState(state, source),
      onConnection: (connection, reason) => this.setConnection(connection, reason),
      onTransport: (transport, reason) => this.report(undefined, { transport, reason }),
      onRevoked: revoke,
    });
    this.uploads = new UploadQueue({
      outbox: this.outbox,
      server: config.server,
      token: config.token,
      signal: this.signal,
      fetchImpl: options.fetchImpl,
      backoff,
      random: this.random,
      retrySleeps,
      report: (word, fields) => this.report(word, fields),
      onNetworkFailure: (reason) => this.setConnection("offline", reason),
      onRevoked: revoke,
      dropReason: () => this.privacy,
    });
  }

  private get signal(): AbortSignal {
    return this.stopController.signal;
  }

  async start(): Promise<void> {
    const saved = await readSavedState(this.options.configDir);
    this.report(undefined, {
      status: "starting",
      device: this.config.deviceId,
      server: this.config.server,
      transport: this.follower.transport,
      buffered: await this.uploads.countBuffered(),
    });
    if (saved) {
      this.state = saved.state;
      this.stateReceivedAt = Date.parse(saved.receivedAt);
      this.applyPrivacy(saved.state, "saved-state");
    }
    this.evaluate(saved ? "saved-state" : "startup");

    const eventsPerSecond = this.options.eventsPerSecond ?? 5;
    if (eventsPerSecond > 0) {
      this.lastGeneratorTick = Date.now();
      this.timers.push(setInterval(() => this.generate(eventsPerSecond), GENERATOR_TICK_MS));
    }
    const batchMs = Math.max(0.1, this.options.batchSeconds ?? 10) * 1000;
    this.timers.push(setInterval(() => void this.flushBatch(), batchMs));
    this.timers.push(setInterval(() => this.evaluate(this.scheduleSource()), SAFETY_TICK_MS));

    this.loops.push(this.follower.run(), this.uploads.run());
    const usageSeconds = this.options.usageIntervalSeconds ?? DEFAULT_USAGE_INTERVAL_SECONDS;
    if (usageSeconds > 0) {
      this.loops.push(
        runUsageReporter({
          server: this.config.server,
          token: this.config.token,
          signal: this.signal,
          fetchImpl: this.options.fetchImpl,
          intervalMs: usageSeconds * 1000,
          now: this.now,
          meter: this.options.usageMeter,
          report: (word, fields) => this.report(word, fields),
          onRevoked: (message) => this.revoke(message),
        }),
      );
    }
  }

  snapshot(): AgentSnapshot {
    return {
      collecting: this.state !== null && mayCollect(this.state, this.now()),
      stateVersion: this.state?.stateVersion,
      connection: this.connection,
      transport: this.follower.transport,
      bufferedEvents: this.buffer.length,
    };
  }

  stop(): Promise<void> {
    return this.terminate({ reason: "stopped" }, true).then(() => this.done.then(() => undefined));
  }

  // ── Reporting ────────────────────────────────────────────────────────────

  private report(word: string | undefined, fields: StatusFields): void {
    const at = this.now();
    const report: StatusReport = { at, word, fields, line: formatStatusLine(at, word, fields) };
    this.options.onStatus?.(report);
    this.statusEvents.emit("status", report);
  }

  private scheduleSource(): string {
    return this.connection === "online" ? "schedule" : "offline-schedule";
  }

  private setConnection(connection: "online" | "offline", reason?: string): void {
    if (connection === this.connection) return;
    this.connection = connection;
    if (connection === "online") {
      this.report(undefined, {
        status: "online",
        transport: this.follower.transport,
        buffered: this.uploads.buffered,
      });
      this.uploads.request();
    } else {
      this.report(undefined, { status: "offline", buffered: this.uploads.buffered, reason });
    }
  }

  // ── Collecting or paused ─────────────────────────────────────────────────

  /** Re-decides "collecting now?" from the windows and prints a line when the answer changed. */
  private evaluate(source: string): void {
    if (this.terminating) return;
    if (!this.state) {
      if (this.lastVerdict !== "waiting") {
        this.lastVerdict = "waiting";
        this.report(undefined, {
          status: "waiting",
          reason: "no state received yet, not collecting",
        });
      }
      return;
    }
    const now = this.now();
    const { windows, stateVersion } = this.state;
    if (heldByServer(this.state)) {
      this.scheduleBoundary(null, now);
      const verdict = `held|${stateVersion}`;
      if (verdict === this.lastVerdict) return;
      this.lastVerdict = verdict;
      this.report(undefined, {
        status: "paused",
        kind: "server_hold",
        reason: this.state.reason,
        version: stateVersion,
        source,
        note: "the server says not collecting though no window covers now; waiting for a new state",
      });
      return;
    }
    const current = windowAt(windows, now);
    const transition = nextTransition(windows, now);
    this.scheduleBoundary(transition, now);
    const verdict = `${current === null}|${transition?.getTime()}|${stateVersion}`;
    if (verdict === this.lastVerdict) return;
    this.lastVerdict = verdict;
    if (current === null) {
      this.report(undefined, {
        status: "collecting",
        next_pause: transition?.toISOString(),
        version: stateVersion,
        source,
      });
    } else {
      this.report(undefined, {
        status: "paused",
        until: transition?.toISOString(),
        kind: current.kind,
        version: stateVersion,
        source,
      });
    }
  }

  /** A timer at the next window boundary, so the agent stops and resumes on time even offline. */
  private scheduleBoundary(transition: Date | null, now: Date): void {
    clearTimeout(this.boundaryTimer);
    this.boundaryTimer = undefined;
    if (!transition) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, transition.getTime() - now.getTime()) + 1);
    this.boundaryTimer = setTimeout(() => this.evaluate(this.scheduleSource()), delay);
  }

  private applyState(state: AgentState, source: "stream" | "longpoll"): void {
    if (this.terminating) return;
    const receivedAt = this.now();
    const serverTime = new Date(state.serverTime);
    if (isCollecting(state.windows, serverTime) !== state.collecting) {
      this.report(undefined, {
        warning: "state_mismatch",
        server_collecting: state.collecting,
        windows_collecting: !state.collecting,
        version: state.stateVersion,
        note: state.collecting ? "obeying the windows" : "holding off until a new state",
      });
    }
    const skewMs = serverTime.getTime() - receivedAt.getTime();
    if (Math.abs(skewMs) > CLOCK_SKEW_WARNING_MS && !this.skewWarned) {
      this.report(undefined, { warning: "clock_skew", skew_ms: skewMs });
    }
    this.skewWarned = Math.abs(skewMs) > CLOCK_SKEW_WARNING_MS;

    this.state = state;
    this.stateReceivedAt = receivedAt.getTime();
    this.persistChain = this.persistChain
      .then(() => writeSavedState(this.options.configDir, state, receivedAt))
      .catch((error: unknown) =>
        this.report(undefined, { warning: "state_not_saved", reason: describeNetworkError(error) }),
      );

    // Events made just before the agent learned of a window that covers them are dropped here.
    const kept = this.buffer.filter((event) =>
      mayCollectType(state, event.type, new Date(event.at)),
    );
    if (kept.length < this.buffer.length) {
      this.report("dropped", { events: this.buffer.length - kept.length, reason: "inside_window" });
      this.setBuffer(kept);
    }
    this.applyPrivacy(state, source);
    this.evaluate(source);
  }

  private setBuffer(events: AgentEvent[]): void {
    this.buffer = events;
    this.bufferBytes = events.reduce((sum, event) => sum + JSON.stringify(event).length + 1, 0);
  }

  /**
   * Adopts a state's privacy rules: drops the buffered events they forbid, at once in
   * memory, then in the outbox (after any batch being written), and reports each forget
   * window not seen before with the events it took: `forget_window from=… to=… dropped=N`.
   */
  private applyPrivacy(state: AgentState, source: string): void {
    this.privacy = privacyCheck(state);
    const fresh = state.forgets.filter((forget) => !this.knownForgets.has(forgetKey(forget)));
    this.knownForgets = new Set(state.forgets.map(forgetKey));
    const inMemory = filterPrivacy(this.buffer, this.privacy);
    if (inMemory.kept.length < this.buffer.length) this.setBuffer(inMemory.kept);
    this.flushChain = this.flushChain.then(async () => {
      let fromOutbox: PurgedEvents = { forgotten: [], privateApp: [] };
      try {
        fromOutbox = await this.uploads.purge();
      } catch (error) {
        this.report(undefined, {
          error: "outbox_purge_failed",
          reason: describeNetworkError(error),
          note: "each batch is filtered again before it is sent",
        });
      }
      const perWindow = new Map(fresh.map((forget) => [forgetKey(forget), 0]));
      let elsewhere = 0;
      for (const event of [...inMemory.forgotten, ...fromOutbox.forgotten]) {
        const forget = forgetAt(fresh, new Date(event.at));
        if (forget) perWindow.set(forgetKey(forget), perWindow.get(forgetKey(forget))! + 1);
        else elsewhere += 1;
      }
      for (const forget of fresh) {
        this.report("forget_window", {
          from: new Date(forget.startsAt).toISOString(),
          to: new Date(forget.endsAt).toISOString(),
          version: state.stateVersion,
          source,
          dropped: perWindow.get(forgetKey(forget)),
        });
      }
      if (elsewhere > 0) this.report("dropped", { events: elsewhere, reason: "forgotten" });
      const privateApp = inMemory.privateApp.length + fromOutbox.privateApp.length;
      if (privateApp > 0) this.report("dropped", { events: privateApp, reason: "private_app" });
    });
  }

  /** One line per reason for the new events the privacy rules dropped since the last one. */
  private reportUnreportedDrops(): void {
    for (const reason of ["private_app", "forgotten"] as const) {
      const events = this.unreportedDrops[reason];
      if (events === 0) continue;
      this.unreportedDrops[reason] = 0;
      this.report("dropped", { events, reason });
    }
  }

  // ── Events and batches ───────────────────────────────────────────────────

  private generate(eventsPerSecond: number): void {
    const tick = Date.now();
    const elapsedMs = Math.max(0, tick - this.lastGeneratorTick);
    this.lastGeneratorTick = tick;
    if (this.terminating || !this.state) return;
    const now = this.now();
    if (!mayCollect(this.state, now)) {
      this.eventCredit = 0;
      return;
    }
    // Credit accrues with time, capped at one second's worth (a suspended laptop does not burst).
    this.eventCredit = Math.min(
      eventsPerSecond,
      this.eventCredit + (eventsPerSecond * elapsedMs) / 1000,
    );
    while (this.eventCredit >= 1) {
      this.eventCredit -= 1;
      const event = this.nextEvent(now);
      // An exemption for some kinds of data: those are not collected at all.
      if (!mayCollectType(this.state, event.type, now)) continue;
      // A private application, or a forget window still running by this clock: never buffered.
      const dropReason = this.privacy(event);
      if (dropReason) {
        this.unreportedDrops[dropReason] += 1;
        continue;
      }
      this.buffer.push(event);
      this.bufferBytes += JSON.stringify(event).length + 1;
      if (
        this.buffer.length >= LIMITS.maxEventsPerBatch ||
        this.bufferBytes >= LIMITS.maxBatchBytes * 0.9
      ) {
        void this.flushBatch();
      }
    }
  }

  /** Moves the buffered events into a new batch in the outbox and wakes the uploader. */
  private flushBatch(): Promise<void> {
    this.reportUnreportedDrops();
    if (this.buffer.length === 0) return this.flushChain;
    const events = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    const batch = newBatch(events, this.now());
    this.flushChain = this.flushChain.then(async () => {
      try {
        await this.outbox.save(batch);
      } catch (error) {
        this.report(undefined, {
          error: "outbox_write_failed",
          batch: batch.batchId,
          events: events.length,
          reason: describeNetworkError(error),
        });
        return;
      }
      this.uploads.added();
      this.report("queued", {
        batch: batch.batchId,
        events: events.length,
        buffered: this.uploads.buffered,
      });
      if (this.connection === "offline") {
        this.report(undefined, { status: "offline", buffered: this.uploads.buffered });
      }
    });
    return this.flushChain;
  }

  // ── Following the state ──────────────────────────────────────────────────

  /** What to ask the server: by version, unless refreshAfterSeconds has passed (then in full). */
  private knownState(): { version: string | undefined; refreshAfterMs: number } {
    if (!this.state) return { version: undefined, refreshAfterMs: DEFAULT_REFRESH_MS };
    const remaining = this.stateReceivedAt + this.state.refreshAfterSeconds * 1000 - Date.now();
    return remaining > 0
      ? { version: this.state.stateVersion, refreshAfterMs: remaining }
      : { version: undefined, refreshAfterMs: this.state.refreshAfterSeconds * 1000 };
  }

  // ── Ending ───────────────────────────────────────────────────────────────

  private revoke(message: string): void {
    this.report(undefined, {
      status: "revoked",
      device: this.config.deviceId,
      message:
        "The server no longer accepts this device (revoked or unknown). Enroll again to resume.",
      server_message: message,
    });
    void this.terminate({ reason: "revoked", message }, false);
  }

  private terminate(exit: AgentExit, flush: boolean): Promise<void> {
    if (this.terminating) return this.terminating;
    this.terminating = (async () => {
      for (const timer of this.timers) clearInterval(timer);
      clearTimeout(this.boundaryTimer);
      this.stopController.abort();
      if (flush) await this.flushBatch();
      else this.buffer = [];
      await this.flushChain;
      await this.persistChain;
    })();
    void this.terminating
      .then(() => Promise.allSettled(this.loops))
      .then(() => {
        if (exit.reason === "stopped") {
          this.report(undefined, { status: "stopped", buffered: this.uploads.buffered });
        }
        this.resolveDone(exit);
      });
    return this.terminating;
  }
}
