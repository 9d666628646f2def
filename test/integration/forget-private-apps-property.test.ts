/**
 * Issue 20's invariant (ADR 0041), as a property: for random histories of
 * uploads, pauses, exemptions, forgets and private applications (each made
 * private with the one-click purge), what is stored afterwards equals what a
 * from-scratch recomputation allows — no event inside a forgotten span or of
 * a private application, nothing inside a pause or an exemption of its type —
 * and every hourly and daily rollup equals the raw count of its events.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EVENT_TYPES, type EventType } from "#app/agent-protocol/v1.ts";
import { privateAppMatcher } from "#app/agent-protocol/private-apps.ts";
import { forgetRecent } from "#app/models/forget.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { addPrivateApp, purgePrivateApp } from "#app/models/private-app.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";

const START = new Date("2026-12-03T09:40:00.000Z");
const MIN = 60_000;
const APPS = ["Editor", "Browser", "1Password", "My Bank", "Terminal"] as const;
const PATTERNS = ["1password", "*bank*", "term*", "EDITOR", "nothing-matches"] as const;

const eventArb = fc.record({
  device: fc.integer({ min: 0, max: 1 }),
  // Recorded up to 90 minutes before the upload (agents buffer offline).
  minutesAgo: fc.integer({ min: 0, max: 90 }),
  second: fc.integer({ min: 0, max: 59 }),
  type: fc.constantFrom<EventType>(...EVENT_TYPES),
  app: fc.constantFrom(...APPS),
});

const opArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("upload" as const),
      events: fc.array(eventArb, { minLength: 1, maxLength: 12 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("forget" as const),
      minutes: fc.constantFrom(5, 15, 30),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("private" as const),
      pattern: fc.constantFrom(...PATTERNS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("advance" as const),
      minutes: fc.integer({ min: 1, max: 40 }),
    }),
  },
);

const historyArb = fc.record({
  // Pauses and a type-scoped exemption somewhere in the three hours around the history.
  pauses: fc.array(
    fc.record({
      start: fc.integer({ min: -90, max: 150 }),
      minutes: fc.integer({ min: 5, max: 30 }),
    }),
    { maxLength: 3 },
  ),
  exemption: fc.option(
    fc.record({
      start: fc.integer({ min: -90, max: 150 }),
      minutes: fc.integer({ min: 10, max: 120 }),
      types: fc.option(fc.subarray([...EVENT_TYPES], { minLength: 1 }), { nil: null }),
    }),
    { nil: null },
  ),
  ops: fc.array(opArb, { minLength: 1, maxLength: 12 }),
});

type Uploaded = { device: number; type: EventType; app: string; at: Date };

const key = (e: { deviceId: string; type: string; app: string; at: Date }) =>
  `${e.deviceId}|${e.type}|${e.app}|${e.at.toISOString()}`;

describe("forgets and private applications leave exactly what a recomputation allows", () => {
  test("events and rollups after random histories (property)", async () => {
    await prisma.policy.update({ where: { id: 1 }, data: { maxForgetsPerDay: 20 } });
    try {
      await fc.assert(
        fc.asyncProperty(historyArb, async (history) => {
          const worker = await createUser({ timezone: "UTC" });
          const devices = [await createDevice(worker.id), await createDevice(worker.id)];
          const at = (minutes: number) => new Date(START.getTime() + minutes * MIN);
          const pauses = history.pauses.map((p) => ({
            start: at(p.start),
            end: at(p.start + p.minutes),
          }));
          for (const p of pauses) {
            await prisma.pause.create({
              data: {
                workerId: worker.id,
                kind: "SCHEDULED",
                startsAt: p.start,
                endsAt: p.end,
                createdAt: at(-200),
              },
            });
          }
          const ex = history.exemption;
          if (ex) {
            await prisma.exemptionRequest.create({
              data: {
                workerId: worker.id,
                reason: "OTHER",
                justification: "A generated request for the forget property test.",
                status: "APPROVED",
                startsAt: at(ex.start),
                endsAt: at(ex.start + ex.minutes),
                scopeTypes: ex.types ? [...ex.types].sort().join(",") : null,
                timeZone: "UTC",
                createdAt: at(-300),
              },
            });
          }
          const paused = (t: Date) => pauses.some((p) => p.start <= t && t < p.end);
          const exempt = (e: Uploaded) =>
            ex !== null &&
            at(ex.start) <= e.at &&
            e.at < at(ex.start + ex.minutes) &&
            (ex.types === null || ex.types.includes(e.type));

          // The recomputation's inputs, gathered as the history runs.
          let now = START;
          const uploaded: Uploaded[] = [];
          const accepted: Uploaded[] = [];
          const forgets: { start: Date; end: Date }[] = [];
          const patterns: string[] = [];
          for (const op of history.ops) {
            if (op.op === "advance") {
              now = new Date(now.getTime() + op.minutes * MIN);
            } else if (op.op === "upload") {
              const events = op.events.map((e) => ({
                device: e.device,
                type: e.type,
                app: e.app,
                at: new Date(now.getTime() - e.minutesAgo * MIN - e.second * 1000),
              }));
              for (const device of [0, 1]) {
                const mine = events.filter((e) => e.device === device);
                if (mine.length === 0) continue;
                await ingestBatch(
                  { id: devices[device]!.id, workerId: worker.id },
                  {
                    batchId: randomUUID(),
                    events: mine.map((e) => ({
                      type: e.type,
                      app: e.app,
                      at: e.at.toISOString(),
                      data: {},
                    })),
                  },
                  now,
                );
              }
              const isPrivate = privateAppMatcher(patterns);
              for (const e of events) {
                uploaded.push(e);
                const forgotten = forgets.some((f) => f.start <= e.at && e.at < f.end);
                if (!paused(e.at) && !exempt(e) && !forgotten && !isPrivate(e.app))
                  accepted.push(e);
              }
            } else if (op.op === "forget") {
              const result = await forgetRecent({
                workerId: worker.id,
                timeZone: "UTC",
                minutes: op.minutes,
                now,
              });
              expect(result.ok).toBe(true);
              forgets.push({ start: new Date(now.getTime() - op.minutes * MIN), end: now });
            } else {
              const added = await addPrivateApp(
                { kind: "worker", workerId: worker.id },
                op.pattern,
                now,
              );
              if (added.ok) {
                patterns.push(op.pattern);
                const purged = await purgePrivateApp(worker.id, added.id, now);
                expect(purged.ok).toBe(true);
              }
            }
          }

          // From scratch: what was accepted, minus every forgotten span and private application.
          const isPrivate = privateAppMatcher(patterns);
          const expected = accepted
            .filter((e) => !forgets.some((f) => f.start <= e.at && e.at < f.end))
            .filter((e) => !isPrivate(e.app))
            .map((e) => key({ ...e, deviceId: devices[e.device]!.id }))
            .sort();
          const stored = await prisma.event.findMany({
            where: { workerId: worker.id },
            select: { deviceId: true, type: true, app: true, at: true },
          });
          expect(stored.map(key).sort()).toEqual(expected);

          // Rollups: each row equals the raw count of its events, and no row is left at zero.
          const hourly = new Map<string, number>();
          const daily = new Map<string, number>();
          for (const e of stored) {
            const hour = new Date(Math.floor(e.at.getTime() / 3_600_000) * 3_600_000).toISOString();
            const k = `${e.deviceId}|${e.type}|${e.app}|`;
            hourly.set(k + hour, (hourly.get(k + hour) ?? 0) + 1);
            daily.set(k + hour.slice(0, 10), (daily.get(k + hour.slice(0, 10)) ?? 0) + 1);
          }
          const [hourRows, dayRows] = await Promise.all([
            prisma.eventRollup.findMany({ where: { workerId: worker.id } }),
            prisma.eventRollupDay.findMany({ where: { workerId: worker.id } }),
          ]);
          expect(
            new Map(
              hourRows.map((r) => [
                `${r.deviceId}|${r.type}|${r.app}|${r.hour.toISOString()}`,
                r.count,
              ]),
            ),
          ).toEqual(hourly);
          expect(
            new Map(
              dayRows.map((r) => [
                `${r.deviceId}|${r.type}|${r.app}|${r.day.toISOString().slice(0, 10)}`,
                r.count,
              ]),
            ),
          ).toEqual(daily);

          // Every event is accounted for on the devices: stored or refused for a reason.
          const counters = await prisma.device.findMany({ where: { workerId: worker.id } });
          const refused = counters.reduce(
            (n, d) =>
              n +
              d.discardedPaused +
              d.discardedExempt +
              d.discardedForgotten +
              d.discardedPrivateApp +
              d.discardedUnacknowledged +
              d.rejectedFuture,
            0,
          );
          expect(counters.reduce((n, d) => n + d.storedEvents, 0) + refused).toBe(uploaded.length);
        }),
        { numRuns: 40 },
      );
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { maxForgetsPerDay: 3 } });
    }
  });
});
