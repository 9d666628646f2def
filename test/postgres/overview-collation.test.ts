/**
 * The overview's rollup keys ("YYYY-MM-DD", "YYYY-MM-DDTHH:MM": ADR 0031) are
 * compared as text by range. Every key has the same format, so a language's
 * collation orders them as time does (ADR 0034): the overview read from the
 * rollups still equals the overview counted from the pauses when the key
 * columns compare as English would.
 */
import { randomUUID } from "node:crypto";
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

const KEY_COLUMNS = [
  ["PauseStartQuarter", "quarter"],
  ["PauseLengthDay", "day"],
  ["TeamPauseDay", "day"],
] as const;

describe("the overview on PostgreSQL", () => {
  test("rollups whose keys compare as English would still give the counts of the pauses", async () => {
    // This file's own database: the key columns take a language's collation.
    for (const [table, column] of KEY_COLUMNS) {
      await prisma.$executeRawUnsafe(
        `ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE text COLLATE "en-x-icu"`,
      );
    }
    const collations = await prisma.$queryRawUnsafe<{ collation_name: string }[]>(
      `SELECT collation_name::text AS collation_name FROM information_schema.columns
       WHERE (table_name, column_name) IN (('PauseStartQuarter', 'quarter'),
         ('PauseLengthDay', 'day'), ('TeamPauseDay', 'day'))`,
    );
    expect(collations.map((c) => c.collation_name)).toEqual(["en-x-icu", "en-x-icu", "en-x-icu"]);

    const now = new Date();
    const manager = await createUser({ name: `Manager ${randomUUID().slice(0, 6)}` });
    // Five people without a manager as well, so neither team is hidden as a small group.
    for (let i = 0; i < 5; i++) await createUser();
    const workers = [];
    for (let i = 0; i < 5; i++) {
      const w = await createUser();
      await prisma.user.update({ where: { id: w.id }, data: { managerId: manager.id } });
      workers.push(w);
    }
    // Pauses every 3 h 7 min over 32 days, at odd seconds, across days, months and quarter hours.
    for (let i = 0; i < 250; i++) {
      const startsAt = new Date(now.getTime() - 32 * DAY + i * 187 * MINUTE + (i % 60) * 1000);
      await prisma.pause.create({
        data: {
          workerId: workers[i % workers.length]!.id,
          kind: "SCHEDULED",
          startsAt,
          endsAt: new Date(startsAt.getTime() + (5 + (i % 26)) * MINUTE),
          cancelledAt: i % 11 === 0 ? startsAt : null,
        },
      });
    }
    for (const zone of ["UTC", "Asia/Kathmandu"]) {
      const days = reportDays(now, zone);
      const since = days[0]!.start;
      const report = await getPauseReport(now, zone);
      expect(
        report.days.map((d) => d.count),
        zone,
      ).toEqual(await countPausesPerDayFromPauses(days, now));
      expect(report.total, zone).toBeGreaterThan(0);
      const lengths = await pauseLengthsFromPauses(since, now);
      expect(report.measured, zone).toBe(lengths.reduce((sum, b) => sum + b.count, 0));
      expect(report.medianLengthMs, zone).toBe(medianOfHistogram(lengths));

      const { teams } = await getTeamReport(now, since);
      const team = teams.find((t) => t.key === manager.id);
      expect(team?.pauses, zone).toBe(
        (await countTeamPausesFromPauses(since, now)).get(manager.id),
      );
    }
  });
});
