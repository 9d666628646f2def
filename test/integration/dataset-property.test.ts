/**
 * Issue 21's dataset invariant (ADR 0043), as a property: for random workers
 * with random events, pauses, exemptions (of some types or all), forgets,
 * private applications, restrictions and objections, a built dataset holds
 * exactly the events a from-scratch recomputation allows — none inside any
 * of those — and each worker's pseudonym is one and the same within a
 * dataset, different from every other worker's, and never seen again in a
 * second dataset of the same events.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { EVENT_TYPES, type EventType } from "#app/agent-protocol/v1.ts";
import { drainDatasetQueue } from "#app/jobs/dataset-builder.server.ts";
import { datasetFilePath, requestDataset } from "#app/models/dataset.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser } from "#test/fixtures.ts";
import { datasetWorker, publishNotice, storeEvents } from "#test/dataset-fixtures.ts";

const MIN = 60_000;
const FIRST_DAY = Date.parse("2026-06-01T00:00:00.000Z");
/** Applications, and which of them the patterns below cover (written out, not computed). */
const APPS = ["Editor", "Browser", "My Bank", "Terminal"] as const;
const PATTERNS = {
  editor: ["Editor"],
  "*bank*": ["My Bank"],
  "term*": ["Terminal"],
} as const satisfies Record<string, readonly (typeof APPS)[number][]>;

const span = fc.record({
  start: fc.integer({ min: 0, max: 230 }),
  minutes: fc.integer({ min: 1, max: 60 }),
});

const workerArb = fc.record({
  events: fc.array(
    fc.record({
      minute: fc.integer({ min: 0, max: 239 }),
      second: fc.integer({ min: 0, max: 59 }),
      type: fc.constantFrom<EventType>(...EVENT_TYPES),
      app: fc.constantFrom(...APPS),
    }),
    { maxLength: 25 },
  ),
  pauses: fc.array(
    fc.record({ start: span.map((s) => s.start), minutes: fc.integer({ min: 5, max: 30 }) }),
    { maxLength: 2 },
  ),
  exemption: fc.option(
    fc.record({
      start: fc.integer({ min: 0, max: 200 }),
      minutes: fc.integer({ min: 10, max: 120 }),
      types: fc.option(fc.subarray([...EVENT_TYPES], { minLength: 1 }), { nil: null }),
    }),
    { nil: null },
  ),
  forgets: fc.array(span, { maxLength: 2 }),
  privateApps: fc.subarray(Object.keys(PATTERNS) as (keyof typeof PATTERNS)[]),
  restrictions: fc.array(
    fc.record({
      start: span.map((s) => s.start),
      minutes: fc.integer({ min: 1, max: 90 }),
      status: fc.constantFrom("OPEN", "ACCEPTED", "REJECTED" as const),
    }),
    { maxLength: 2 },
  ),
  objection: fc.option(
    fc.record({
      status: fc.constantFrom("OPEN", "ACCEPTED", "REJECTED" as const),
      purposeKey: fc.constantFrom("ai-training", "exemption-review"),
    }),
    { nil: null },
  ),
});

let stewardId: string;
let noticeId: string;
let run = 0;

beforeAll(async () => {
  noticeId = await publishNotice(new Date("2026-05-01T00:00:00.000Z"));
  stewardId = (await createUser({ role: "DATA_STEWARD", timezone: "UTC" })).id;
});

type Line = { pseudonym: string; at: string; type: string; app: string };

async function build(name: string, start: Date, end: Date): Promise<Line[]> {
  const asked = await requestDataset({
    requesterId: stewardId,
    name,
    start,
    end,
    purposeKey: "ai-training",
    now: new Date(),
  });
  if (!asked.ok) throw new Error(asked.refusal.message);
  await drainDatasetQueue();
  const row = await prisma.dataset.findUniqueOrThrow({ where: { id: asked.id } });
  expect(row.status).toBe("COMPLETE");
  const text = readFileSync(datasetFilePath(asked.id), "utf8");
  return text === ""
    ? []
    : text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Line);
}

describe("a dataset holds exactly what the rules allow", () => {
  test("random workers and exclusions (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(workerArb, { minLength: 1, maxLength: 3 }), async (workers) => {
        // Each run has a day of its own, so earlier runs' workers are outside its range.
        const day = FIRST_DAY + run++ * 86_400_000;
        const at = (minute: number, second = 0) => new Date(day + minute * MIN + second * 1000);
        const expected = new Map<string, string[]>();
        for (const w of workers) {
          const person = await datasetWorker(noticeId);
          const events = w.events.map((e) => ({
            at: at(e.minute, e.second),
            type: e.type,
            app: e.app,
          }));
          await storeEvents(person, events);
          for (const p of w.pauses) {
            await prisma.pause.create({
              data: {
                workerId: person.id,
                kind: "SCHEDULED",
                startsAt: at(p.start),
                endsAt: at(p.start + p.minutes),
                createdAt: at(-10),
              },
            });
          }
          const ex = w.exemption;
          if (ex) {
            await prisma.exemptionRequest.create({
              data: {
                workerId: person.id,
                reason: "OTHER",
                justification: "A generated request for the dataset property test.",
                status: "APPROVED",
                startsAt: at(ex.start),
                endsAt: at(ex.start + ex.minutes),
                scopeTypes: ex.types ? [...ex.types].sort().join(",") : null,
                timeZone: "UTC",
                createdAt: at(-20),
              },
            });
          }
          for (const f of w.forgets) {
            await prisma.forget.create({
              data: {
                workerId: person.id,
                startsAt: at(f.start),
                endsAt: at(f.start + f.minutes),
                minutes: f.minutes,
                createdAt: at(f.start + f.minutes),
              },
            });
          }
          for (const pattern of w.privateApps) {
            await prisma.privateApp.create({
              data: { workerId: person.id, pattern, label: pattern },
            });
          }
          const rights = {
            workerId: person.id,
            details: "Generated for the dataset property test.",
            timeZone: "UTC",
            createdAt: at(-30),
            dueAt: at(60 * 24 * 30),
            firstDueAt: at(60 * 24 * 30),
          };
          for (const r of w.restrictions) {
            await prisma.rightsRequest.create({
              data: {
                ...rights,
                kind: "RESTRICTION",
                status: r.status,
                spanStart: at(r.start),
                spanEnd: at(r.start + r.minutes),
              },
            });
          }
          if (w.objection) {
            await prisma.rightsRequest.create({
              data: {
                ...rights,
                kind: "OBJECTION",
                status: w.objection.status,
                purposeKey: w.objection.purposeKey,
              },
            });
          }

          // From scratch: what may be held.
          const inSpan = (t: Date, start: number, minutes: number) =>
            at(start) <= t && t < at(start + minutes);
          const objects =
            w.objection?.status === "ACCEPTED" && w.objection.purposeKey === "ai-training";
          const privateNames = new Set<string>(w.privateApps.flatMap((p) => PATTERNS[p]));
          const held = objects
            ? []
            : events.filter(
                (e) =>
                  !w.pauses.some((p) => inSpan(e.at, p.start, p.minutes)) &&
                  !(
                    ex &&
                    inSpan(e.at, ex.start, ex.minutes) &&
                    (ex.types === null || ex.types.includes(e.type))
                  ) &&
                  !w.forgets.some((f) => inSpan(e.at, f.start, f.minutes)) &&
                  !privateNames.has(e.app) &&
                  !w.restrictions.some(
                    (r) => r.status !== "REJECTED" && inSpan(e.at, r.start, r.minutes),
                  ),
              );
          expected.set(
            person.id,
            held.map((e) => `${e.at.toISOString()}|${e.type}|${e.app}`).sort(),
          );
        }

        const range = [new Date(day), new Date(day + 86_400_000)] as const;
        const first = await build(`Property ${run} a`, ...range);
        const second = await build(`Property ${run} b`, ...range);
        for (const lines of [first, second]) {
          const datasetPseudonyms = new Set(lines.map((l) => l.pseudonym));
          const members = await prisma.datasetMember.findMany({
            where: { pseudonym: { in: [...datasetPseudonyms] } },
          });
          // One pseudonym per worker, different workers never share one.
          expect(new Set(members.map((m) => m.workerId)).size).toBe(datasetPseudonyms.size);
          for (const [workerId, want] of expected) {
            const member = members.find((m) => m.workerId === workerId);
            const got = lines
              .filter((l) => l.pseudonym === member?.pseudonym)
              .map((l) => `${l.at}|${l.type}|${l.app}`)
              .sort();
            expect(got).toEqual(want);
            expect(member?.events ?? 0).toBe(want.length);
          }
        }
        // Unlinkable: the same workers' events, under pseudonyms that never repeat.
        const again = new Set(second.map((l) => l.pseudonym));
        expect(first.some((l) => again.has(l.pseudonym))).toBe(false);
      }),
      { numRuns: 25 },
    );
  });
});
