/**
 * What each device costs the worker (issue 16, item 5; ADR 0026): the upload
 * footprint counted at ingestion, the agent's own resource reports, and the
 * devices page that shows both.
 */
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import {
  localDateKey,
  formatTime,
  previousDateKey,
  startOfLocalDay,
} from "#app/domain/local-time.ts";
import { revokeDevice } from "#app/models/device.server.ts";
import { action as eventsAction } from "#app/routes/api.agent.v1.events.ts";
import { action as usageAction } from "#app/routes/api.agent.v1.usage.ts";
import { loader as devicesLoader } from "#app/routes/devices.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { AGENT_API, enrollThroughApi } from "#test/agent-enrollment.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

const HOUR = 3_600_000;
const MB = 1024 * 1024;
const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;

function upload(token: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return callRoute(
    eventsAction,
    new Request(`${AGENT_API}/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : new Blob([new Uint8Array(body)]),
    }),
  );
}

function batchOf(count: number) {
  return {
    batchId: randomUUID(),
    events: Array.from({ length: count }, (_, i) => ({
      type: "click" as const,
      at: new Date(Date.now() - 1000 - i).toISOString(),
      app: "Editor",
      data: { n: i },
    })),
  };
}

function report(token: string, body: unknown) {
  return callRoute(
    usageAction,
    new Request(`${AGENT_API}/usage`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

type PageDevice = {
  id: string;
  footprint: {
    uploads:
      | { kind: "none"; summary: string }
      | { kind: "some"; today: string; week: string; lastUpload: string };
    resources: string;
  };
};

async function devicesPage(user: { id: string }) {
  const cookie = await sessionCookieFor(user.id);
  const page = await callRoute(devicesLoader, getRequest("/devices", { cookie }));
  expect(page.status).toBe(200);
  return (page.data as { devices: PageDevice[] }).devices;
}

const usageRows = (deviceId: string) =>
  prisma.deviceUsageHour.findMany({ where: { deviceId }, orderBy: { hour: "asc" } });

describe("upload footprint, counted at ingestion", () => {
  test("an upload adds its bytes as received, one batch and its events to its own device's hour", async () => {
    const worker = await createUser();
    const laptop = await enrollThroughApi(worker);
    const desktop = await enrollThroughApi(worker);
    const before = Date.now();

    const plain = JSON.stringify(batchOf(3));
    expect((await upload(laptop.token, plain)).status).toBe(200);
    // Gzipped, the footprint counts the compressed bytes: what crossed the network.
    const gzipped = gzipSync(JSON.stringify(batchOf(40)));
    expect((await upload(laptop.token, gzipped, { "Content-Encoding": "gzip" })).status).toBe(200);
    const after = Date.now();

    const rows = await usageRows(laptop.deviceId);
    const total = rows.reduce(
      (sum, r) => ({
        bytes: sum.bytes + Number(r.bytes),
        batches: sum.batches + r.batches,
        events: sum.events + r.events,
      }),
      { bytes: 0, batches: 0, events: 0 },
    );
    expect(total).toEqual({
      bytes: Buffer.byteLength(plain) + gzipped.byteLength,
      batches: 2,
      events: 43,
    });
    for (const row of rows) {
      expect(row.hour.getTime()).toBe(floorHour(row.lastAt.getTime()));
      expect(row.lastAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(row.lastAt.getTime()).toBeLessThanOrEqual(after);
    }
    expect(await usageRows(desktop.deviceId)).toEqual([]);
  });

  test("a resend costs its bytes and a batch again but adds no events; a refused upload counts nothing", async () => {
    const { token, deviceId, worker } = await enrollThroughApi();
    const body = JSON.stringify(batchOf(5));
    expect((await upload(token, body)).status).toBe(200);
    const resent = await upload(token, body);
    expect(resent.data).toMatchObject({ duplicate: true });
    const sum = async () => {
      const rows = await usageRows(deviceId);
      return {
        bytes: rows.reduce((s, r) => s + Number(r.bytes), 0),
        batches: rows.reduce((s, r) => s + r.batches, 0),
        events: rows.reduce((s, r) => s + r.events, 0),
      };
    };
    const counted = { bytes: 2 * Buffer.byteLength(body), batches: 2, events: 5 };
    expect(await sum()).toEqual(counted);

    // Refused: not JSON, an invalid batch, too many bytes, too many events.
    expect((await upload(token, "{not json")).status).toBe(400);
    expect((await upload(token, JSON.stringify({ batchId: "nope", events: [] }))).status).toBe(400);
    expect(
      (await upload(token, JSON.stringify({ batchId: randomUUID(), pad: "x".repeat(1024 * 1024) })))
        .status,
    ).toBe(413);
    expect(
      (
        await upload(
          token,
          JSON.stringify({ batchId: randomUUID(), events: Array.from({ length: 5001 }, () => 0) }),
        )
      ).status,
    ).toBe(413);
    expect(await sum()).toEqual(counted);

    // A revoked device's upload is refused before anything is read.
    await revokeDevice({ workerId: worker.id, deviceId, now: new Date() });
    expect((await upload(token, JSON.stringify(batchOf(1)))).status).toBe(401);
    expect(await sum()).toEqual(counted);
  });
});

describe("the devices page's footprint", () => {
  test("today and the last 7 days are summed from the hourly rows by the worker's calendar, across the midnight hour", async () => {
    const timezone = "America/New_York";
    const worker = await createUser({ timezone });
    const { deviceId } = await enrollThroughApi(worker);
    const idle = await enrollThroughApi(worker);
    const now = new Date();
    const today = localDateKey(now, timezone);
    const midnight = startOfLocalDay(today, timezone).getTime();
    const sixDaysAgo = startOfLocalDay(
      [1, 2, 3, 4, 5, 6].reduce((d) => previousDateKey(d), today),
      timezone,
    ).getTime();
    const lastAt = new Date(Math.max(floorHour(now.getTime()), now.getTime() - 1000));

    // hour → [bytes, batches]; rows that fall in one hour (just after midnight) add up.
    const rows = new Map<number, { bytes: number; batches: number; lastAt: Date }>();
    const add = (hour: number, bytes: number, batches: number, at = new Date(hour + 60_000)) => {
      const row = rows.get(hour) ?? { bytes: 0, batches: 0, lastAt: at };
      row.bytes += bytes;
      row.batches += batches;
      if (at > row.lastAt) row.lastAt = at;
      rows.set(hour, row);
    };
    add(midnight, 1 * MB, 3); // the first hour of today
    add(floorHour(now.getTime()), 0.2 * MB, 31, lastAt); // this hour
    add(midnight - HOUR, 2 * MB, 7); // the last hour of yesterday
    add(sixDaysAgo, 5 * MB, 9); // the first hour of the 7th day back
    add(sixDaysAgo - HOUR, 100 * MB, 50); // the last hour before the 7 days
    await prisma.deviceUsageHour.createMany({
      data: [...rows].map(([hour, r]) => ({
        deviceId,
        hour: new Date(hour),
        bytes: BigInt(Math.round(r.bytes)),
        batches: r.batches,
        events: 10 * r.batches,
        lastAt: r.lastAt,
      })),
    });

    const devices = await devicesPage(worker);
    const device = devices.find((d) => d.id === deviceId)!;
    expect(device.footprint.uploads).toEqual({
      kind: "some",
      today: "Uploaded today: 1.2 MB in 34 batches.",
      week: "Last 7 days: 8.2 MB in 50 batches.",
      lastUpload: `Last upload: ${formatTime(lastAt, timezone)}.`,
    });
    expect(device.footprint.resources).toBe(
      "The agent has not reported its CPU and memory use yet.",
    );
    // A device that has sent nothing says so in words.
    expect(devices.find((d) => d.id === idle.deviceId)!.footprint).toEqual({
      uploads: { kind: "none", summary: "Nothing uploaded yet." },
      resources: "The agent has not reported its CPU and memory use yet.",
    });
  });

  test("another worker's rows never reach the page", async () => {
    const mine = await enrollThroughApi();
    const theirs = await enrollThroughApi();
    expect((await upload(theirs.token, JSON.stringify(batchOf(2)))).status).toBe(200);
    const devices = await devicesPage(mine.worker);
    expect(devices.map((d) => d.id)).toEqual([mine.deviceId]);
    expect(devices[0]!.footprint.uploads).toEqual({
      kind: "none",
      summary: "Nothing uploaded yet.",
    });
  });
});

describe("POST /usage: the agent's own resource use", () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  test("a report is stored in the hour its period ends, resent reports count once, and the page shows the latest", async () => {
    const timezone = "Europe/Berlin";
    const worker = await createUser({ timezone });
    const { token, deviceId } = await enrollThroughApi(worker);
    const now = Date.now();
    const earlier = floorHour(now) - 2 * HOUR;

    const first = {
      periodStart: iso(earlier),
      periodEnd: iso(earlier + 600_000),
      cpuMs: 300,
      rssBytes: 40 * MB,
    };
    const second = {
      periodStart: iso(earlier + 600_000),
      periodEnd: iso(earlier + 1_200_000),
      cpuMs: 200,
      rssBytes: 50 * MB,
    };
    expect((await report(token, first)).data).toEqual({
      periodEnd: first.periodEnd,
      duplicate: false,
    });
    expect((await report(token, second)).status).toBe(200);
    const latest = {
      periodStart: iso(now - HOUR),
      periodEnd: iso(now),
      cpuMs: 1400,
      rssBytes: 48 * MB,
    };
    const before = Date.now();
    expect((await report(token, latest)).data).toEqual({
      periodEnd: latest.periodEnd,
      duplicate: false,
    });
    const after = Date.now();
    // The agent lost the answer and sends the same report again.
    expect((await report(token, latest)).data).toEqual({
      periodEnd: latest.periodEnd,
      duplicate: true,
    });

    const rows = await prisma.deviceResourceHour.findMany({
      where: { deviceId },
      orderBy: { hour: "asc" },
    });
    expect(rows.map((r) => r.hour.getTime())).toEqual([earlier, floorHour(now)]);
    expect(rows[0]).toMatchObject({
      reports: 2,
      cpuMs: 500n,
      coveredMs: 1_200_000n,
      peakRssBytes: BigInt(50 * MB),
      lastCpuMs: 200n,
      lastRssBytes: BigInt(50 * MB),
    });
    expect(rows[1]).toMatchObject({ reports: 1, cpuMs: 1400n, coveredMs: BigInt(HOUR) });
    const receivedAt = rows[1]!.lastReceivedAt.getTime();
    expect(receivedAt).toBeGreaterThanOrEqual(before);
    expect(receivedAt).toBeLessThanOrEqual(after);

    const [device] = await devicesPage(worker);
    expect(device!.footprint.resources).toBe(
      `Agent used 1.4 s of CPU and 48 MB of memory in the last hour (reported ${formatTime(new Date(receivedAt), timezone)}).`,
    );
  });

  test("absurd values and impossible periods are a clear 400, and nothing is stored", async () => {
    const { token, deviceId, enrolledAt } = await enrollThroughApi();
    const now = Date.now();
    const valid = {
      periodStart: iso(now - HOUR),
      periodEnd: iso(now - 1000),
      cpuMs: 1000,
      rssBytes: MB,
    };
    const refused: [unknown, string][] = [
      [{ ...valid, cpuMs: -5 }, "cpuMs"],
      [{ ...valid, cpuMs: 3600 * 64_000 + 1 }, "cpuMs"],
      [{ ...valid, cpuMs: 1.5 }, "cpuMs"],
      [{ ...valid, rssBytes: 0 }, "rssBytes"],
      [{ ...valid, rssBytes: 2 ** 40 }, "rssBytes"],
      [{ ...valid, rssBytes: "48MB" }, "rssBytes"],
      [{ ...valid, periodEnd: valid.periodStart }, "periodEnd"],
      [{ ...valid, periodStart: iso(now - 25 * HOUR) }, "periodStart"],
      [{ ...valid, periodStart: iso(now), periodEnd: iso(now + 10 * 60_000) }, "periodEnd"],
      [
        {
          ...valid,
          periodStart: iso(enrolledAt.getTime() - 26 * HOUR),
          periodEnd: iso(enrolledAt.getTime() - 25 * HOUR),
        },
        "periodStart",
      ],
      [{ cpuMs: 1 }, "periodStart"],
    ];
    for (const [body, path] of refused) {
      const res = await report(token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = (
        res.data as { error: { code: string; message: string; issues: { path: string }[] } }
      ).error;
      expect(error.code).toBe("invalid_request");
      expect(error.issues.map((i) => i.path)).toContain(path);
    }
    expect((await report(token, "{not json")).status).toBe(400);
    expect((await report(token, JSON.stringify({ ...valid, pad: "x".repeat(5000) }))).status).toBe(
      413,
    );
    expect(await prisma.deviceResourceHour.count({ where: { deviceId } })).toBe(0);
  });

  test("a period overlapping the previous report's is 409 conflict and changes nothing", async () => {
    const { token, deviceId } = await enrollThroughApi();
    const now = Date.now();
    const first = {
      periodStart: iso(now - HOUR),
      periodEnd: iso(now - 60_000),
      cpuMs: 10,
      rssBytes: MB,
    };
    expect((await report(token, first)).status).toBe(200);
    const stored = await prisma.deviceResourceHour.findMany({ where: { deviceId } });
    const overlapping = await report(token, {
      periodStart: iso(now - 30 * 60_000),
      periodEnd: iso(now),
      cpuMs: 10,
      rssBytes: MB,
    });
    expect(overlapping.status).toBe(409);
    expect(overlapping.data).toMatchObject({ error: { code: "conflict" } });
    expect(await prisma.deviceResourceHour.findMany({ where: { deviceId } })).toEqual(stored);
  });

  test("reports of one device sent at once take turns: a resend counts once, of overlapping ones only the first is kept", async () => {
    const { token, deviceId } = await enrollThroughApi();
    const now = Date.now();
    const same = {
      periodStart: iso(now - HOUR),
      periodEnd: iso(now - 1000),
      cpuMs: 10,
      rssBytes: MB,
    };
    const answers = await Promise.all(Array.from({ length: 6 }, () => report(token, same)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(
      answers.filter((a) => (a.data as { duplicate: boolean }).duplicate === false),
    ).toHaveLength(1);
    expect(await prisma.deviceResourceHour.findMany({ where: { deviceId } })).toMatchObject([
      { reports: 1, cpuMs: 10n },
    ]);

    // Six different periods, each overlapping all the others: one is kept, five are refused.
    const overlapping = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        report(token, {
          periodStart: iso(now - 1000 + i),
          periodEnd: iso(now + 60_000 + i),
          cpuMs: 20,
          rssBytes: MB,
        }),
      ),
    );
    expect(overlapping.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const rows = await prisma.deviceResourceHour.findMany({ where: { deviceId } });
    expect(rows.reduce((sum, r) => sum + r.reports, 0)).toBe(2);
  });

  test("a revoked device's token cannot report", async () => {
    const { token, deviceId, worker } = await enrollThroughApi();
    await revokeDevice({ workerId: worker.id, deviceId, now: new Date() });
    const now = Date.now();
    const res = await report(token, {
      periodStart: iso(now - HOUR),
      periodEnd: iso(now),
      cpuMs: 10,
      rssBytes: MB,
    });
    expect(res.status).toBe(401);
    expect(res.data).toMatchObject({ error: { code: "unauthorized" } });
    expect(await prisma.deviceResourceHour.count({ where: { deviceId } })).toBe(0);
  });

  test("more than 120 reports a minute from one device get 429 with Retry-After", async () => {
    const { token } = await enrollThroughApi();
    let last;
    for (let i = 0; i < 121; i++) last = await report(token, "{}");
    expect(last!.status).toBe(429);
    expect(last!.headers.get("Retry-After")).toMatch(/^\d+$/);
  });
});
