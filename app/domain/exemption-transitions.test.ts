import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EXEMPTION_STATUSES, type ExemptionStatus } from "./exemption.ts";
import { decideTransition, type ExemptionAction } from "./exemption-transitions.ts";

const H = 3_600_000;
const D = 24 * H;
const NOW = new Date("2026-11-27T09:00:00Z");

describe("status transitions", () => {
  const WORKER = { id: "w", role: "WORKER" as const };
  const REVIEWER = { id: "r", role: "REVIEWER" as const };
  const live = { startsAt: NOW, endsAt: new Date(NOW.getTime() + D), endedEarlyAt: null };
  const decide = (
    status: ExemptionStatus,
    action: ExemptionAction,
    actor: { id: string; role: "WORKER" | "REVIEWER" | "ADMIN" },
    note: string | null = "because",
  ) =>
    decideTransition({
      exemption: { ...live, status },
      workerId: "w",
      actor,
      action,
      note,
      now: NOW,
    });

  /** The whole table of allowed moves: (status, action) → new status. */
  const ALLOWED: Record<string, ExemptionStatus> = {
    "PENDING approve": "APPROVED",
    "PENDING deny": "DENIED",
    "APPROVED revoke": "REVOKED",
    "PENDING withdraw": "WITHDRAWN",
    "APPROVED end": "EXPIRED",
  };

  test("property: exactly the table's moves are allowed, each by its own side", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXEMPTION_STATUSES),
        fc.constantFrom<ExemptionAction>("approve", "deny", "revoke", "withdraw", "end"),
        (status, action) => {
          const actor = ["withdraw", "end"].includes(action) ? WORKER : REVIEWER;
          const result = decide(status, action, actor);
          const expected = ALLOWED[`${status} ${action}`];
          if (expected) expect(result).toEqual({ ok: true, from: status, to: expected });
          else expect(result).toMatchObject({ ok: false, refusal: { code: "conflict" } });
        },
      ),
    );
  });

  test("a reviewer never decides their own request; a worker never decides; others never withdraw", () => {
    const own = decideTransition({
      exemption: { ...live, status: "PENDING" },
      workerId: "r",
      actor: REVIEWER,
      action: "approve",
      note: null,
      now: NOW,
    });
    expect(own).toMatchObject({ ok: false, refusal: { code: "forbidden" } });
    expect(decide("PENDING", "approve", WORKER)).toMatchObject({
      ok: false,
      refusal: { code: "forbidden" },
    });
    expect(decide("PENDING", "withdraw", REVIEWER)).toMatchObject({
      ok: false,
      refusal: { code: "forbidden" },
    });
  });

  test("a denial and a revocation need a note", () => {
    expect(decide("PENDING", "deny", REVIEWER, "  ")).toMatchObject({
      ok: false,
      refusal: { code: "note_required", field: "note" },
    });
    expect(decide("APPROVED", "revoke", REVIEWER, null)).toMatchObject({
      ok: false,
      refusal: { code: "note_required", field: "note" },
    });
    expect(decide("PENDING", "approve", REVIEWER, null)).toMatchObject({ ok: true });
  });

  test("a request whose end has passed can no longer be approved", () => {
    const result = decideTransition({
      exemption: { ...live, status: "PENDING", endsAt: new Date(NOW.getTime() - 1) },
      workerId: "w",
      actor: REVIEWER,
      action: "approve",
      note: null,
      now: NOW,
    });
    expect(result).toMatchObject({ ok: false, refusal: { code: "conflict" } });
  });
});
