import { describe, expect, test } from "vitest";
import { action as pausesAction, loader as pausesLoader } from "#app/routes/pauses.tsx";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { handlePauseAction } from "#app/web/pause-actions.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const MIN = 60_000;

async function worker(timezone = "Europe/Berlin") {
  const user = await createUser({ timezone });
  return { user, cookie: await sessionCookieFor(user.id) };
}

function post(cookie: string, fields: Record<string, string>) {
  return callRoute(pausesAction, formRequest("/pauses", fields, { cookie }));
}

type Reply = { intent: string; result?: { error?: Record<string, string[]> }; message?: string };
const errorsOf = (data: unknown) => (data as Reply).result?.error ?? {};

async function snapshot(userId: string) {
  const [pauses, events] = await Promise.all([
    prisma.pause.findMany({ where: { workerId: userId }, orderBy: { id: "asc" } }),
    prisma.auditEvent.count({ where: { subjectUserId: userId } }),
  ]);
  return { pauses, events };
}

function localDatePlusDays(days: number, timeZone: string) {
  const d = new Date(Date.now() + days * 24 * 60 * MIN);
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(d);
}

describe("pause now", () => {
  test("starts a pause of the chosen length, audited, and redirects with a confirmation", async () => {
    const { user, cookie } = await worker();
    const before = Date.now();
    const res = await post(cookie, { intent: "start", durationMinutes: "30", returnTo: "/" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/");
    expect(res.headers.get("Set-Cookie")).toMatch(/lull_toast/);
    const [pause] = await prisma.pause.findMany({ where: { workerId: user.id } });
    expect(pause!.kind).toBe("NOW");
    expect(pause!.startsAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(pause!.endsAt.getTime() - pause!.startsAt.getTime()).toBe(30 * MIN);
    const event = await prisma.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: "pause.start" },
    });
    expect(event.targetId).toBe(pause!.id);
  });

  test("while a pause runs, another is refused with 400, the rule's words, and nothing stored", async () => {
    const { user, cookie } = await worker();
    await post(cookie, { intent: "start", durationMinutes: "10" });
    const before = await snapshot(user.id);
    const res = await post(cookie, { intent: "start", durationMinutes: "10" });
    expect(res.status).toBe(400);
    expect(errorsOf(res.data)[""]![0]).toMatch(
      /^You already have a pause running until \d\d:\d\d\.$/,
    );
    expect(await snapshot(user.id)).toEqual(before);
  });

  test("a duration above the policy's maximum is refused next to the field", async () => {
    const { user, cookie } = await worker();
    await prisma.policy.update({ where: { id: 1 }, data: { maxPauseMinutes: 20 } });
    try {
      const res = await post(cookie, { intent: "start", durationMinutes: "25" });
      expect(res.status).toBe(400);
      expect(errorsOf(res.data).durationMinutes).toEqual([
        "A pause lasts between 5 and 20 minutes.",
      ]);
      expect((await snapshot(user.id)).pauses).toEqual([]);
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { maxPauseMinutes: 30 } });
    }
  });

  test("malformed input names the field", async () => {
    const { user, cookie } = await worker();
    for (const value of ["abc", "31", "4", ""]) {
      const res = await post(cookie, { intent: "start", durationMinutes: value });
      expect(res.status).toBe(400);
      expect(errorsOf(res.data).durationMinutes?.[0]).toMatch(/pause/);
    }
    expect((await snapshot(user.id)).pauses).toEqual([]);
  });

  // On PostgreSQL these run on as many connections as the pool has, as requests to several
  // nodes would: only the lock on the worker (ADR 0035) keeps them from all passing the check.
  test("2 × 50 simultaneous requests store exactly one pause", async () => {
    const { user, cookie } = await worker();
    const burst = () =>
      Array.from({ length: 50 }, () => post(cookie, { intent: "start", durationMinutes: "30" }));
    const results = await Promise.all([...burst(), ...burst()]);
    expect(results.filter((r) => r.status === 302)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(99);
    expect(await prisma.pause.count({ where: { workerId: user.id } })).toBe(1);
    expect(
      await prisma.auditEvent.count({ where: { subjectUserId: user.id, action: "pause.start" } }),
    ).toBe(1);
  });
});

describe("scheduling", () => {
  test("tomorrow at 09:00 local time is stored in UTC", async () => {
    const { user, cookie } = await worker("America/New_York");
    const date = localDatePlusDays(1, "America/New_York");
    const res = await post(cookie, {
      intent: "schedule",
      date,
      time: "09:00",
      durationMinutes: "30",
    });
    expect(res.status).toBe(302);
    const [pause] = await prisma.pause.findMany({ where: { workerId: user.id } });
    expect(pause!.kind).toBe("SCHEDULED");
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(pause!.startsAt);
    expect(local).toBe("09:00");
    expect(pause!.endsAt.getTime() - pause!.startsAt.getTime()).toBe(30 * MIN);
    expect(
      await prisma.auditEvent.count({
        where: { subjectUserId: user.id, action: "pause.schedule" },
      }),
    ).toBe(1);

    const page = await callRoute(pausesLoader, getRequest("/pauses", { cookie }));
    const upcoming = (page.data as { overview: { upcoming: { when: string }[] } }).overview
      .upcoming;
    expect(upcoming).toHaveLength(1);
    expect(upcoming[0]!.when).toMatch(/09:00–09:30 (EST|EDT)$/);
  });

  test.each([
    [
      "in the past",
      { days: -1, time: "09:00" },
      "time",
      "That time has already passed. Choose a time in the future.",
    ],
    [
      "too far ahead",
      { days: 20, time: "09:00" },
      "date",
      /^Pauses can be scheduled at most 14 days ahead/,
    ],
  ])("a time %s is refused next to the field", async (_label, when, field, message) => {
    const { user, cookie } = await worker();
    const res = await post(cookie, {
      intent: "schedule",
      date: localDatePlusDays(when.days, "Europe/Berlin"),
      time: when.time,
      durationMinutes: "15",
    });
    expect(res.status).toBe(400);
    const errors = errorsOf(res.data)[field]!;
    if (typeof message === "string") expect(errors).toEqual([message]);
    else expect(errors[0]).toMatch(message);
    expect((await snapshot(user.id)).pauses).toEqual([]);
  });

  test("pauses closer together than the minimum gap are refused, naming the other pause", async () => {
    const { user, cookie } = await worker();
    const date = localDatePlusDays(2, "Europe/Berlin");
    expect(
      (await post(cookie, { intent: "schedule", date, time: "10:00", durationMinutes: "30" }))
        .status,
    ).toBe(302);
    const before = await snapshot(user.id);
    const res = await post(cookie, {
      intent: "schedule",
      date,
      time: "10:40",
      durationMinutes: "30",
    });
    expect(res.status).toBe(400);
    expect(errorsOf(res.data).time![0]).toMatch(
      /^Pauses must be at least 15 minutes apart: your previous pause ends at 10:30 on .*, so this one can start at 10:45 on .* at the earliest\./,
    );
    expect(await snapshot(user.id)).toEqual(before);
    expect(
      (await post(cookie, { intent: "schedule", date, time: "10:45", durationMinutes: "30" }))
        .status,
    ).toBe(302);
  });

  test("the daily cap counts the worker's local day", async () => {
    const { user, cookie } = await worker();
    await prisma.policy.update({ where: { id: 1 }, data: { maxPauseMinutesPerDay: 40 } });
    try {
      const date = localDatePlusDays(3, "Europe/Berlin");
      expect(
        (await post(cookie, { intent: "schedule", date, time: "09:00", durationMinutes: "30" }))
          .status,
      ).toBe(302);
      const res = await post(cookie, {
        intent: "schedule",
        date,
        time: "14:00",
        durationMinutes: "20",
      });
      expect(res.status).toBe(400);
      expect(errorsOf(res.data).durationMinutes).toEqual([
        expect.stringMatching(
          /^You can pause for at most 40 minutes a day; you have 10 minutes left on /,
        ),
      ]);
      expect(await prisma.pause.count({ where: { workerId: user.id } })).toBe(1);
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { maxPauseMinutesPerDay: null } });
    }
  });

  test("bad dates and times name the field", async () => {
    const { cookie } = await worker();
    const res = await post(cookie, {
      intent: "schedule",
      date: "tomorrow",
      time: "9am",
      durationMinutes: "15",
    });
    expect(res.status).toBe(400);
    expect(errorsOf(res.data).date).toEqual(["Enter the date as YYYY-MM-DD."]);
    expect(errorsOf(res.data).time).toEqual(["Enter the time as HH:MM, 24-hour."]);
    const impossible = await post(cookie, {
      intent: "schedule",
      date: "2026-02-30",
      time: "09:00",
      durationMinutes: "15",
    });
    expect(errorsOf(impossible.data).date).toEqual(["That date does not exist. Choose another."]);
  });
});

describe("daylight-saving changes (2026)", () => {
  async function schedule(timezone: string, now: Date, date: string, time: string, minutes = 30) {
    const user = await createUser({ timezone });
    const request = formRequest("/pauses", {
      intent: "schedule",
      date,
      time,
      durationMinutes: String(minutes),
    });
    const sessionUser = {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      timezone,
    };
    let response: unknown;
    try {
      response = await handlePauseAction(request, sessionUser, now);
    } catch (thrown) {
      response = thrown;
    }
    const pauses = await prisma.pause.findMany({ where: { workerId: user.id } });
    return { response, pauses };
  }

  test("New York: 01:45 on 8 Mar is still 30 real minutes, ending 03:15 EDT", async () => {
    const { pauses } = await schedule(
      "America/New_York",
      new Date("2026-03-07T12:00:00Z"),
      "2026-03-08",
      "01:45",
    );
    expect(pauses).toHaveLength(1);
    expect(pauses[0]!.startsAt.toISOString()).toBe("2026-03-08T06:45:00.000Z");
    expect(pauses[0]!.endsAt.toISOString()).toBe("2026-03-08T07:15:00.000Z");
  });

  test("New York: 02:30 on 8 Mar does not exist and is refused with a clear message", async () => {
    const { response, pauses } = await schedule(
      "America/New_York",
      new Date("2026-03-07T12:00:00Z"),
      "2026-03-08",
      "02:30",
    );
    expect(pauses).toEqual([]);
    const reply = response as { init: { status: number }; data: Reply };
    expect(reply.init.status).toBe(400);
    expect(reply.data.result!.error!.time).toEqual([
      "02:30 on Sun 8 Mar does not exist in America/New_York: the clocks skip it that night. Choose another time.",
    ]);
  });

  test("New York: 01:30 on 1 Nov happens twice; the first (EDT) is used", async () => {
    const { pauses } = await schedule(
      "America/New_York",
      new Date("2026-10-31T12:00:00Z"),
      "2026-11-01",
      "01:30",
    );
    expect(pauses[0]!.startsAt.toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(pauses[0]!.endsAt.getTime() - pauses[0]!.startsAt.getTime()).toBe(30 * MIN);
  });

  test("Berlin: 02:15 on 29 Mar does not exist; 01:45 lasts 30 real minutes", async () => {
    const missing = await schedule(
      "Europe/Berlin",
      new Date("2026-03-28T12:00:00Z"),
      "2026-03-29",
      "02:15",
    );
    expect(missing.pauses).toEqual([]);
    const ok = await schedule(
      "Europe/Berlin",
      new Date("2026-03-28T12:00:00Z"),
      "2026-03-29",
      "01:45",
    );
    expect(ok.pauses[0]!.startsAt.toISOString()).toBe("2026-03-29T00:45:00.000Z");
    expect(ok.pauses[0]!.endsAt.toISOString()).toBe("2026-03-29T01:15:00.000Z");
  });

  test("Berlin: 02:45 on 25 Oct (clocks go back) is 30 real minutes from the first 02:45", async () => {
    const { pauses } = await schedule(
      "Europe/Berlin",
      new Date("2026-10-24T12:00:00Z"),
      "2026-10-25",
      "02:45",
    );
    expect(pauses[0]!.startsAt.toISOString()).toBe("2026-10-25T00:45:00.000Z");
    expect(pauses[0]!.endsAt.toISOString()).toBe("2026-10-25T01:15:00.000Z");
  });
});

describe("ending early and cancelling", () => {
  test("a running pause ends now; the status flips back to tracking", async () => {
    const { user, cookie } = await worker();
    await post(cookie, { intent: "start", durationMinutes: "30" });
    const pause = await prisma.pause.findFirstOrThrow({ where: { workerId: user.id } });
    const home = await callRoute(homeLoader, getRequest("/", { cookie }));
    expect((home.data as { overview: { collecting: boolean } }).overview.collecting).toBe(false);

    // Ending early asks first: unconfirmed, nothing changes and the answer is the question.
    const asked = await post(cookie, { intent: "end", pauseId: pause.id });
    expect(asked.status).toBe(200);
    expect(asked.data).toMatchObject({ kind: "confirm", confirm: `end-pause:${pause.id}` });
    expect(
      (await prisma.pause.findUniqueOrThrow({ where: { id: pause.id } })).endedEarlyAt,
    ).toBeNull();
    const res = await post(cookie, {
      intent: "end",
      pauseId: pause.id,
      confirmed: `end-pause:${pause.id}`,
    });
    expect(res.status).toBe(302);
    const ended = await prisma.pause.findUniqueOrThrow({ where: { id: pause.id } });
    expect(ended.endedEarlyAt).not.toBeNull();
    expect(
      await prisma.auditEvent.count({
        where: { subjectUserId: user.id, action: "pause.end_early" },
      }),
    ).toBe(1);
    const after = await callRoute(homeLoader, getRequest("/", { cookie }));
    expect((after.data as { overview: { collecting: boolean } }).overview.collecting).toBe(true);
  });

  test("an upcoming pause can be cancelled, and a running one cannot", async () => {
    const { user, cookie } = await worker();
    await post(cookie, {
      intent: "schedule",
      date: localDatePlusDays(2, "Europe/Berlin"),
      time: "12:00",
      durationMinutes: "15",
    });
    const upcoming = await prisma.pause.findFirstOrThrow({ where: { workerId: user.id } });
    const asked = await post(cookie, { intent: "cancel", pauseId: upcoming.id });
    expect(asked.data).toMatchObject({ kind: "confirm", confirm: `cancel-pause:${upcoming.id}` });
    expect(
      (await prisma.pause.findUniqueOrThrow({ where: { id: upcoming.id } })).cancelledAt,
    ).toBeNull();
    const res = await post(cookie, {
      intent: "cancel",
      pauseId: upcoming.id,
      confirmed: `cancel-pause:${upcoming.id}`,
    });
    expect(res.status).toBe(302);
    expect(
      (await prisma.pause.findUniqueOrThrow({ where: { id: upcoming.id } })).cancelledAt,
    ).not.toBeNull();
    expect(
      await prisma.auditEvent.count({ where: { subjectUserId: user.id, action: "pause.cancel" } }),
    ).toBe(1);

    await post(cookie, { intent: "start", durationMinutes: "10" });
    const running = await prisma.pause.findFirstOrThrow({
      where: { workerId: user.id, kind: "NOW" },
    });
    const refused = await post(cookie, { intent: "cancel", pauseId: running.id });
    expect(refused.status).toBe(400);
    expect((refused.data as Reply).message).toBe("This pause has already started. End it instead.");
    const notRunning = await post(cookie, { intent: "end", pauseId: upcoming.id });
    expect(notRunning.status).toBe(400);
  });

  test("another worker's pause is not found (404) and stays as it was", async () => {
    const a = await worker();
    const b = await worker();
    await post(a.cookie, { intent: "start", durationMinutes: "30" });
    const pause = await prisma.pause.findFirstOrThrow({ where: { workerId: a.user.id } });
    for (const intent of ["end", "cancel"]) {
      // Refused before any question, confirmed or not.
      for (const confirmed of ["", `${intent}-pause:${pause.id}`]) {
        const res = await post(b.cookie, { intent, pauseId: pause.id, confirmed });
        expect(res.status).toBe(404);
      }
    }
    expect(await prisma.pause.findUniqueOrThrow({ where: { id: pause.id } })).toEqual(pause);
  });

  test("signed-out visitors cannot pause", async () => {
    const res = await callRoute(
      pausesAction,
      formRequest("/pauses", { intent: "start", durationMinutes: "30" }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/login/);
    expect(await prisma.pause.count()).toBeGreaterThanOrEqual(0);
  });
});
