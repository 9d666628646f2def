/**
 * What event ingestion needs from the database, once per provider
 * (`ingest-sqlite.server.ts`, `ingest-postgres.server.ts`; ADR 0032). The
 * store reads the facts, hands them to the plan (the domain's decision,
 * shared by both) and writes what the plan says, all in one transaction.
 */
import type { EventBatchResult } from "#app/agent-protocol/v1.ts";
import type { ExemptionColumns } from "#app/domain/exemption-columns.ts";
import type { PauseKind } from "#app/domain/pause-policy.ts";

export type IngestRequest = {
  device: { id: string; workerId: string };
  batchId: string;
  now: Date;
  /** The span the collection facts must cover: [from, to). */
  from: Date;
  to: Date;
  /** The upload's size on the wire and its number of events, for the device's footprint. */
  bodyBytes: number;
  eventCount: number;
};

/** The facts the collection decision needs, read inside the ingest transaction. */
export type IngestFacts = {
  pauses: {
    id: string;
    kind: PauseKind;
    startsAt: Date;
    endsAt: Date;
    endedEarlyAt: Date | null;
  }[];
  exemptions: ExemptionColumns[];
  /** The worker's forgotten spans that overlap the batch's span (ADR 0041). */
  forgets: { startsAt: Date; endsAt: Date }[];
  /** Private-application patterns: the worker's and the organisation's. */
  privateApps: string[];
  gate: {
    policyRequires: boolean;
    /** Null when no monitoring notice is published. */
    noticeRequires: boolean | null;
    signed: boolean;
  };
};

export type IngestCounts = Omit<EventBatchResult, "batchId" | "duplicate">;

/** What to write for a new batch. */
export type IngestWrites = {
  events: { type: string; app: string; at: Date; data: string }[];
  hourly: { type: string; app: string; hour: Date; count: number }[];
  daily: { type: string; app: string; day: Date; count: number }[];
  counts: IngestCounts;
  result: EventBatchResult;
};

export interface IngestStore {
  /**
   * Stores the batch exactly once per (device, batchId): a batch seen before
   * only adds its bytes to the footprint and answers its stored result
   * (with `duplicate: true`).
   */
  ingest(
    request: IngestRequest,
    plan: (facts: IngestFacts) => IngestWrites,
  ): Promise<EventBatchResult>;
}
