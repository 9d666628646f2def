import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { collectionWindows, computeCollectionState, decideCollection } from "./collection-state.ts";
import type { StoredExemption } from "./exemption.ts";
import { pauseStatus, type StoredPause } from "./pause-policy.ts";

const MIN = 60_000;
const NOW = new Date("2026-11-27T09:00:00Z");
const at = (m: number) => new Date(NOW.getTime() + m * MIN);
const pause = (
  id: string,
  start: number,
  minutes: number,
  extra: Partial<StoredPause> = {},
): StoredPause => ({
  id,
  kind: "SCHEDULED",
  startsAt: at(start),
  endsAt: at(start + minutes),
  endedEarlyAt: null,
  cancelledAt: null,
  ...extra,
});

describe("computeCollectionState", () => {
  test("no pauses: collecting", () => {
    expect(computeCollectionState({ heldForAcknowledgement: false, pauses: [], now: NOW })).toEqual(
      {
        collecting: true,
        reason: "active",
        current: null,
        next: null,
        exemptTypes: [],
        windows: [],
      },
    );
  });

  test("a running pause stops collection until it ends, then it resumes by itself", () => {
    const pauses = [pause("a", -5, 30)];
    const during = computeCollectionState({ heldForAcknowledgement: false, pauses, now: NOW });
    expect(during).toMatchObject({
      collecting: false,
      reason: "paused",
      current: { sourceId: "a", endsAt: at(25) },
    });
    const after = computeCollectionState({ heldForAcknowledgement: false, pauses, now: at(25) });
    expect(after).toMatchObject({ collecting: true, reason: "active", current: null });
  });

  test("ended-early and cancelled pauses do not stop collection", () => {
    expect(
      computeCollectionState({
        heldForAcknowledgement: false,
        pauses: [pause("a", -5, 30, { endedEarlyAt: at(-1) })],
        now: NOW,
      }).collecting,
    ).toBe(true);
    expect(
      computeCollectionState({
        heldForAcknowledgement: false,
        pauses: [pause("b", 10, 30, { cancelledAt: at(-1) })],
        now: NOW,
      }).next,
    ).toBeNull();
  });

  test("lists the windows of the next 24 hours, and names the next one", () => {
    const state = computeCollectionState({
      heldForAcknowledgement: false,
      pauses: [pause("later", 26 * 60, 10), pause("soon", 60, 10), pause("sooner", 30, 10)],
      now: NOW,
    });
    expect(state.windows.map((w) => w.sourceId)).toEqual(["sooner", "soon"]);
    expect(state.next?.sourceId).toBe("sooner");
  });

  test("property: paused exactly when some pause is running", () => {
    const pauseArb = fc.record({
      start: fc.integer({ min: -120, max: 120 }),
      minutes: fc.integer({ min: 5, max: 30 }),
      endedEarlyAfter: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
      cancelled: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(pauseArb, { maxLength: 8 }),
        fc.integer({ min: -120, max: 200 }),
        (specs, nowOffset) => {
          const pauses = specs.map((s, i) =>
            pause(`p${i}`, s.start, s.minutes, {
              endedEarlyAt: s.endedEarlyAfter === null ? null : at(s.start + s.endedEarlyAfter),
              cancelledAt: s.cancelled ? at(s.start - 1) : null,
            }),
          );
          const now = at(nowOffset);
          const state = computeCollectionState({ heldForAcknowledgement: false, pauses, now });
          const anyRunning = pauses.some((p) => pauseStatus(p, now) === "running");
          expect(state.collecting).toBe(!anyRunning);
        },
      ),
    );
  });
});

const exemption = (start: number, minutes: number, extra: Partial<StoredExemption> = {}) =>
  ({
    id: `x${start}`,
    status: "APPROVED",
    startsAt: at(start),
    endsAt: at(start + minutes),
    endedEarlyAt: null,
    scopeTypes: null,
    recurrence: null,
    timeZone: "UTC",
    ...extra,
  }) satisfies StoredExemption;

describe("decideCollection", () => {
  const decide = (inputs: Parameters<typeof collectionWindows>[0], type?: string) =>
    decideCollection(collectionWindows(inputs, at(-60), at(60)), NOW, type);

  test("reasons win in order: deactivated, paused, exempt, acknowledgement, active", () => {
    const all = {
      pauses: [pause("p", -5, 10)],
      exemptions: [exemption(-5, 10)],
      heldForAcknowledgement: true,
    };
    expect(decide({ ...all, deactivated: true }).reason).toBe("deactivated");
    expect(decide(all).reason).toBe("paused");
    expect(decide({ ...all, pauses: [] }).reason).toBe("exempt");
    expect(decide({ ...all, pauses: [], exemptions: [] }).reason).toBe("acknowledgement_required");
    expect(decide({ pauses: [], heldForAcknowledgement: false })).toEqual({
      collecting: true,
      reason: "active",
    });
  });

  test("a type-scoped exemption stops only its types; without a type only all-scope windows count", () => {
    const inputs = {
      pauses: [],
      exemptions: [exemption(-5, 10, { scopeTypes: ["keystroke"] })],
      heldForAcknowledgement: false,
    };
    expect(decide(inputs, "keystroke").reason).toBe("exempt");
    expect(decide(inputs, "click").reason).toBe("active");
    expect(decide(inputs).reason).toBe("active");
  });

  test("revoked and ended exemptions covered time up to their early end; pending, denied and withdrawn never", () => {
    for (const status of ["REVOKED", "EXPIRED"] as const) {
      const ended = exemption(-30, 60, { status, endedEarlyAt: at(1) });
      expect(
        decide({ pauses: [], exemptions: [ended], heldForAcknowledgement: false }).reason,
      ).toBe("exempt");
      const before = { ...ended, endedEarlyAt: at(0) };
      expect(
        decide({ pauses: [], exemptions: [before], heldForAcknowledgement: false }).reason,
      ).toBe("active");
    }
    for (const status of ["PENDING", "DENIED", "WITHDRAWN"] as const) {
      expect(
        decide({
          pauses: [],
          exemptions: [exemption(-5, 10, { status })],
          heldForAcknowledgement: false,
        }).reason,
      ).toBe("active");
    }
  });

  test("the state shown now is the decision now, for any pauses and gate", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            start: fc.integer({ min: -60, max: 60 }),
            minutes: fc.integer({ min: 1, max: 30 }),
          }),
          { maxLength: 4 },
        ),
        fc.boolean(),
        fc.boolean(),
        (generated, held, deactivated) => {
          const inputs = {
            pauses: generated.map((g, i) => pause(`p${i}`, g.start, g.minutes)),
            heldForAcknowledgement: held,
            deactivated,
          };
          const state = computeCollectionState({ ...inputs, now: NOW });
          const verdict = decideCollection(collectionWindows(inputs, NOW, at(1)), NOW);
          expect({ collecting: state.collecting, reason: state.reason }).toEqual(verdict);
        },
      ),
    );
  });
});
