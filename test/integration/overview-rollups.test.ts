/**
 * The overview's pause rollups (PauseStartQuarter, PauseLengthDay,
 * TeamPauseDay: ADR 0031) are kept by database triggers. After any mix of
 * writes they must equal counting the pauses, and the overview read from
 * them must equal the overview counted from the pauses.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { medianOfHistogram } from "#app/domain/reporting.ts";
import {
  countPausesPerDayFromPauses,
  countTeamPausesFromPauses,
  getPauseReport,
  getTeamReport,
  pauseLengthsFromPauses,
  reportDays,
} from "#app/models/reporting.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser } from "#test/fixtures.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const pad = (n: number) => String(n).padStart(2, "0");
const quarterOf = (t: Date) =>
  `${t.toISOString().slice(0, 14)}${pad(Math.floor(t.getUTCMinutes() / 15) * 15)}`;
const dayOf = (t: Date) => t.toISOString().slice(0, 10);

function tally(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

/** What the three rollups must hold, counted here from every pause and person. */
async function expectedRollups() {
  const pauses = await prisma.pause.findMany({
    where: { cancelledAt: null },
    select: {
      startsAt: true,
      lengthSeconds: true,
      worker: { select: { managerId: true, deactivatedAt: true } },
    },
  });
  return {
    quarters: tally(pauses.map((p) => quarterOf(p.startsAt))),
    lengths: tally(
      pauses
        .filter((p) => p.lengthSeconds !== null)
        .map((p) => `${dayOf(p.startsAt)} ${p.lengthSeconds}`),
    ),
    teams: tally(
      pauses
        .filter((p) => p.worker.deactivatedAt === null)
        .map((p) => `${dayOf(p.startsAt)} ${p.worker.managerId ?? ""}`),
    ),
  };
}

async function storedRollups() {
  const [quarters, lengths, teams] = await Promise.all([
    prisma.pauseStartQuarter.findMany(),
    prisma.pauseLengthDay.findMany(),
    prisma.teamPauseDay.findMany(),
  ]);
  return {
    quarters: Object.fromEntries(quarters.map((r) => [r.quarter, r.count])),
    lengths: Object.fromEntries(lengths.map((r) => [`${r.day} ${r.lengthSeconds}`, r.count])),
    teams: Object.fromEntries(teams.map((r) => [`${r.day} ${r.managerKey}`, r.count])),
  };
}

const operation = fc.oneof(
  fc.record({
    op: fc.constant("start" as const),
    who: fc.nat(5),
    // From 32 days ago to an hour ahead, at any second (quarter hours and UTC days crossed).
    startAgoSeconds: fc.integer({ min: -3600, max: 32 * 24 * 3600 }),
    minutes: fc.integer({ min: 1, max: 30 }),
    cancelled: fc.boolean(),
  }),
  fc.record({ op: fc.constant("cancel" as const), which: fc.nat() }),
  fc.record({
    op: fc.constant("endEarly" as const),
    which: fc.nat(),
    afterSeconds: fc.integer({ min: -60, max: 40 * 60 }),
  }),
  fc.record({
    op: fc.constant("move" as const),
    which: fc.nat(),
    bySeconds: fc.integer({ min: -2 * 24 * 3600, max: 2 * 24 * 3600 }),
  }),
  fc.record({ op: fc.constant("delete" as const), which: fc.nat() }),
  fc.record({ op: fc.constant("manager" as const), who: fc.nat(5), to: fc.nat(2) }),
  fc.record({ op: fc.constant("deactivate" as const), who: fc.nat(5), active: fc.boolean() }),
  fc.record({ op: fc.constant("deleteWorker" as const), who: fc.nat(5) }),
);

describe("the overview's pause rollups", () => {
  test("property: after any mix of pauses started, cancelled, ended early, moved and deleted, and people moved, deactivated and deleted, each rollup equals counting the pauses", async () => {
    const now = new Date();
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 3, maxLength: 25 }), async (ops) => {
        const tag = randomUUID().slice(0, 6);
        const managers = [await createUser({ name: `Manager A ${tag}` })];
        managers.push(await createUser({ name: `Manager B ${tag}` }));
        const people = [];
        for (let i = 0; i < 6; i++) {
          const p = await createUser({ name: `Person ${i} ${tag}` });
          await prisma.user.update({
            where: { id: p.id },
            data: { managerId: i < 3 ? managers[0]!.id : i < 5 ? managers[1]!.id : null },
          });
          people.push(p);
        }
        const pauses: string[] = [];
        // Everyone starts with pauses of their own, for the moves between teams to carry.
        for (const [i, p] of people.entries()) {
          for (const daysAgo of [1, 9]) {
            const startsAt = new Date(now.getTime() - daysAgo * DAY - i * 7 * MINUTE);
            const created = await prisma.pause.create({
              data: {
                workerId: p.id,
                kind: "NOW",
                startsAt,
                endsAt: new Date(startsAt.getTime() + 20 * MINUTE),
              },
            });
            pauses.push(created.id);
          }
        }
        const deleted = new Set<number>();
        const pick = (n: number) => (pauses.length ? pauses[n % pauses.length] : undefined);
        for (const o of ops) {
          if (o.op === "start") {
            if (deleted.has(o.who)) continue;
            const startsAt = new Date(now.getTime() - o.startAgoSeconds * 1000);
            const created = await prisma.pause.create({
              data: {
                workerId: people[o.who]!.id,
                kind: "NOW",
                startsAt,
                endsAt: new Date(startsAt.getTime() + o.minutes * MINUTE),
                cancelledAt: o.cancelled ? startsAt : null,
              },
            });
            pauses.push(created.id);
            continue;
          }
          if (o.op === "manager" || o.op === "deactivate" || o.op === "deleteWorker") {
            const where = { id: people[o.who]!.id };
            if (o.op === "manager") {
              const managerId = o.to < managers.length ? managers[o.to]!.id : null;
              await prisma.user.updateMany({ where, data: { managerId } });
            } else if (o.op === "deactivate") {
              const deactivatedAt = o.active ? null : now;
              await prisma.user.updateMany({ where, data: { deactivatedAt } });
            } else {
              await prisma.user.deleteMany({ where });
              deleted.add(o.who);
            }
            continue;
          }
          const id = pick(o.which);
          if (!id) continue;
          const pause = await prisma.pause.findUnique({ where: { id } });
          if (!pause) continue;
          if (o.op === "cancel") {
            await prisma.pause.update({ where: { id }, data: { cancelledAt: now } });
          } else if (o.op === "endEarly") {
            const endedEarlyAt = new Date(pause.startsAt.getTime() + o.afterSeconds * 1000);
            await prisma.pause.update({ where: { id }, data: { endedEarlyAt } });
          } else if (o.op === "move") {
            const by = o.bySeconds * 1000;
            await prisma.pause.update({
              where: { id },
              data: {
                startsAt: new Date(pause.startsAt.getTime() + by),
                endsAt: new Date(pause.endsAt.getTime() + by),
              },
            });
          } else {
            await prisma.pause.delete({ where: { id } });
          }
        }
        expect(await storedRollups()).toEqual(await expectedRollups());
      }),
      { numRuns: 30 },
    );
  });

  test("the overview read from the rollups equals the overview counted from the pauses, in zones whose midnight is not a UTC hour", async () => {
    const now = new Date();
    const manager = await createUser({ name: `Manager ${randomUUID().slice(0, 6)}` });
    const workers = [];
    for (let i = 0; i < 6; i++) {
      const w = await createUser();
      await prisma.user.update({ where: { id: w.id }, data: { managerId: manager.id } });
      workers.push(w);
    }
    // Pauses every 97 minutes over 32 days, at odd seconds: some cancelled, some ended early.
    for (let i = 0; i < 480; i++) {
      const startsAt = new Date(now.getTime() - 32 * DAY + i * 97 * MINUTE + (i % 60) * 1000);
      await prisma.pause.create({
        data: {
          workerId: workers[i % workers.length]!.id,
          kind: "SCHEDULED",
          startsAt,
          endsAt: new Date(startsAt.getTime() + (5 + (i % 26)) * MINUTE),
          endedEarlyAt: i % 7 === 0 ? new Date(startsAt.getTime() + (i % 300) * 1000) : null,
          cancelledAt: i % 11 === 0 ? startsAt : null,
        },
      });
    }
    // And one in the quarter hour running now.
    await prisma.pause.create({
      data: {
        workerId: workers[0]!.id,
        kind: "NOW",
        startsAt: new Date(now.getTime() - 1000),
        endsAt: new Date(now.getTime() + 10 * MINUTE),
      },
    });
    for (const zone of [
      "UTC",
      "Europe/Berlin",
      "Asia/Kathmandu",
      "Australia/Eucla",
      "America/St_Johns",
    ]) {
      const days = reportDays(now, zone);
      const since = days[0]!.start;
      const report = await getPauseReport(now, zone);
      expect(
        report.days.map((d) => d.count),
        zone,
      ).toEqual(await countPausesPerDayFromPauses(days, now));
      const lengths = await pauseLengthsFromPauses(since, now);
      expect(report.measured, zone).toBe(lengths.reduce((sum, b) => sum + b.count, 0));
      expect(report.medianLengthMs, zone).toBe(medianOfHistogram(lengths));

      const direct = await countTeamPausesFromPauses(since, now);
      const { teams } = await getTeamReport(now, since);
      const team = teams.find((t) => t.key === manager.id);
      expect(team?.pauses, zone).toBe(direct.get(manager.id));
      expect(team?.pauses, zone).toBeGreaterThan(0);
    }
  });
});
