import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { localTimeFormatter } from "#app/jobs/export/local-time-column.ts";
import { recoverInterruptedExports, runNextExport } from "#app/jobs/export-runner.server.ts";
import { issueDeletionReceipt } from "#app/models/deletion-receipt.server.ts";
import { forgetRecent } from "#app/models/forget.server.ts";
import { createPause } from "#app/models/pause.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import {
  exportFilePath,
  partialFilePath,
  requestExport,
} from "#app/models/record-export.server.ts";
import { verifyReceiptFile } from "#app/receipts/receipt.ts";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { loader as deletionReceiptLoader } from "#app/routes/data.deletions.$receiptId[.json].ts";
import { loader as downloadLoader } from "#app/routes/records.$exportId.download.ts";
import { action as recordsAction } from "#app/routes/records._index.tsx";
import { action as staffAction } from "#app/routes/review.records.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest, TEST_CONTEXT } from "#test/route-harness.ts";

const H = 3_600_000;

async function person(role: "WORKER" | "REVIEWER" | "ADMIN" = "WORKER", name = "Export Person") {
  const user = await createUser({ role, name, timezone: "Europe/Berlin" });
  return { user, cookie: await sessionCookieFor(user.id) };
}

/** A worker with a device, events (some with awkward CSV characters), a pause and rollups. */
async function workerWithData(events = 120) {
  const w = await person();
  const device = await createDevice(w.user.id);
  const now = new Date();
  await createPause({
    workerId: w.user.id,
    timeZone: "Europe/Berlin",
    request: { kind: "NOW", durationMinutes: 5 },
    now: new Date(now.getTime() - 3 * H),
  });
  const apps = ["Editor", 'Spreadsheet, "Q4"', "Mail\nClient"];
  await ingestBatch(
    { id: device.id, workerId: w.user.id },
    {
      batchId: randomUUID(),
      events: Array.from({ length: events }, (_, i) => ({
        type: (["keystroke", "click", "scroll", "app_focus"] as const)[i % 4]!,
        at: new Date(now.getTime() - 2 * H + i * 1000).toISOString(),
        app: apps[i % apps.length]!,
        data: { n: i, note: i % 7 === 0 ? 'comma, and "quotes"' : "plain" },
      })),
    },
    now,
  );
  return { ...w, device };
}

async function exported(workerId: string, requesterId = workerId) {
  const res = await requestExport({
    workerId,
    requester: { id: requesterId },
    reason: requesterId === workerId ? null : "Regulator request reference 2026-117.",
    purposeId: requesterId === workerId ? null : "purpose-records-request-1",
    now: new Date(),
  });
  if (!res.ok) throw new Error(res.refusal.message);
  expect(await runNextExport()).toBe(true);
  return res.id;
}

function unzip(file: string, ...args: string[]): Buffer {
  return execFileSync("unzip", [...args, file], { maxBuffer: 512 * 1024 * 1024 });
}

function member(file: string, name: string): Buffer {
  return execFileSync("unzip", ["-p", file, name], { maxBuffer: 512 * 1024 * 1024 });
}

type Manifest = { files: { name: string; rows: number; sha256: string; bytes: number }[] };

describe("the archive", () => {
  test("opens with unzip; every manifest file exists with its row count and SHA-256", async () => {
    const w = await workerWithData();
    const id = await exported(w.user.id);
    const row = await prisma.recordExport.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "COMPLETE" });
    expect(row.writtenRows).toBe(row.totalRows);
    const file = exportFilePath(id);
    expect(unzip(file, "-t").toString()).toMatch(/No errors detected/);
    const manifest = JSON.parse(member(file, "manifest.json").toString()) as Manifest & {
      workerId: string;
      schemaVersion: number;
    };
    expect(manifest).toMatchObject({ workerId: w.user.id, schemaVersion: 1 });
    const names = manifest.files.map((f) => f.name).sort();
    expect(names).toEqual(
      [
        "README.txt",
        "access-log.json",
        "acknowledgements.json",
        "audit.json",
        "devices.json",
        "events.csv",
        "events.ndjson",
        "exemptions.json",
        "pauses.csv",
        "pauses.json",
        "profile.json",
        "rollups.csv",
      ].sort(),
    );
    for (const f of manifest.files) {
      const data = member(file, f.name);
      expect(createHash("sha256").update(data).digest("hex"), f.name).toBe(f.sha256);
      expect(data.length, f.name).toBe(f.bytes);
      const text = data.toString("utf8");
      if (f.name.endsWith(".json")) {
        const value = JSON.parse(text) as unknown;
        // A list holds one row per element; a receipt is one record.
        expect(Array.isArray(value) ? value.length : 1, f.name).toBe(f.rows);
      }
      if (f.name.endsWith(".ndjson"))
        expect(text.trimEnd().split("\n").length, f.name).toBe(f.rows);
    }
    const csvRows = manifest.files.find((f) => f.name === "events.csv")!.rows;
    expect(csvRows).toBe(120);
  });

  test("every deletion receipt is a file of deletion-receipts/, byte for byte its download, and verifies", async () => {
    const w = await workerWithData(10);
    const now = new Date();
    const forgot = await forgetRecent({
      workerId: w.user.id,
      timeZone: "Europe/Berlin",
      minutes: 15,
      now,
    });
    if (!forgot.ok) throw new Error(forgot.refusal.message);
    await prisma.$transaction((tx) =>
      issueDeletionReceipt(
        tx,
        w.user.id,
        {
          kind: "retention",
          from: null,
          to: new Date(now.getTime() - 30 * 24 * H),
          app: null,
          events: 12,
          hourlyRollupRows: 3,
          dailyRollupRows: 1,
        },
        new Date(now.getTime() + 1000),
      ),
    );
    // Someone else's receipt stays out of it.
    const other = await workerWithData(1);
    await forgetRecent({ workerId: other.user.id, timeZone: "UTC", minutes: 5, now });

    const file = exportFilePath(await exported(w.user.id));
    const manifest = JSON.parse(member(file, "manifest.json").toString()) as Manifest;
    const receiptFiles = manifest.files.filter((f) => f.name.startsWith("deletion-receipts/"));
    const stored = await prisma.deletionReceipt.findMany({
      where: { workerId: w.user.id },
      orderBy: { createdAt: "asc" },
    });
    expect(stored).toHaveLength(2);
    expect(receiptFiles.map((f) => f.name)).toEqual(
      stored.map(
        (r) =>
          `deletion-receipts/lull-deletion-receipt-${r.kind === "FORGET" ? "forget" : "retention"}-${r.createdAt.toISOString().slice(0, 10)}-${r.id}.json`,
      ),
    );
    for (const [i, row] of stored.entries()) {
      const inArchive = member(file, receiptFiles[i]!.name).toString("utf8");
      expect(receiptFiles[i]!.rows).toBe(1);
      const downloaded = (await deletionReceiptLoader({
        request: getRequest(`/data/deletions/${row.id}.json`, { cookie: w.cookie }),
        params: { receiptId: row.id },
        context: TEST_CONTEXT,
      })) as Response;
      expect(downloaded.headers.get("Content-Disposition")).toContain(
        path.basename(receiptFiles[i]!.name),
      );
      expect(inArchive).toBe(await downloaded.text());
      const verified = verifyReceiptFile(inArchive, receiptPublicKey().publicKeyPem);
      expect(verified.ok && verified.payload.format).toBe("lull-deletion-receipt/1");
    }
  });

  test("the events are exactly the worker's events, none of another worker's", async () => {
    const w = await workerWithData(80);
    await workerWithData(30); // someone else
    const id = await exported(w.user.id);
    const lines = member(exportFilePath(id), "events.ndjson").toString().trimEnd().split("\n");
    const exportedEvents = lines.map(
      (l) => JSON.parse(l) as { id: number; app: string; data: unknown },
    );
    const stored = await prisma.event.findMany({
      where: { workerId: w.user.id },
      orderBy: { id: "asc" },
    });
    expect(exportedEvents.map((e) => e.id).sort((a, b) => a - b)).toEqual(stored.map((e) => e.id));
    const byId = new Map(exportedEvents.map((e) => [e.id, e]));
    for (const e of stored) {
      expect(byId.get(e.id)!.app).toBe(e.app);
      expect(byId.get(e.id)!.data).toEqual(JSON.parse(e.data));
    }
    // The CSV holds the same rows, RFC 4180-quoted (commas, quotes and line breaks survive).
    const csv = member(exportFilePath(id), "events.csv").toString();
    expect(csv.startsWith("id,at_utc,at_local,device_id,type,app,data,received_at_utc\r\n")).toBe(
      true,
    );
    expect(csv).toContain('"Spreadsheet, ""Q4"""');
    expect(csv).toContain('"Mail\nClient"');
    // Each row's local time is the worker's wall clock (Europe/Berlin) with its offset.
    const format = localTimeFormatter("Europe/Berlin");
    const atById = new Map(stored.map((e) => [e.id, toStoredDateTime(e.at)]));
    const rowsWithTimes = csv
      .split("\r\n")
      .slice(1)
      .filter((l) => /^\d+,/.test(l));
    expect(rowsWithTimes.length).toBe(stored.length);
    for (const line of rowsWithTimes) {
      const [id, atUtc, atLocal] = line.split(",");
      expect(atUtc).toBe(atById.get(Number(id))!.slice(0, 23) + "Z");
      expect(atLocal).toBe(format(atById.get(Number(id))!));
    }
  });

  test("no token, token hash, session or password hash appears anywhere in the archive", async () => {
    const w = await workerWithData(10);
    const id = await exported(w.user.id);
    const secrets = [
      w.device.tokenHash,
      (await prisma.password.findUniqueOrThrow({ where: { userId: w.user.id } })).hash,
      ...(await prisma.session.findMany({ where: { userId: w.user.id } })).map((s) => s.id),
    ];
    const dir = execFileSync("mktemp", ["-d"]).toString().trim();
    execFileSync("unzip", ["-q", exportFilePath(id), "-d", dir]);
    const all = execFileSync(
      "cat",
      execFileSync("ls", [dir])
        .toString()
        .trim()
        .split("\n")
        .map((f) => `${dir}/${f}`),
    ).toString();
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/\$argon2/);
    execFileSync("rm", ["-rf", dir]);
  });
});

describe("limits and access", () => {
  test("one export at a time, and the fourth of the day is refused with a clear message", async () => {
    const w = await person();
    const first = await requestExport({
      workerId: w.user.id,
      requester: { id: w.user.id },
      reason: null,
      now: new Date(),
    });
    expect(first.ok).toBe(true);
    const meanwhile = await callRoute(
      recordsAction,
      formRequest("/records", { intent: "export" }, { cookie: w.cookie }),
    );
    expect(meanwhile.status).toBe(429);
    expect(meanwhile.data).toMatchObject({
      error: expect.stringMatching(/already being prepared/),
    });
    await runNextExport();
    for (let i = 0; i < 2; i++) {
      const res = await callRoute(
        recordsAction,
        formRequest("/records", { intent: "export" }, { cookie: w.cookie }),
      );
      expect(res.status).toBe(302);
      await runNextExport();
    }
    const fourth = await callRoute(
      recordsAction,
      formRequest("/records", { intent: "export" }, { cookie: w.cookie }),
    );
    expect(fourth.status).toBe(429);
    expect(fourth.data).toMatchObject({ error: expect.stringMatching(/3 times a day/) });
    expect(await prisma.recordExport.count({ where: { workerId: w.user.id } })).toBe(3);
  });

  test("worker A's download link is 404 for worker B", async () => {
    const a = await workerWithData(5);
    const b = await person();
    const id = await exported(a.user.id);
    const mine = await callRoute(
      downloadLoader,
      getRequest(`/records/${id}/download`, { cookie: a.cookie }),
      {
        params: { exportId: id },
      },
    );
    expect(mine.status).toBe(200);
    expect(mine.headers.get("Content-Type")).toBe("application/zip");
    const theirs = await callRoute(
      downloadLoader,
      getRequest(`/records/${id}/download`, { cookie: b.cookie }),
      {
        params: { exportId: id },
      },
    );
    expect(theirs.status).toBe(404);
  });

  test("an export interrupted mid-way is never served; it is restarted once, then marked failed", async () => {
    const w = await workerWithData(5);
    const res = await requestExport({
      workerId: w.user.id,
      requester: { id: w.user.id },
      reason: null,
      now: new Date(),
    });
    if (!res.ok) throw new Error(res.refusal.message);
    // As if the process died while writing: RUNNING, half a file on disk.
    await prisma.recordExport.update({
      where: { id: res.id },
      data: { status: "RUNNING", attempts: 1, writtenRows: 3 },
    });
    writeFileSync(partialFilePath(res.id, 1), "PK half an archive");
    const download = () =>
      callRoute(downloadLoader, getRequest(`/records/${res.id}/download`, { cookie: w.cookie }), {
        params: { exportId: res.id },
      });
    expect((await download()).status).toBe(404);
    await recoverInterruptedExports();
    expect(await prisma.recordExport.findUniqueOrThrow({ where: { id: res.id } })).toMatchObject({
      status: "QUEUED",
      writtenRows: 0,
    });
    expect((await download()).status).toBe(404);
    // Interrupted again on its second attempt: failed, with a message, never "running" forever.
    await prisma.recordExport.update({
      where: { id: res.id },
      data: { status: "RUNNING", attempts: 2 },
    });
    await recoverInterruptedExports();
    const failed = await prisma.recordExport.findUniqueOrThrow({ where: { id: res.id } });
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/interrupted/);
    expect((await download()).status).toBe(404);
  });

  test("a reviewer exports a worker's records through the same path, recorded in the worker's access log", async () => {
    const w = await workerWithData(5);
    const reviewer = await person("REVIEWER", "Reviewing Person");
    const worker = await prisma.user.findUniqueOrThrow({ where: { id: w.user.id } });
    const res = await callRoute(
      staffAction,
      formRequest(
        "/review/records",
        {
          email: worker.email,
          reason: "Data protection authority case DPA-2026-117.",
          purpose: "records-request",
        },
        { cookie: reviewer.cookie },
      ),
    );
    expect(res.status).toBe(302);
    await runNextExport();
    const exp = await prisma.recordExport.findFirstOrThrow({ where: { workerId: w.user.id } });
    expect(exp).toMatchObject({ status: "COMPLETE", requestedById: reviewer.user.id });
    const download = await callRoute(
      downloadLoader,
      getRequest(`/records/${exp.id}/download`, { cookie: reviewer.cookie }),
      { params: { exportId: exp.id } },
    );
    expect(download.status).toBe(200);
    const log = JSON.stringify(
      (await callRoute(accessLoader, getRequest("/data/access", { cookie: w.cookie }))).data,
    );
    expect(log).toContain("Exported personal records");
    expect(log).toContain("Downloaded an export of personal records");
    // A worker cannot use the staff page.
    const denied = await callRoute(
      staffAction,
      formRequest(
        "/review/records",
        { email: "x@example.test", reason: "x".repeat(30) },
        { cookie: w.cookie },
      ),
    );
    expect(denied.status).toBe(403);
  });

  test("a reviewer's exports leave the worker's own three of the day untouched", async () => {
    const w = await person();
    const reviewer = await person("REVIEWER", "Reviewing Person");
    const staffExport = () =>
      callRoute(
        staffAction,
        formRequest(
          "/review/records",
          {
            email: w.user.email,
            reason: "Data protection authority case DPA-2026-117.",
            purpose: "records-request",
          },
          { cookie: reviewer.cookie },
        ),
      );
    const ownExport = () =>
      callRoute(recordsAction, formRequest("/records", { intent: "export" }, { cookie: w.cookie }));
    // Three staff exports of this worker today, each run to the end.
    for (let i = 0; i < 3; i++) {
      expect((await staffExport()).status).toBe(302);
      await runNextExport();
    }
    // The worker still has all three of their own.
    for (let i = 0; i < 3; i++) {
      const res = await ownExport();
      expect(res.status, JSON.stringify(res.data)).toBe(302);
      await runNextExport();
    }
    const fourth = await ownExport();
    expect(fourth.status).toBe(429);
    expect(fourth.data).toMatchObject({ error: expect.stringMatching(/3 times a day/) });
    expect(await prisma.recordExport.count({ where: { workerId: w.user.id } })).toBe(6);
  });

  test("staff have their own daily budget: the worker's three do not stop them, their tenth does", async () => {
    const reviewer = await person("REVIEWER", "Reviewing Person");
    const staffExport = (email: string) =>
      callRoute(
        staffAction,
        formRequest(
          "/review/records",
          {
            email,
            reason: "Data protection authority case DPA-2026-117.",
            purpose: "records-request",
          },
          { cookie: reviewer.cookie },
        ),
      );
    // A worker who has used their own three today.
    const busy = await workerWithData(1);
    const busyWorker = await prisma.user.findUniqueOrThrow({ where: { id: busy.user.id } });
    for (let i = 0; i < 3; i++) {
      await prisma.recordExport.create({
        data: {
          workerId: busy.user.id,
          requestedById: busy.user.id,
          status: "COMPLETE",
          createdAt: new Date(),
        },
      });
    }
    expect((await staffExport(busyWorker.email)).status).toBe(302);
    // Nine more, of nine other people: the tenth today. The eleventh is refused.
    for (let i = 0; i < 9; i++) {
      const other = await person("WORKER", `Worker ${i}`);
      expect((await staffExport(other.user.email)).status).toBe(302);
    }
    const last = await person("WORKER", "One Too Many");
    const refused = await staffExport(last.user.email);
    expect(refused.status).toBe(429);
    expect(JSON.stringify(refused.data)).toContain("Staff can ask for 10 exports");
    expect(JSON.stringify(refused.data)).not.toContain("export your records 3 times");
    expect(await prisma.recordExport.count({ where: { workerId: last.user.id } })).toBe(0);
  });
});
