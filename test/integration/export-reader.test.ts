/**
 * The records export's reader, on whichever provider runs the suite (ADR
 * 0032): the same rows in the same order and pages, and the events as the
 * bytes the shared `eventCsvLine`/`eventNdjsonLine` write. On SQLite this
 * holds SQLite's SQL-built lines to those functions; on PostgreSQL it holds
 * the reader's order, pages and times; together: the same archive on both.
 */
import { describe, expect, test } from "vitest";
import { eventCsvLine, eventNdjsonLine, type StoredEvent } from "#app/jobs/export/event-lines.ts";
import { openExportReader } from "#app/jobs/export/export-reader.server.ts";
import { EXPORT_PAGE_ROWS } from "#app/jobs/export/export-store.ts";
import { localTimeFormatter, storedToUtc } from "#app/jobs/export/local-time-column.ts";
import type { StoredRollup } from "#app/jobs/export/section-rows.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";

const APPS = ["Editor", 'Spreadsheet, "Q4"', "Mail\nClient", "=HYPERLINK(1)", "Émile", "-x"];
const DATA = [{}, { n: 1 }, { note: 'comma, and "quotes"', line: "a\nb", tab: "\t" }, { u: "é✓" }];

/** Seeds through the model API (no ingestion): events, rollups, pauses. */
async function seededWorker(events: number, timezone = "Europe/Berlin") {
  const worker = await createUser({ timezone });
  const device = await createDevice(worker.id);
  const start = Date.parse("2026-03-29T00:55:00.000Z"); // Berlin moves to summer time at 01:00 UTC
  await prisma.event.createMany({
    data: Array.from({ length: events }, (_, i) => ({
      workerId: worker.id,
      deviceId: device.id,
      type: (["keystroke", "click", "scroll", "app_focus"] as const)[i % 4]!,
      // Several events share each time, so the order falls back on the id.
      at: new Date(start + Math.floor(i / 3) * 7_001),
      app: APPS[i % APPS.length]!,
      data: JSON.stringify(DATA[i % DATA.length]),
      receivedAt: new Date(start + i * 1_000 + 3_600_000),
    })),
  });
  return { worker, device };
}

async function readAllEvents(workerId: string, timezone: string) {
  const reader = openExportReader();
  const pages: { csv: string; ndjson: string; rows: number }[] = [];
  try {
    await reader.forEachEventPage(workerId, localTimeFormatter(timezone), async (page) => {
      pages.push(page);
    });
  } finally {
    reader.close();
  }
  return pages;
}

/** What the shared formatters write for the stored events, read through Prisma. */
async function expectedLines(workerId: string, timezone: string) {
  const local = localTimeFormatter(timezone);
  const stored = await prisma.event.findMany({
    where: { workerId },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
  const events: StoredEvent[] = stored.map((e) => ({
    ...e,
    at: e.at.toISOString(),
    receivedAt: e.receivedAt.toISOString(),
  }));
  return {
    csv: events.map((e) => eventCsvLine(e, local.zoneOfHour(e.at.slice(0, 13)))).join(""),
    ndjson: events.map(eventNdjsonLine).join(""),
  };
}

describe("the export reader's events", () => {
  test("are the shared formatters' lines of the stored rows, by time then id", async () => {
    const { worker } = await seededWorker(300);
    const pages = await readAllEvents(worker.id, "Europe/Berlin");
    const expected = await expectedLines(worker.id, "Europe/Berlin");
    expect(pages.map((p) => p.csv).join("")).toBe(expected.csv);
    expect(pages.map((p) => p.ndjson).join("")).toBe(expected.ndjson);
    // The local column crosses the switch to summer time.
    expect(expected.csv).toContain("T01:59:");
    expect(expected.csv).toContain("T03:00:");
    expect(expected.csv).toContain(`"'=HYPERLINK(1)"`);
    expect(expected.csv).toContain(`"Mail\nClient"`);
  });

  test("a zone whose offset is not whole hours gets each event's own offset", async () => {
    const { worker } = await seededWorker(40, "Asia/Kathmandu");
    const pages = await readAllEvents(worker.id, "Asia/Kathmandu");
    const expected = await expectedLines(worker.id, "Asia/Kathmandu");
    expect(pages.map((p) => p.csv).join("")).toBe(expected.csv);
    expect(expected.csv).toContain("+05:45");
  });

  test(`come in pages of ${EXPORT_PAGE_ROWS}, none of another worker's`, async () => {
    const { worker } = await seededWorker(EXPORT_PAGE_ROWS + 1);
    await seededWorker(20); // someone else
    const pages = await readAllEvents(worker.id, "Europe/Berlin");
    expect(pages.map((p) => p.rows)).toEqual([EXPORT_PAGE_ROWS, 1]);
    for (const page of pages) {
      expect(page.ndjson.split("\n").length - 1).toBe(page.rows);
    }
    const expected = await expectedLines(worker.id, "Europe/Berlin");
    expect(pages.map((p) => p.ndjson).join("")).toBe(expected.ndjson);
  });
});

describe("the export reader's small sections", () => {
  test("devices, pauses, rollups and counts are the stored rows, in byte order", async () => {
    const { worker, device } = await seededWorker(6);
    const second = await createDevice(worker.id, { name: "Second" });
    await prisma.device.update({
      where: { id: second.id },
      data: { lastSeenAt: new Date("2026-03-29T08:00:00.123Z"), storedEvents: 7 },
    });
    const hour = new Date("2026-03-29T00:00:00.000Z");
    // Apps whose byte order differs from most languages' collation.
    const apps = ["alpha", "Zed", "Émile", "_x", "zeta"];
    await prisma.eventRollup.createMany({
      data: apps.flatMap((app, i) => [
        { workerId: worker.id, deviceId: device.id, type: "click", app, hour, count: i + 1 },
        {
          workerId: worker.id,
          deviceId: device.id,
          type: "click",
          app,
          hour: new Date(hour.getTime() - 3_600_000),
          count: 10,
        },
      ]),
    });
    for (const [i, startsAt] of [
      "2026-03-29T10:00:00.000Z",
      "2026-03-29T09:00:00.000Z",
    ].entries()) {
      await prisma.pause.create({
        data: {
          workerId: worker.id,
          kind: "NOW",
          startsAt: new Date(startsAt),
          endsAt: new Date(Date.parse(startsAt) + 300_000),
          cancelledAt: i === 0 ? new Date(startsAt) : null,
        },
      });
    }

    const reader = openExportReader();
    try {
      expect(await reader.countSectionRows(worker.id)).toEqual({
        events: 10 * apps.length + (1 + 2 + 3 + 4 + 5),
        rollups: 2 * apps.length,
        pauses: 2,
      });

      const devices = await reader.readDevices(worker.id);
      expect(devices.map((d) => d.id)).toEqual([device.id, second.id]);
      expect(storedToUtc(devices[1]!.lastSeenAt!)).toBe("2026-03-29T08:00:00.123Z");
      expect(devices[0]!.lastSeenAt).toBeNull();
      expect(devices[1]!.storedEvents).toBe(7);
      expect(JSON.stringify(devices)).not.toContain("tokenHash");

      const pauses = await reader.readPauses(worker.id);
      expect(pauses.map((p) => [storedToUtc(p.startsAt), p.kind, p.cancelledAt !== null])).toEqual([
        ["2026-03-29T09:00:00.000Z", "NOW", false],
        ["2026-03-29T10:00:00.000Z", "NOW", true],
      ]);

      const rollups: StoredRollup[] = [];
      for await (const r of reader.readRollups(worker.id)) rollups.push(r);
      const byteOrder = [...apps].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(rollups.map((r) => [storedToUtc(r.hour), r.app, r.count])).toEqual([
        ...byteOrder.map((app) => ["2026-03-28T23:00:00.000Z", app, 10]),
        ...byteOrder.map((app) => ["2026-03-29T00:00:00.000Z", app, apps.indexOf(app) + 1]),
      ]);
    } finally {
      reader.close();
    }
  });
});
