/**
 * What both ways of following the worker's state (SSE stream, long-poll)
 * share: their options, how they end, and reading one state body.
 */
import { StateSchema, type AgentState } from "../app/agent-protocol/v1.ts";
import { ProtocolError, type FetchLike } from "./api.ts";

export type StateFollowOptions = {
  server: string;
  token: string;
  /** The stateVersion the agent already has; undefined asks for the full state. */
  knownVersion: string | undefined;
  /** After this long without a new state, ask for the full state again (refreshAfterSeconds). */
  refreshAfterMs: number;
  signal: AbortSignal;
  fetchImpl?: FetchLike;
  /** The server accepted the request: the connection works. */
  onConnected(): void;
  onState(state: AgentState): void;
};

/** Why a follow call returned without an error. */
export type FollowEnd =
  | "aborted"
  /** The server closed the stream cleanly. */
  | "server-closed"
  /** No byte (not even a heartbeat) for too long: the connection is presumed dead. */
  | "idle-timeout"
  /** refreshAfterSeconds passed: reconnect without Last-Event-ID for a fresh state. */
  | "refresh"
  /** The caller's time limit for this transport ran out. */
  | "time-limit";

export function parseStateJson(text: string): AgentState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError("The state was not JSON.");
  }
  const parsed = StateSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProtocolError(
      `The state did not match the protocol: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}
