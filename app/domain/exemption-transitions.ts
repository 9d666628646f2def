/**
 * Decisions on an exemption request: which status changes are allowed, and
 * by whom (reviewers decide other people's requests; the worker withdraws or
 * ends their own). Pure: `now` is passed in.
 */
import { effectiveStatus, type ExemptionStatus, type StoredExemption } from "./exemption.ts";
import { STATUS_LABELS } from "./exemption-labels.ts";
import { refuse, type Refused } from "./refusal.ts";
import type { Role } from "./roles.ts";

export type ExemptionAction = "approve" | "deny" | "revoke" | "withdraw" | "end";

export type ActorRole = Role;

/** Refused: `forbidden` (not this actor's move), `conflict` (not from this status) or `note_required` (on `note`). */
export type TransitionDecision = { ok: true; to: ExemptionStatus; from: ExemptionStatus } | Refused;

const REVIEW_ACTIONS: readonly ExemptionAction[] = ["approve", "deny", "revoke"];

export const ACTION_LABELS: Record<ExemptionAction, string> = {
  approve: "Approved",
  deny: "Denied",
  revoke: "Revoked",
  withdraw: "Withdrawn",
  end: "Ended early",
};

/**
 * Whether `actor` may take `action` on the worker's request now. Reviewers
 * (and admins) decide other people's requests, never their own; a worker
 * withdraws their pending request or ends their approved one. A denial and a
 * revocation need a note the worker will read.
 */
export function decideTransition({
  exemption,
  workerId,
  actor,
  action,
  note,
  now,
}: {
  exemption: Pick<StoredExemption, "status" | "startsAt" | "endsAt" | "endedEarlyAt">;
  workerId: string;
  actor: { id: string; role: ActorRole };
  action: ExemptionAction;
  note: string | null;
  now: Date;
}): TransitionDecision {
  const from = effectiveStatus(exemption, now);
  const isReview = REVIEW_ACTIONS.includes(action);
  if (isReview) {
    if (actor.role !== "REVIEWER" && actor.role !== "ADMIN") {
      return refuse("forbidden", "Only reviewers and admins decide requests.");
    }
    if (actor.id === workerId) {
      return refuse(
        "forbidden",
        "You cannot decide your own request; another reviewer or an admin must.",
      );
    }
  } else if (actor.id !== workerId) {
    return refuse("forbidden", "Only the worker who asked can do this.");
  }
  const needs = (status: ExemptionStatus): TransitionDecision | null =>
    from === status
      ? null
      : refuse(
          "conflict",
          `This request is ${STATUS_LABELS[from].toLowerCase()}; only a ${STATUS_LABELS[status].toLowerCase()} request can be ${ACTION_LABELS[action].toLowerCase()}.`,
        );
  const blank = !note || note.trim().length === 0;
  switch (action) {
    case "approve":
      return needs("PENDING") ?? { ok: true, from, to: "APPROVED" };
    case "deny":
      return (
        needs("PENDING") ??
        (blank
          ? refuse("note_required", "Say why the request is denied.", "note")
          : { ok: true, from, to: "DENIED" })
      );
    case "revoke":
      return (
        needs("APPROVED") ??
        (blank
          ? refuse("note_required", "Say why the exemption is revoked.", "note")
          : { ok: true, from, to: "REVOKED" })
      );
    case "withdraw":
      return needs("PENDING") ?? { ok: true, from, to: "WITHDRAWN" };
    case "end":
      return needs("APPROVED") ?? { ok: true, from, to: "EXPIRED" };
  }
}
