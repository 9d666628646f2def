import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { loader as eventsLoader } from "#app/routes/data.events.tsx";
import { loader as eventLoader } from "#app/routes/data.events_.$eventId.tsx";
import { action as userAction } from "#app/routes/admin.users.$userId.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

async function workerWithEvents(
  count: number,
  { timezone = "UTC", start = Date.UTC(2026, 10, 20) } = {},
) {
  const user = await createUser({ timezone });
  const device = await createDevice(user.id);
  const types = ["keystroke", "click", "scroll", "app_focus"];
  await prisma.event.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      workerId: user.id,
      deviceId: device.id,
      type: types[i % 4]!,
      // Pairs of events share a timestamp, so the cursor must break ties by id.
      at: new Date(start + Math.floor(i / 2) * 60_000),
      app: i % 3 === 0 ? "Editor" : "Browser",
      data: JSON.stringify({ n: i }),
    })),
  });
  return { user, device, cookie: await sessionCookieFor(user.id) };
}

type Page = {
  events: { id: number; type: string; app: string }[];
  nextCursor: string | null;
  errors: unknown;
};

async function allPages(cookie: string, query: string) {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const q = new URLSearchParams(query);
    if (cursor) q.set("cursor", cursor);
    const res = await callRoute(eventsLoader, getRequest(`/data/events?${q}`, { cookie }));
    const page = res.data as Page;
    ids.push(...page.events.map((e) => e.id));
    cursor = page.nextCursor;
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
          const ids = await allPages(
            w.cookie,
            new URLSearchParams({ type, app, from, to }).toString(),
          );
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
        },
      ),
      { numRuns: 15 },
    );
  });

  test("a page is stable when newer events arrive while paging", async () => {
    const w = await workerWithEvents(60);
    const first = (await callRoute(eventsLoader, getRequest("/data/events", { cookie: w.cookie })))
      .data as Page;
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
    const second = (
      await callRoute(
        eventsLoader,
        getRequest(`/data/events?cursor=${first.nextCursor}`, { cookie: w.cookie }),
      )
    ).data as Page;
    expect(second.events.map((e) => e.id).some((id) => first.events.some((f) => f.id === id))).toBe(
      false,
    );
    expect(first.events.length + second.events.length).toBe(60);
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
