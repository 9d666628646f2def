/**
 * One collection decision (ADR 0014): for random histories of pauses,
 * exemptions (every status, type-scoped, weekly in several time zones,
 * across a daylight-saving change), the acknowledgement gate and events, the
 * SQL path (ingestion reading the facts with its own statements) and the
 * agents' state (read through Prisma) agree, event by event, with the pure
 * domain decision computed from the same history as generated.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EVENT_TYPES, LIMITS, type EventType } from "#app/agent-protocol/v1.ts";
import {
  acknowledgementGateHolds,
  MONITORING_NOTICE_SLUG,
} from "#app/domain/acknowledgement-rules.ts";
import {
  collectionWindows,
  decideCollection,
  type CollectionInputs,
} from "#app/domain/collection-state.ts";
import {
  EXEMPTION_STATUSES,
  type ExemptionStatus,
  type StoredExemption,
  type Weekday,
} from "#app/domain/exemption.ts";
import type { StoredPause } from "#app/domain/pause-policy.ts";
import { getAgentState } from "#app/models/agent-state.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";

// Europe's clocks go forward at 01:00 UTC on this day: recurrences straddle the change.
const NOW = new Date("2026-03-29T06:00:00.000Z");
const MIN = 60_000;
const ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"] as const;

type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

const at = (minutes: number) => new Date(NOW.getTime() + minutes * MIN);

const pauseArb = fc.record({
  start: fc.integer({ min: -720, max: 60 }),
  minutes: fc.integer({ min: 1, max: 30 }),
  endedEarlyAfter: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
  cancelled: fc.boolean(),
});

const timeArb = fc
  .tuple(fc.integer({ min: 0, max: 22 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => ({ h, m }));
const hhmm = ({ h, m }: { h: number; m: number }) =>
  `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;

const exemptionArb = fc.record({
  status: fc.constantFrom<ExemptionStatus>(...EXEMPTION_STATUSES),
  start: fc.integer({ min: -1440, max: 60 }),
  minutes: fc.integer({ min: 10, max: 2880 }),
  endedEarlyAfter: fc.option(fc.integer({ min: 0, max: 2880 }), { nil: null }),
  scope: fc.option(fc.subarray([...EVENT_TYPES], { minLength: 1 }), { nil: null }),
  recurrence: fc.option(
    fc.record({
      days: fc.subarray([1, 2, 3, 4, 5, 6, 7] as Weekday[], { minLength: 1 }),
      from: timeArb,
      hours: fc.integer({ min: 1, max: 6 }),
    }),
    { nil: null },
  ),
  timeZone: fc.constantFrom(...ZONES),
});

const eventArb = fc.record({
  // Up to 12 hours back, and a little past the future tolerance…
  offsetSeconds: fc.integer({ min: -12 * 3600, max: LIMITS.futureToleranceMs / 1000 + 120 }),
  // …or, more often than chance would, just around the start or end of one of the windows.
  anchor: fc.option(
    fc.record({ index: fc.nat(), end: fc.boolean(), seconds: fc.integer({ min: -90, max: 90 }) }),
    { nil: null },
  ),
  type: fc.constantFrom<EventType>(...EVENT_TYPES),
});

const gateArb = fc.record({
  policyRequires: fc.boolean(),
  requiresAcknowledgement: fc.boolean(),
  signed: fc.constantFrom("never", "older", "current"),
});

type Gate = { policyRequires: boolean; requiresAcknowledgement: boolean; signed: string };

function toPauses(generated: Of<typeof pauseArb>[]): StoredPause[] {
  return generated.map((p) => ({
    id: randomUUID(),
    kind: p.start <= 0 ? "NOW" : "SCHEDULED",
    startsAt: at(p.start),
    endsAt: at(p.start + p.minutes),
    endedEarlyAt: p.endedEarlyAfter === null ? null : at(p.start + p.endedEarlyAfter),
    cancelledAt: p.cancelled ? at(Math.min(p.start, 0) - 1) : null,
  }));
}

function toExemptions(generated: Of<typeof exemptionArb>[]): StoredExemption[] {
  return generated.map((e) => {
    const from = e.recurrence?.from;
    const to = from ? { h: Math.min(23, from.h + e.recurrence!.hours), m: from.m } : null;
    return {
      id: randomUUID(),
      status: e.status,
      startsAt: at(e.start),
      endsAt: at(e.start + e.minutes),
      endedEarlyAt: e.endedEarlyAfter === null ? null : at(e.start + e.endedEarlyAfter),
      scopeTypes: e.scope ? [...e.scope].sort() : null,
      recurrence:
        e.recurrence && from && to
          ? { days: [...e.recurrence.days].sort(), startTime: hhmm(from), endTime: hhmm(to) }
          : null,
      timeZone: e.timeZone,
    };
  });
}

/** Stores the history as the app would have (rows, policy, notice versions, signatures). */
async function store(
  workerId: string,
  pauses: StoredPause[],
  exemptions: StoredExemption[],
  gate: Gate | null,
) {
  for (const p of pauses) {
    await prisma.pause.create({ data: { ...p, workerId, createdAt: at(-1000) } });
  }
  for (const e of exemptions) {
    await prisma.exemptionRequest.create({
      data: {
        id: e.id,
        workerId,
        reason: "OTHER",
        justification: "A generated request for the collection property test.",
        status: e.status,
        startsAt: e.startsAt,
        endsAt: e.endsAt,
        endedEarlyAt: e.endedEarlyAt,
        scopeTypes: e.scopeTypes?.join(",") ?? null,
        recurrenceDays: e.recurrence?.days.join(",") ?? null,
        recurrenceStart: e.recurrence?.startTime ?? null,
        recurrenceEnd: e.recurrence?.endTime ?? null,
        timeZone: e.timeZone,
        createdAt: at(-5000),
      },
    });
  }
  if (!gate) return;
  await prisma.policy.update({
    where: { id: 1 },
    data: { requireAcknowledgementBeforeCollection: gate.policyRequires },
  });
  // Two new versions each time: the newer is current, the older can be "signed earlier".
  const last = await prisma.policyDocument.findFirst({
    where: { slug: MONITORING_NOTICE_SLUG },
    orderBy: { version: "desc" },
  });
  const versions = [];
  for (const offset of [1, 2]) {
    versions.push(
      await prisma.policyDocument.create({
        data: {
          slug: MONITORING_NOTICE_SLUG,
          version: (last?.version ?? 0) + offset,
          title: "Monitoring notice",
          body: "What is collected, and why.",
          contentSha256: "0".repeat(64),
          requiresAcknowledgement: gate.requiresAcknowledgement,
          publishedAt: at(-100 + offset),
        },
      }),
    );
  }
  const signedDoc =
    gate.signed === "current" ? versions[1] : gate.signed === "older" ? versions[0] : null;
  if (signedDoc) {
    await prisma.acknowledgement.create({
      data: {
        workerId,
        documentId: signedDoc.id,
        contentSha256: "0".repeat(64),
        signedName: "Test Person",
        signedAt: at(-50),
        receipt: "{}",
      },
    });
  }
}

const VERDICT_OF_COUNTER = {
  stored: "store",
  discardedPaused: "paused",
  discardedExempt: "exempt",
  discardedUnacknowledged: "unacknowledged",
  rejectedFuture: "future",
} as const;

/** The domain's verdict for one uploaded event. */
function domainVerdict(inputs: CollectionInputs, eventAt: Date, type: string) {
  if (eventAt.getTime() > NOW.getTime() + LIMITS.futureToleranceMs) return "future";
  const verdict = decideCollection(
    collectionWindows(inputs, eventAt, new Date(eventAt.getTime() + 1)),
    eventAt,
    type,
  );
  return (
    {
      active: "store",
      paused: "paused",
      exempt: "exempt",
      acknowledgement_required: "unacknowledged",
      deactivated: "deactivated",
    } as const
  )[verdict.reason];
}

async function checkHistory(
  generatedPauses: Of<typeof pauseArb>[],
  generatedExemptions: Of<typeof exemptionArb>[],
  gate: Gate | null,
  events: Of<typeof eventArb>[],
) {
  const worker = await createUser();
  const device = await createDevice(worker.id);
  const pauses = toPauses(generatedPauses);
  const exemptions = toExemptions(generatedExemptions);
  await store(worker.id, pauses, exemptions, gate);
  const inputs: CollectionInputs = {
    pauses,
    exemptions,
    heldForAcknowledgement: gate
      ? acknowledgementGateHolds({
          policyRequires: gate.policyRequires,
          notice: { requiresAcknowledgement: gate.requiresAcknowledgement },
          signedCurrentNotice: gate.signed === "current",
        })
      : false,
  };

  const edges = [
    ...pauses.flatMap((p) => [p.startsAt, p.endedEarlyAt ?? p.endsAt]),
    ...exemptions.flatMap((x) => [x.startsAt, x.endedEarlyAt ?? x.endsAt]),
  ];
  // Ingestion, one event per batch so each verdict is seen on its own.
  for (const e of events) {
    const edge = e.anchor && edges.length > 0 ? edges[e.anchor.index % edges.length]! : null;
    const eventAt = edge
      ? new Date(Math.min(edge.getTime() + e.anchor!.seconds * 1000, NOW.getTime()))
      : new Date(NOW.getTime() + e.offsetSeconds * 1000);
    const result = await ingestBatch(
      { id: device.id, workerId: worker.id },
      {
        batchId: randomUUID(),
        events: [{ type: e.type, at: eventAt.toISOString(), app: "Editor", data: {} }],
      },
      NOW,
    );
    const counter = (Object.keys(VERDICT_OF_COUNTER) as (keyof typeof VERDICT_OF_COUNTER)[]).find(
      (k) => result[k] === 1,
    )!;
    expect(VERDICT_OF_COUNTER[counter], `${e.type} at ${eventAt.toISOString()}`).toBe(
      domainVerdict(inputs, eventAt, e.type),
    );
  }

  // The agents' state now, read through Prisma, says the same.
  const state = await getAgentState(worker.id, NOW);
  const now = decideCollection(collectionWindows(inputs, NOW, new Date(NOW.getTime() + 1)), NOW);
  expect({ collecting: state!.collecting, reason: state!.reason }).toEqual(now);
}

const historyArbs = [
  fc.array(pauseArb, { maxLength: 4 }),
  fc.array(exemptionArb, { maxLength: 3 }),
  fc.array(eventArb, { minLength: 1, maxLength: 12 }),
] as const;

describe("one collection decision", () => {
  // First, while no monitoring notice was ever published (the gate cannot hold).
  test("ingestion and the agents' state agree with the domain, with no notice published", async () => {
    await fc.assert(
      fc.asyncProperty(...historyArbs, fc.boolean(), async (p, e, events, policyRequires) => {
        await prisma.policy.update({
          where: { id: 1 },
          data: { requireAcknowledgementBeforeCollection: policyRequires },
        });
        await checkHistory(p, e, null, events);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  test("ingestion and the agents' state agree with the domain, event by event, with the acknowledgement gate", async () => {
    await fc.assert(
      fc.asyncProperty(...historyArbs, gateArb, async (p, e, events, gate) => {
        await checkHistory(p, e, gate, events);
      }),
      { numRuns: 120 },
    );
  }, 240_000);
});
