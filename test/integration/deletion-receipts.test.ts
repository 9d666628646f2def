/**
 * Issue 20, "Deletion receipts": the worker finds every deletion of their data
 * on their data history (/data/access), downloads each receipt as issued
 * (/data/deletions/:receiptId.json), and `npm run verify-receipt` accepts it
 * offline, and refuses it once a byte changed.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { forgetRecent } from "#app/models/forget.server.ts";
import {
  DELETION_RECEIPTS_PAGE_SIZE,
  issueDeletionReceipt,
} from "#app/models/deletion-receipt.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { verifyReceiptFile } from "#app/receipts/receipt.ts";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { loader as receiptLoader } from "#app/routes/data.deletions.$receiptId[.json].ts";
import { prisma } from "#app/utils/db.server.ts";
import { receiptPublicKey } from "#app/utils/receipt-signing.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest, TEST_CONTEXT } from "#test/route-harness.ts";

const NOW = new Date("2026-12-02T09:30:00.000Z");

/** A worker with a device and `events` clicks over the last ten minutes, who forgets 15 minutes. */
async function workerWhoForgot(events = 6) {
  const user = await createUser({ name: "Farah Forgetful", timezone: "Europe/Berlin" });
  const device = await createDevice(user.id);
  const stored = await ingestBatch(
    { id: device.id, workerId: user.id },
    {
      batchId: randomUUID(),
      events: Array.from({ length: events }, (_, i) => ({
        type: "click" as const,
        at: new Date(NOW.getTime() - (i + 1) * 60_000).toISOString(),
        app: "Browser",
        data: {},
      })),
    },
    NOW,
  );
  expect(stored.stored).toBe(events);
  const forgot = await forgetRecent({
    workerId: user.id,
    timeZone: user.timezone,
    minutes: 15,
    now: NOW,
  });
  if (!forgot.ok) throw new Error(forgot.refusal.message);
  return { user, receiptId: forgot.receiptId, cookie: await sessionCookieFor(user.id) };
}

async function download(receiptId: string, cookie?: string) {
  try {
    return (await receiptLoader({
      request: getRequest(`/data/deletions/${receiptId}.json`, { cookie }),
      params: { receiptId },
      context: TEST_CONTEXT,
    })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

let forgetter: Awaited<ReturnType<typeof workerWhoForgot>>;
beforeAll(async () => {
  forgetter = await workerWhoForgot();
});

describe("/data/access: the data history", () => {
  test("lists the worker's deletions with kind, span, counts and time in their zone, each with its receipt", async () => {
    const res = await callRoute(
      accessLoader,
      getRequest("/data/access", { cookie: forgetter.cookie }),
    );
    const { deletions } = res.data as {
      deletions: {
        total: number;
        receipts: { id: string; kind: string; what: string; removed: string; at: string }[];
      };
    };
    expect(deletions.total).toBe(1);
    expect(deletions.receipts).toEqual([
      {
        id: forgetter.receiptId,
        kind: "Forgotten span",
        what: "The span from 2 Dec 2026, 10:15 CET to 2 Dec 2026, 10:30 CET, which you asked to forget",
        removed: "6 events, 1 hourly and 1 daily rollup row",
        at: "2 Dec 2026, 10:30 CET",
        atIso: NOW.toISOString(),
      },
    ]);
  });

  test("shows no one else's deletions, and pages them 20 at a time", async () => {
    const other = await createUser({ name: "Pat Pages" });
    await prisma.$transaction(async (tx) => {
      for (let i = 0; i < DELETION_RECEIPTS_PAGE_SIZE + 1; i += 1) {
        await issueDeletionReceipt(
          tx,
          other.id,
          {
            kind: "retention",
            from: null,
            to: new Date(NOW.getTime() - i * 3600_000),
            app: null,
            events: i,
            hourlyRollupRows: 1,
            dailyRollupRows: 0,
          },
          new Date(NOW.getTime() - i * 3600_000),
        );
      }
    });
    const cookie = await sessionCookieFor(other.id);
    const first = (await callRoute(accessLoader, getRequest("/data/access", { cookie }))).data as {
      deletions: { total: number; pageCount: number; receipts: { id: string }[] };
    };
    expect(first.deletions).toMatchObject({ total: 21, pageCount: 2 });
    expect(first.deletions.receipts).toHaveLength(DELETION_RECEIPTS_PAGE_SIZE);
    expect(first.deletions.receipts.map((r) => r.id)).not.toContain(forgetter.receiptId);
    const second = (
      await callRoute(accessLoader, getRequest("/data/access?deletions=2", { cookie }))
    ).data as { page: number; deletions: { page: number; receipts: { removed: string }[] } };
    expect(second.page).toBe(1);
    expect(second.deletions.page).toBe(2);
    // The oldest: retention of 20 events.
    expect(second.deletions.receipts.map((r) => r.removed)).toEqual([
      "20 events, 1 hourly and 0 daily rollup rows",
    ]);
  });
});

describe("/data/deletions/:receiptId.json", () => {
  test("serves the worker's receipt as issued, as an attachment that verifies byte for byte", async () => {
    const res = await download(forgetter.receiptId, forgetter.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toBe(
      `attachment; filename="lull-deletion-receipt-forget-2026-12-02-${forgetter.receiptId}.json"`,
    );
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const text = await res.text();
    const stored = await prisma.deletionReceipt.findUniqueOrThrow({
      where: { id: forgetter.receiptId },
    });
    expect(text).toBe(`${JSON.stringify(JSON.parse(stored.receipt), null, 2)}\n`);
    const verified = verifyReceiptFile(text, receiptPublicKey().publicKeyPem);
    expect(verified.ok && verified.payload).toMatchObject({
      format: "lull-deletion-receipt/1",
      receiptId: forgetter.receiptId,
      worker: { id: forgetter.user.id, name: "Farah Forgetful" },
      deletion: {
        kind: "forget",
        from: "2026-12-02T09:15:00.000Z",
        to: NOW.toISOString(),
        app: null,
        events: 6,
      },
      deletedAt: NOW.toISOString(),
    });
  });

  test("is 404 for another worker's receipt and for an unknown id, and asks a stranger to sign in", async () => {
    const stranger = await sessionCookieFor((await createUser({ name: "Stranger" })).id);
    expect((await download(forgetter.receiptId, stranger)).status).toBe(404);
    expect((await download(randomUUID(), forgetter.cookie)).status).toBe(404);
    const anonymous = await download(forgetter.receiptId);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login/);
  });
});

describe("npm run verify-receipt", () => {
  test("says VALID: Deleted … (exit 0) for a forget's receipt and INVALID (exit 1) once one byte changed", async () => {
    const text = await (await download(forgetter.receiptId, forgetter.cookie)).text();
    const dir = mkdtempSync(path.join(tmpdir(), "lull-deletion-receipt-"));
    try {
      writeFileSync(path.join(dir, "receipt.json"), text);
      const bytes = Buffer.from(text, "utf8");
      const at = text.indexOf('"events": 6') + '"events": '.length;
      bytes[at] = "7".charCodeAt(0);
      writeFileSync(path.join(dir, "altered.json"), bytes);
      writeFileSync(path.join(dir, "key.pem"), receiptPublicKey().publicKeyPem);
      const run = (file: string) =>
        spawnSync(
          "npx",
          [
            "tsx",
            "app/receipts/verify-cli.ts",
            path.join(dir, file),
            "--key",
            path.join(dir, "key.pem"),
          ],
          { encoding: "utf8" },
        );
      const valid = run("receipt.json");
      expect(valid.stdout).toMatch(
        /^VALID: Deleted the span 2026-12-02T09:15:00.000Z to 2026-12-02T09:30:00.000Z they asked to forget for Farah Forgetful <[^>]+>: 6 events, /,
      );
      expect(valid.status).toBe(0);
      const altered = run("altered.json");
      expect(altered.stdout).toMatch(/^INVALID: /);
      expect(altered.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
