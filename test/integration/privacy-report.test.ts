/**
 * Issue 20, must show: the privacy office sees forgets and private-app
 * discards only as aggregates over at least five workers, and its audit log
 * never names a worker's own privacy choices.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { AUDIT_ACTIONS, WORKER_PRIVATE_ACTIONS } from "#app/domain/audit-actions.ts";
import { forgetRecent } from "#app/models/forget.server.ts";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { getPrivacyReport } from "#app/models/privacy-report.server.ts";
import { loader as auditLoader } from "#app/routes/admin.audit.tsx";
import { loader as overviewLoader } from "#app/routes/admin._index.tsx";
import { action as adminPrivacyAction } from "#app/routes/admin.privacy.tsx";
import { action as privacyAction, loader as privacyLoader } from "#app/routes/privacy.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const DAY_MS = 24 * 3600_000;
const today = (now: Date) => now.toISOString().slice(0, 10);

type Row = { key: string; total: number | null; workers: number | null };

async function overviewRows(cookie: string) {
  const res = await callRoute(overviewLoader, getRequest("/admin", { cookie }));
  expect(res.status).toBe(200);
  const rows = (res.data as { privacy: { rows: Row[] } }).privacy.rows;
  return Object.fromEntries(rows.map((r) => [r.key, { total: r.total, workers: r.workers }]));
}

/** `n` workers, each with one forget and some discards today. */
async function workersWithPrivacyChoices(n: number, now: Date) {
  for (let i = 0; i < n; i++) {
    const worker = await createUser();
    await prisma.forget.create({
      data: {
        workerId: worker.id,
        startsAt: new Date(now.getTime() - 10 * 60_000),
        endsAt: now,
        minutes: 10,
        createdAt: now,
      },
    });
    await prisma.privacyDiscardDay.create({
      data: { day: today(now), workerId: worker.id, forgotten: 2, privateApp: 3 },
    });
  }
}

describe("the privacy office's aggregates", () => {
  test("4 workers: nothing shown; 5 workers: the totals and the workers behind them", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const cookie = await sessionCookieFor(admin.id);
    const now = new Date();
    // Older than the period: never counted.
    const old = await createUser();
    await prisma.forget.create({
      data: {
        workerId: old.id,
        startsAt: new Date(now.getTime() - 40 * DAY_MS),
        endsAt: new Date(now.getTime() - 40 * DAY_MS + 60_000),
        minutes: 1,
        createdAt: new Date(now.getTime() - 40 * DAY_MS),
      },
    });
    await prisma.privacyDiscardDay.create({
      data: {
        day: today(new Date(now.getTime() - 40 * DAY_MS)),
        workerId: old.id,
        forgotten: 100,
        privateApp: 100,
      },
    });

    await workersWithPrivacyChoices(4, now);
    const hidden = { total: null, workers: null };
    expect(await overviewRows(cookie)).toEqual({
      forgets: hidden,
      discardedForgotten: hidden,
      discardedPrivateApp: hidden,
    });

    await workersWithPrivacyChoices(1, now);
    expect(await overviewRows(cookie)).toEqual({
      forgets: { total: 5, workers: 5 },
      discardedForgotten: { total: 10, workers: 5 },
      discardedPrivateApp: { total: 15, workers: 5 },
    });
  });

  test("a worker's discards, counted by ingestion, reach the aggregate", async () => {
    const now = new Date();
    const since = new Date(now.getTime() - DAY_MS);
    const before = await prisma.privacyDiscardDay.count();
    for (let i = 0; i < 5; i++) {
      const worker = await createUser();
      const cookie = await sessionCookieFor(worker.id);
      await callRoute(
        privacyAction,
        formRequest("/privacy", { intent: "add", app: "*bank*" }, { cookie }),
      );
      const device = await createDevice(worker.id);
      await ingestBatch(
        device,
        {
          batchId: randomUUID(),
          events: [
            {
              type: "click",
              at: new Date(now.getTime() - 60_000).toISOString(),
              app: "MyBank",
              data: {},
            },
          ],
        },
        now,
      );
    }
    expect(await prisma.privacyDiscardDay.count()).toBe(before + 5);
    const report = await getPrivacyReport(since, now);
    expect(report.discardedPrivateApp.workers).toBeGreaterThanOrEqual(5);
  });
});

describe("the audit log", () => {
  test("never lists a worker's forgets or private applications, but lists the organisation's list", async () => {
    const now = new Date();
    const worker = await createUser();
    const cookie = await sessionCookieFor(worker.id);
    const device = await createDevice(worker.id);
    await ingestBatch(
      device,
      {
        batchId: randomUUID(),
        events: [
          {
            type: "click",
            at: new Date(now.getTime() - 120_000).toISOString(),
            app: "Diary",
            data: {},
          },
        ],
      },
      now,
    );
    await callRoute(
      privacyAction,
      formRequest("/privacy", { intent: "add", app: "Diary" }, { cookie }),
    );
    const page = await callRoute(privacyLoader, getRequest("/privacy", { cookie }));
    const [entry] = (page.data as { own: { id: string }[] }).own;
    await callRoute(
      privacyAction,
      formRequest(
        "/privacy",
        { intent: "purge", id: entry!.id, confirmed: `purge-private-app:${entry!.id}` },
        { cookie },
      ),
    );
    await callRoute(
      privacyAction,
      formRequest("/privacy", { intent: "remove", id: entry!.id }, { cookie }),
    );
    const forgot = await forgetRecent({
      workerId: worker.id,
      timeZone: worker.timezone,
      minutes: 5,
      now,
    });
    expect(forgot.ok).toBe(true);
    // Each was recorded, in the worker's own trail.
    const recorded = await prisma.auditEvent.findMany({
      where: { actorId: worker.id, action: { in: [...WORKER_PRIVATE_ACTIONS] } },
      select: { action: true },
    });
    expect(new Set(recorded.map((r) => r.action))).toEqual(new Set(WORKER_PRIVATE_ACTIONS));

    const admin = await createUser({ role: "ADMIN" });
    const adminCookie = await sessionCookieFor(admin.id);
    await callRoute(
      adminPrivacyAction,
      formRequest("/admin/privacy", { intent: "add", app: "Bitwarden" }, { cookie: adminCookie }),
    );
    const res = await callRoute(auditLoader, getRequest("/admin/audit", { cookie: adminCookie }));
    const shown = (res.data as { events: { action: string; subject: string | null }[] }).events;
    const hiddenNames = WORKER_PRIVATE_ACTIONS.map((a) => AUDIT_ACTIONS[a]);
    for (const name of hiddenNames) expect(shown.map((e) => e.action)).not.toContain(name);
    for (const action of WORKER_PRIVATE_ACTIONS) {
      expect(shown.map((e) => e.action)).not.toContain(action);
    }
    expect(shown.map((e) => e.action)).toContain(AUDIT_ACTIONS["private_app.add_organisation"]);
  });
});
