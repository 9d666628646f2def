/**
 * The PostgreSQL export reader sorts text keys in byte order, as SQLite does,
 * whatever collation the database or column has (ADR 0032, ADR 0033): a
 * database created with a language's collation would otherwise put the same
 * rollups, devices and pauses in another order than SQLite, and the archive's
 * files would differ.
 */
import { describe, expect, test } from "vitest";
import { openExportReader } from "#app/jobs/export/export-reader.server.ts";
import type { StoredRollup } from "#app/jobs/export/section-rows.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";

describe("the export reader on PostgreSQL", () => {
  test("rollups come in byte order under a language's collation", async () => {
    // This file's own database: the rollups' text keys compare as English would.
    for (const column of ["deviceId", "type", "app"]) {
      await prisma.$executeRawUnsafe(
        `ALTER TABLE "EventRollup" ALTER COLUMN "${column}" TYPE text COLLATE "en-x-icu"`,
      );
    }
    const apps = ["alpha", "Zed", "Émile", "_x", "zeta", "Alpha"];
    const inEnglish = await prisma.$queryRawUnsafe<{ app: string }[]>(
      `SELECT "app" FROM unnest($1::text[]) AS t("app") ORDER BY "app" COLLATE "en-x-icu"`,
      apps,
    );
    const byteOrder = [...apps].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    // The collation does change the order: otherwise this test would prove nothing.
    expect(inEnglish.map((r) => r.app)).not.toEqual(byteOrder);

    const worker = await createUser();
    const device = await createDevice(worker.id);
    const hour = new Date("2026-03-29T00:00:00.000Z");
    await prisma.eventRollup.createMany({
      data: apps.map((app) => ({
        workerId: worker.id,
        deviceId: device.id,
        type: "click",
        app,
        hour,
        count: 1,
      })),
    });
    const reader = openExportReader();
    const rollups: StoredRollup[] = [];
    try {
      for await (const r of reader.readRollups(worker.id)) rollups.push(r);
    } finally {
      reader.close();
    }
    expect(rollups.map((r) => r.app)).toEqual(byteOrder);
  });
});
