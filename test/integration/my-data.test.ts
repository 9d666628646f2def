import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { loader as eventsLoader } from "#app/routes/data.events.tsx";
import { loader as eventLoader } from "#app/routes/data.events_.$eventId.tsx";
import { action as userAction } from "#app/routes/admin.users.$userId.tsx";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

/**
 * A worker with `count` events stored through ingestion (so the hourly rollups the totals
 * read are there too): four types, two applications, pairs of events sharing a timestamp.
 */
async function workerWithEvents(
  count: number,
  { timezone = "UTC", start = Date.UTC(2026, 10, 20), stepMs = 60_000 } = {},
) {
  const user = await createUser({ timezone });
  const device = await createDevice(user.id);
  const types = ["keystroke", "click", "scroll", "app_focus"] as const;
  const events = Array.from({ length: count }, (_, i) => ({
    type: types[i % 4]!,
    // Pairs of events share a timestamp, so the cursor must break ties by id.
    at: new Date(start + Math.floor(i / 2) * stepMs).toISOString(),
    app: i % 3 === 0 ? "Editor" : "Browser",
    data: { n: i },
  }));
  const now = new Date(start + count * stepMs);
  for (let i = 0; i < events.length; i += 5_000) {
    const result = await ingestBatch(
      { id: device.id, workerId: user.id },
      { batchId: randomUUID(), events: events.slice(i, i + 5_000) },
      now,
    );
    expect(result.stored).toBe(Math.min(5_000, events.length - i));
  }
  return { user, device, cookie: await sessionCookieFor(user.id) };
}

type Page = {
  days: { key: string; heading: string; events: { id: number; type: string; app: string }[] }[];
  total: number | null;
  olderCursor: string | null;
  newerCursor: string | null;
  isFirstPage: boolean;
  errors: unknown;
};

const eventsOf = (page: Page) => page.days.flatMap((d) => d.events);

async function eventsPage(cookie: string, query: string | URLSearchParams) {
  return (await callRoute(eventsLoader, getRequest(`/data/events?${query}`, { cookie })))
    .data as Page;
}

async function allPages(cookie: string, query: string) {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const q = new URLSearchParams(query);
    if (cursor) q.set("cursor", cursor);
    const page = await eventsPage(cookie, q);
    ids.push(...eventsOf(page).map((e) => e.id));
    cursor = page.olderCursor;
    if (!cursor) break;
  }
  return ids;
}

describe("/data/events", () => {
  test("a worker sees only their own events, newest first, across pages exactly once", async () => {
    const a = await workerWithEvents(120);
    await workerWithEvents(30);
    const ids = await allPages(a.cookie, "");
    const expected = (
      await prisma.event.findMany({
        where: { workerId: a.user.id },
        orderBy: [{ at: "desc" }, { id: "desc" }],
      })
    ).map((e) => e.id);
    expect(ids).toEqual(expected);
  });

  test("property: filters and cursor pagination return exactly the matching rows", async () => {
    const w = await workerWithEvents(130);
    const all = await prisma.event.findMany({ where: { workerId: w.user.id } });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          type: fc.constantFrom("", "keystroke", "click", "scroll", "app_focus"),
          app: fc.constantFrom("", "Editor", "Browser"),
          fromDay: fc.integer({ min: 19, max: 21 }),
          span: fc.integer({ min: 0, max: 2 }),
        }),
        async ({ type, app, fromDay, span }) => {
          const from = `2026-11-${fromDay}`;
          const to = `2026-11-${fromDay + span}`;
          const query = new URLSearchParams({ type, app, from, to }).toString();
          const ids = await allPages(w.cookie, query);
          const expected = all
            .filter((e) => (!type || e.type === type) && (!app || e.app === app))
            .filter(
              (e) =>
                e.at >= new Date(`${from}T00:00:00Z`) &&
                e.at < new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000),
            )
            .sort((x, y) => y.at.getTime() - x.at.getTime() || y.id - x.id)
            .map((e) => e.id);
          expect(ids).toEqual(expected);
          expect((await eventsPage(w.cookie, query)).total).toBe(expected.length);
        },
      ),
      { numRuns: 15 },
    );
  });

  test("a page is stable when newer events arrive while paging", async () => {
    const w = await workerWithEvents(60);
    const first = await eventsPage(w.cookie, "");
    await prisma.event.create({
      data: {
        workerId: w.user.id,
        deviceId: w.device.id,
        type: "click",
        at: new Date(Date.UTC(2026, 10, 27)),
        app: "New",
        data: "{}",
      },
    });
    const second = await eventsPage(w.cookie, `cursor=${first.olderCursor}`);
    expect(
      eventsOf(second)
        .map((e) => e.id)
        .some((id) => eventsOf(first).some((f) => f.id === id)),
    ).toBe(false);
    expect(eventsOf(first).length + eventsOf(second).length).toBe(60);
  });

  test("Newer walks back through exactly the pages Older walked, up to the newest", async () => {
    const w = await workerWithEvents(170);
    const older: number[][] = [];
    let page = await eventsPage(w.cookie, "");
    expect(page).toMatchObject({ isFirstPage: true, newerCursor: null });
    for (;;) {
      older.push(eventsOf(page).map((e) => e.id));
      if (!page.olderCursor) break;
      page = await eventsPage(w.cookie, `cursor=${page.olderCursor}`);
      expect(page.isFirstPage).toBe(false);
    }
    expect(older.map((p) => p.length)).toEqual([50, 50, 50, 20]);
    const newer: number[][] = [];
    while (page.newerCursor) {
      page = await eventsPage(w.cookie, `newer=${page.newerCursor}`);
      newer.push(eventsOf(page).map((e) => e.id));
    }
    expect(newer).toEqual(older.slice(0, -1).reverse());
    expect(page).toMatchObject({ isFirstPage: true, newerCursor: null, total: 170 });
  });

  test("events are grouped by the worker's local day, and a half-hour zone's day is counted exactly", async () => {
    // Every 7 minutes from 17:00 UTC on 20 Nov for 40 hours: Kolkata's days turn at 18:30 UTC.
    const w = await workerWithEvents(2 * 343, {
      timezone: "Asia/Kolkata",
      start: Date.UTC(2026, 10, 20, 17),
      stepMs: 7 * 60_000,
    });
    const first = await eventsPage(w.cookie, "");
    expect(first.days.map((d) => d.key)).toEqual(["2026-11-22"]);
    expect(first.days[0]!.heading).toBe("Sunday, 22 November 2026");
    const across = await eventsPage(w.cookie, "from=2026-11-21&to=2026-11-22&type=click");
    const crossing = await eventsPage(w.cookie, `cursor=${first.olderCursor}`);
    expect(crossing.days.length).toBeGreaterThanOrEqual(1);
    for (const day of "2026-11-21 2026-11-22".split(" ")) {
      const expected = await prisma.event.count({
        where: {
          workerId: w.user.id,
          at: {
            gte: new Date(`${day}T00:00:00+05:30`),
            lt: new Date(Date.parse(`${day}T00:00:00+05:30`) + 86_400_000),
          },
        },
      });
      expect(expected).toBeGreaterThan(0);
      expect((await eventsPage(w.cookie, `from=${day}&to=${day}`)).total).toBe(expected);
    }
    expect(across.total).toBe(
      await prisma.event.count({
        where: {
          workerId: w.user.id,
          type: "click",
          at: {
            gte: new Date("2026-11-21T00:00:00+05:30"),
            lt: new Date("2026-11-23T00:00:00+05:30"),
          },
        },
      }),
    );
    // Within one page, one group per day in order, newest first.
    const days = eventsOf(across).length > 0 ? across.days.map((d) => d.key) : [];
    expect([...days].sort().reverse()).toEqual(days);
    expect(new Set(days).size).toBe(days.length);
  });

  test("bad filters name the field", async () => {
    const w = await workerWithEvents(1);
    const res = await callRoute(
      eventsLoader,
      getRequest("/data/events?from=2026-11-22&to=2026-11-21", { cookie: w.cookie }),
    );
    expect((res.data as Page).errors).toEqual({
      to: ["The end date must be on or after the start date."],
    });
  });

  test("an event shows every stored field; another worker's event is 404", async () => {
    const a = await workerWithEvents(1);
    const b = await workerWithEvents(1);
    const [event] = await prisma.event.findMany({ where: { workerId: a.user.id } });
    const mine = await callRoute(
      eventLoader,
      getRequest(`/data/events/${event!.id}`, { cookie: a.cookie }),
      { params: { eventId: String(event!.id) } },
    );
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.data)).toContain('\\"n\\": 0');
    const theirs = await callRoute(
      eventLoader,
      getRequest(`/data/events/${event!.id}`, { cookie: b.cookie }),
      { params: { eventId: String(event!.id) } },
    );
    expect(theirs.status).toBe(404);
    // Record numbers the schema cannot hold (32-bit ids) are 404 too, not a database error.
    for (const eventId of ["3000000000", "99999999999999999999", "1e3", "0"]) {
      const res = await callRoute(
        eventLoader,
        getRequest(`/data/events/${eventId}`, { cookie: a.cookie }),
        { params: { eventId } },
      );
      expect(res.status, eventId).toBe(404);
    }
  });
});

describe("/data/access", () => {
  test("lists what others did about the worker, and none of the worker's own actions", async () => {
    const worker = await createUser({ name: "Wren Worker" });
    const admin = await createUser({ role: "ADMIN", name: "Amara Admin" });
    const adminCookie = await sessionCookieFor(admin.id);
    await callRoute(
      userAction,
      formRequest(
        `/admin/users/${worker.id}`,
        { intent: "deactivate", confirmed: `deactivate-user:${worker.id}` },
        { cookie: adminCookie },
      ),
      { params: { userId: worker.id } },
    );
    await callRoute(
      userAction,
      formRequest(`/admin/users/${worker.id}`, { intent: "reactivate" }, { cookie: adminCookie }),
      { params: { userId: worker.id } },
    );
    await prisma.auditEvent.create({
      data: { actorId: worker.id, subjectUserId: worker.id, action: "auth.sign_in" },
    });

    const cookie = await sessionCookieFor(worker.id);
    const res = await callRoute(accessLoader, getRequest("/data/access", { cookie }));
    const { events, total } = res.data as {
      events: { who: string; what: string }[];
      total: number;
    };
    expect(total).toBe(2);
    expect(events.map((e) => [e.who, e.what])).toEqual([
      ["Amara Admin (Admin)", "Reactivated an account"],
      ["Amara Admin (Admin)", "Deactivated an account"],
    ]);
  });
});
