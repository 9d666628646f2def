/**
 * Keeps the agent following the worker's state: connects (SSE by default),
 * reconnects with full-jitter backoff (Retry-After honoured, attempts reset
 * after each successful connection), falls back to long-poll when the stream
 * keeps failing or does not exist, and tries the stream again later.
 */
import type { AgentState } from "../app/agent-protocol/v1.ts";
import { DeviceRevokedError, HttpStatusError, ProtocolError, type FetchLike } from "./api.ts";
import { Backoff, type BackoffPolicy, type WakeableSleeps } from "./backoff.ts";
import { followStateByLongPoll } from "./transport-longpoll.ts";
import { followStateStream } from "./transport-sse.ts";
import { describeNetworkError } from "./upload.ts";

export type TransportName = "sse" | "longpoll";

export type StateFollowerOptions = {
  server: string;
  token: string;
  signal: AbortSignal;
  fetchImpl?: FetchLike;
  preferred: TransportName;
  backoff: BackoffPolicy;
  random: () => number;
  retrySleeps: WakeableSleeps;
  /** Consecutive SSE failures before switching to long-poll. */
  sseFailuresBeforeLongPoll: number;
  /** After falling back to long-poll, try SSE again after this long. */
  retrySseAfterMs: number;
  idleTimeoutMs?: number | undefined;
  /** The version to ask about (undefined: send the full state), and how long until a full refresh is due. */
  known(): { version: string | undefined; refreshAfterMs: number };
  onState(state: AgentState, source: "stream" | "longpoll"): void;
  onConnection(connection: "online" | "offline", reason?: string): void;
  onTransport(transport: TransportName, reason: string): void;
  onRevoked(message: string): void;
};

export class StateFollower {
  transport: TransportName;

  constructor(private readonly options: StateFollowerOptions) {
    this.transport = options.preferred;
  }

  async run(): Promise<void> {
    const { signal } = this.options;
    const backoff = new Backoff(this.options.backoff, this.options.random);
    let sseFailures = 0;
    let longPollSince = 0;

    while (!signal.aborted) {
      let retryAfterMs: number | undefined;
      const known = this.options.known();
      const common = {
        server: this.options.server,
        token: this.options.token,
        knownVersion: known.version,
        refreshAfterMs: known.refreshAfterMs,
        signal,
        fetchImpl: this.options.fetchImpl,
        onConnected: () => {
          backoff.reset();
          if (this.transport === "sse") sseFailures = 0;
          this.options.onConnection("online");
          this.options.retrySleeps.wakeAll();
        },
      };
      try {
        if (this.transport === "sse") {
          const { end } = await followStateStream({
            ...common,
            idleTimeoutMs: this.options.idleTimeoutMs,
            onState: (state) => this.options.onState(state, "stream"),
          });
          if (end === "aborted") break;
          if (end === "refresh") continue;
          if (end === "idle-timeout") {
            this.options.onConnection("offline", "no heartbeat on the stream");
          }
        } else {
          const timeLimitMs =
            this.options.preferred === "sse"
              ? Math.max(0, longPollSince + this.options.retrySseAfterMs - Date.now())
              : undefined;
          const { end } = await followStateByLongPoll({
            ...common,
            timeLimitMs,
            onState: (state) => this.options.onState(state, "longpoll"),
          });
          if (end === "aborted") break;
          if (end === "time-limit") {
            this.transport = "sse";
            sseFailures = 0;
            this.options.onTransport("sse", "trying the stream again");
            continue;
          }
        }
      } catch (error) {
        if (error instanceof DeviceRevokedError) return this.options.onRevoked(error.message);
        if (signal.aborted) break;
        retryAfterMs = error instanceof HttpStatusError ? error.retryAfterMs : undefined;
        const reason = describeFailure(error);
        this.options.onConnection("offline", reason);
        if (this.transport === "sse") {
          sseFailures += 1;
          if (streamUnsupported(error) || sseFailures >= this.options.sseFailuresBeforeLongPoll) {
            this.transport = "longpoll";
            longPollSince = Date.now();
            this.options.onTransport("longpoll", `stream failed: ${reason}`);
          }
        }
      }
      await this.options.retrySleeps.sleep(
        backoff.nextDelayMs(retryAfterMs),
        signal,
        retryAfterMs === undefined,
      );
    }
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof HttpStatusError) {
    return `HTTP ${error.status}${error.code ? ` ${error.code}` : ""}: ${error.message}`;
  }
  return describeNetworkError(error);
}

/** The server has no usable stream endpoint: long-poll at once instead of retrying. */
function streamUnsupported(error: unknown): boolean {
  if (error instanceof ProtocolError) return true;
  return error instanceof HttpStatusError && [404, 405, 406, 501].includes(error.status);
}
