/**
 * What a data-rights request (ADR 0042) does to the use of a worker's data
 * while it stands. Pure. Datasets read these rules; the request pages explain
 * them in the same words.
 *
 * - A RESTRICTION freezes its span from the moment it is filed: kept, but
 *   excluded from datasets, while open and, once accepted, until lifted.
 * - An ERASURE freezes its span while open (the data may be about to go);
 *   accepted, it deletes the span.
 * - An OBJECTION to a purpose is in force once accepted, until lifted: no
 *   data of the worker is used for that purpose.
 * - A CORRECTION changes nothing about use: accepted, its outcome is kept
 *   as an annotation with the data.
 */
export const RIGHTS_KINDS = ["CORRECTION", "ERASURE", "RESTRICTION", "OBJECTION"] as const;
export type RightsKind = (typeof RIGHTS_KINDS)[number];
export const RIGHTS_STATUSES = ["OPEN", "ACCEPTED", "REJECTED", "WITHDRAWN"] as const;
export type RightsStatus = (typeof RIGHTS_STATUSES)[number];

export type StoredRightsRequest = {
  kind: RightsKind;
  status: RightsStatus;
  spanStart: Date | null;
  spanEnd: Date | null;
  purposeKey: string | null;
  liftedAt: Date | null;
};

/** Whether the request keeps its span out of every dataset now. */
export function freezesSpan(r: StoredRightsRequest): boolean {
  if (r.spanStart === null || r.spanEnd === null) return false;
  if (r.kind === "RESTRICTION") {
    return r.status === "OPEN" || (r.status === "ACCEPTED" && r.liftedAt === null);
  }
  if (r.kind === "ERASURE") return r.status === "OPEN";
  return false;
}

/** Whether the request keeps all the worker's data from use for `purposeKey`. */
export function objectsTo(r: StoredRightsRequest, purposeKey: string): boolean {
  return (
    r.kind === "OBJECTION" &&
    r.purposeKey === purposeKey &&
    r.status === "ACCEPTED" &&
    r.liftedAt === null
  );
}

/** The spans frozen and whether the worker objects to `purposeKey`, from all their requests. */
export function exclusionsOf(
  requests: readonly StoredRightsRequest[],
  purposeKey: string,
): { frozen: { start: Date; end: Date }[]; objects: boolean } {
  return {
    frozen: requests.filter(freezesSpan).map((r) => ({ start: r.spanStart!, end: r.spanEnd! })),
    objects: requests.some((r) => objectsTo(r, purposeKey)),
  };
}
