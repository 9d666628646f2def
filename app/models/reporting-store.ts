import { z } from "zod";
import { EXEMPTION_REASONS, EXEMPTION_STATUSES } from "#app/domain/exemption.ts";
import { SqlCount, SqlTime } from "#app/utils/sql-rows.ts";

/**
 * The privacy office overview's reads that need raw SQL (ADR 0032): one
 * implementation per provider (reporting-sqlite.server.ts,
 * reporting-postgres.server.ts); the shaping, windows and suppression stay in
 * reporting.server.ts. Every count comes back as a plain number.
 */

/** A half-open time range [from, to). */
export type TimeSpan = { from: Date; to: Date };

/** A half-open range of rollup keys [from, to): UTC days "YYYY-MM-DD" or quarters "YYYY-MM-DDTHH:MM". */
export type KeyRange = readonly [from: string, to: string];

/** The rows each implementation reads, parsed by both. */
export const Rows = {
  signatures: z.array(z.object({ documentId: z.string(), signed: SqlCount })),
  exemptionRequests: z.array(
    z.object({
      reason: z.enum(EXEMPTION_REASONS),
      workerId: z.string(),
      status: z.enum(EXEMPTION_STATUSES),
      endsAt: SqlTime,
      endedEarlyAt: SqlTime.nullable(),
      createdAt: SqlTime,
      /** The first decision in its history, else its `decidedAt`. */
      decidedAt: SqlTime.nullable(),
    }),
  ),
  /** A count per position in a list of ranges. */
  perRange: z.array(z.object({ i: SqlCount, n: SqlCount })),
  lengths: z
    .array(z.object({ seconds: SqlCount, n: SqlCount }))
    .transform((rows) => rows.map((r) => ({ seconds: r.seconds, count: r.n }))),
  teamPauses: z
    .array(z.object({ managerKey: z.string(), n: SqlCount }))
    .transform((rows) => rows.map((r) => ({ managerKey: r.managerKey, count: r.n }))),
  teams: z.array(
    z.object({
      managerId: z.string().nullable(),
      size: SqlCount,
      /** Active reports who signed the document asked about. */
      signed: SqlCount,
      /** Exemption requests of active reports filed since the time asked about. */
      exemptions: SqlCount,
    }),
  ),
};

export type ExemptionRequestRow = z.infer<typeof Rows.exemptionRequests>[number];
export type LengthCount = z.infer<typeof Rows.lengths>[number];
export type TeamRow = z.infer<typeof Rows.teams>[number];

export interface ReportingStore {
  /** Per published document (by id): signatures, less those of deactivated people. */
  signaturesOfActivePeople(): Promise<Map<string, number>>;
  /** Every exemption request ever filed. */
  exemptionRequests(): Promise<ExemptionRequestRow[]>;
  /** Per range of quarter keys, in order: pauses started, from `PauseStartQuarter`. */
  pauseStartsPerQuarterRange(ranges: readonly KeyRange[]): Promise<number[]>;
  /** Per span, in order: pauses started in it and not cancelled, counted from the pauses. */
  pauseStartsPerSpan(spans: readonly TimeSpan[]): Promise<number[]>;
  /**
   * Per span, in order: how many different people started a pause in it (not
   * cancelled), counted only up to `cap` (ADR 0042: enough to tell whether a
   * day's count stands for at least that many people; each span stops early).
   */
  pausersPerSpan(spans: readonly TimeSpan[], cap: number): Promise<number[]>;
  /**
   * Lengths of the pauses started (not cancelled, length known): the whole UTC
   * days of `days` from `PauseLengthDay`, `spans` from the pauses. A length
   * may come back in several rows; they add up.
   */
  pauseLengths(days: KeyRange | null, spans: readonly TimeSpan[]): Promise<LengthCount[]>;
  /**
   * Pauses started, not cancelled, of active people, per team (manager id, or
   * "" for none): the whole UTC days of `days` from `TeamPauseDay`, `spans`
   * from the pauses. Teams may come back in several rows; they add up.
   */
  teamPauses(
    days: KeyRange,
    spans: readonly TimeSpan[],
  ): Promise<{ managerKey: string; count: number }[]>;
  /** The same counts over one span, one index range per person (the rollups' reference). */
  teamPausesPerPerson(span: TimeSpan): Promise<{ managerKey: string; count: number }[]>;
  /**
   * Per manager (null: no manager), over active people, by manager id with no
   * manager first (the order that breaks ties when small groups are hidden).
   */
  teams(noticeId: string, exemptionsSince: Date): Promise<TeamRow[]>;
}

/**
 * Signatures per published version, less those of people deactivated since: two index counts
 * per version and a pass over the few deactivated people, instead of looking up the signer of
 * each of tens of thousands of signatures. The same SQL on both providers.
 */
export const SIGNATURES_OF_ACTIVE_PEOPLE_SQL = `SELECT d."id" AS "documentId",
        (SELECT COUNT(*) FROM "Acknowledgement" a WHERE a."documentId" = d."id")
        - (SELECT COUNT(*) FROM "User" u
           WHERE u."deactivatedAt" IS NOT NULL
             AND EXISTS (SELECT 1 FROM "Acknowledgement" a
                         WHERE a."workerId" = u."id" AND a."documentId" = d."id"))
          AS "signed"
 FROM "PolicyDocument" d
 WHERE d."publishedAt" IS NOT NULL`;
