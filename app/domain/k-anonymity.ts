/**
 * Counts about people's privacy choices (forgets, private applications) that
 * the privacy office may see (ADR 0041): only as totals behind at least `k`
 * distinct workers, so no number can point at a person. Pure.
 */
import { MIN_GROUP_SIZE } from "./reporting.ts";

/** The smallest number of distinct workers a privacy count may stand for. */
export const PRIVACY_MIN_WORKERS = MIN_GROUP_SIZE;

export type Aggregate = {
  /** How many (forgets, events discarded…). */
  total: number;
  /** How many distinct workers are behind `total`. */
  workers: number;
};

/**
 * `total` when at least `k` distinct workers are behind it, else null (not
 * shown). A total of nothing is behind nobody, so it is null too: "fewer
 * than k" says the same as "none" without telling them apart.
 */
export function suppressBelow(k: number, { total, workers }: Aggregate): number | null {
  if (!Number.isFinite(workers) || workers < Math.max(1, k)) return null;
  return total;
}
