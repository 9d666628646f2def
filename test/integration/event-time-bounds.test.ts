/**
 * Event times are bounded where they enter (not long before the device was
 * enrolled), and the export's work follows the data, not the span of time it
 * covers: one event dated decades back froze the whole server for seconds,
 * one dated year 0 for minutes.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { EARLIEST_BEFORE_ENROLLMENT_MS } from "#app/domain/ingest-rules.ts";
import { openExportReader } from "#app/jobs/export/export-reader.server.ts";
import { localTimeFormatter } from "#app/jobs/export/local-time-column.ts";
import { action as eventsAction } from "#app/routes/api.agent.v1.events.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";
import { enrollThroughApi, AGENT_API } from "#test/agent-enrollment.ts";
import { callRoute } from "#test/route-harness.ts";

const BASE = AGENT_API;

function upload(token: string, times: Date[]) {
  return callRoute(
    eventsAction,
    new Request(`${BASE}/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        batchId: randomUUID(),
        events: times.map((at) => ({ type: "click", at: at.toISOString(), app: "Editor" })),
      }),
    }),
  );
}

describe("event times at ingestion", () => {
  test("a batch with an event dated long before the device was enrolled is refused whole", async () => {
    const { token, deviceId, enrolledAt } = await enrollThroughApi();
    for (const at of [
      new Date("1970-01-01T00:00:00Z"),
      new Date("0000-01-01T00:00:00Z"),
      new Date(enrolledAt.getTime() - EARLIEST_BEFORE_ENROLLMENT_MS - 1),
    ]) {
      const res = await upload(token, [new Date(), at]);
      expect(res.status).toBe(400);
      expect(res.data).toMatchObject({ error: { code: "invalid_request" } });
      expect(JSON.stringify(res.data)).toContain("before this device was enrolled");
    }
    expect(await prisma.event.count({ where: { deviceId } })).toBe(0);
    expect(await prisma.eventBatch.count({ where: { deviceId } })).toBe(0);
  });

  test("events up to a day before enrollment (a clock a little behind) are accepted", async () => {
    const { token, enrolledAt } = await enrollThroughApi();
    const res = await upload(token, [
      new Date(enrolledAt.getTime() - EARLIEST_BEFORE_ENROLLMENT_MS + 60_000),
    ]);
    expect(res.status).toBe(200);
  });
});

describe("the export's local-time table", () => {
  test("is filled for the hours that hold events, however far apart they are", async () => {
    const worker = await createUser({ timezone: "Europe/Berlin" });
    const device = await createDevice(worker.id);
    // Stored before the bound existed: one event in 1970, two in one hour of 2026.
    const times = ["1970-01-01T00:30:00Z", "2026-06-01T10:05:00Z", "2026-06-01T10:55:00Z"];
    for (const at of times) {
      await prisma.event.create({
        data: {
          workerId: worker.id,
          deviceId: device.id,
          type: "click",
          app: "Editor",
          at: new Date(at),
          data: "{}",
          receivedAt: new Date(),
        },
      });
    }
    const local = localTimeFormatter("Europe/Berlin");
    const asked: string[] = [];
    const counting = Object.assign((stored: string) => local(stored), {
      zoneOfHour: (hour: string) => {
        asked.push(hour);
        return local.zoneOfHour(hour);
      },
    });
    const db = openExportReader();
    const lines: string[] = [];
    try {
      await db.forEachEventPage(worker.id, counting, async (page) => {
        lines.push(...page.csv.trim().split("\n"));
      });
    } finally {
      db.close();
    }
    expect(asked).toEqual(["1970-01-01T00", "2026-06-01T10"]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain("1970-01-01T01:30:00"); // Berlin, UTC+1 then
    expect(lines[1]).toContain("2026-06-01T12:05:00"); // Berlin, UTC+2 in June
  });

  test("an hour in which the offset changes gives each event the offset it had", async () => {
    // Adelaide went back from 03:00 +10:30 to 02:00 +09:30 at 16:30 UTC: mid-hour.
    const worker = await createUser({ timezone: "Australia/Adelaide" });
    const device = await createDevice(worker.id);
    const times = [
      "2025-04-05T16:15:00Z",
      "2025-04-05T16:29:59.999Z",
      "2025-04-05T16:30:00Z",
      "2025-04-05T16:45:00Z",
    ];
    for (const at of times) {
      await prisma.event.create({
        data: {
          workerId: worker.id,
          deviceId: device.id,
          type: "click",
          app: "Editor",
          at: new Date(at),
          data: "{}",
          receivedAt: new Date(),
        },
      });
    }
    const local = localTimeFormatter("Australia/Adelaide");
    const db = openExportReader();
    const lines: string[] = [];
    try {
      await db.forEachEventPage(worker.id, local, async (page) => {
        lines.push(...page.csv.trim().split("\n"));
      });
    } finally {
      db.close();
    }
    const localColumn = lines.map((line) => line.split(",")[2]);
    expect(localColumn).toEqual([
      "2025-04-06T02:45:00.000+10:30",
      "2025-04-06T02:59:59.999+10:30",
      "2025-04-06T02:00:00.000+09:30",
      "2025-04-06T02:15:00.000+09:30",
    ]);
    // SQLite's column and the formatter the other CSV files use agree.
    expect(localColumn).toEqual(times.map((at) => local(new Date(at).toISOString())));
  });
});
