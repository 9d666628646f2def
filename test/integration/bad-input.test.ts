/**
 * Issue 15, item 4: input a person (or a script) can send is answered with a
 * 4xx naming the problem, never a 500: impossible or out-of-range dates, a
 * crafted paging cursor, and bodies that are not forms.
 */
import { describe, expect, test } from "vitest";
import { action as homeAction } from "#app/routes/_index.tsx";
import { action as signAction } from "#app/routes/acknowledgements.$slug.tsx";
import { action as documentAction } from "#app/routes/admin.documents.$documentId.tsx";
import { action as newDocumentAction } from "#app/routes/admin.documents.new.tsx";
import { action as policyAction } from "#app/routes/admin.policy.tsx";
import { action as userAction } from "#app/routes/admin.users.$userId.tsx";
import { action as accessAction } from "#app/routes/admin.users.$userId_.data.tsx";
import { action as importAction } from "#app/routes/admin.users.import.tsx";
import { action as newUserAction } from "#app/routes/admin.users.new.tsx";
import { loader as dataLoader } from "#app/routes/data._index.tsx";
import { loader as eventsLoader } from "#app/routes/data.events.tsx";
import { action as devicesAction } from "#app/routes/devices.tsx";
import { action as exemptionAction } from "#app/routes/exemptions.$exemptionId.tsx";
import { action as fileExemptionAction } from "#app/routes/exemptions.new.tsx";
import { action as loginAction } from "#app/routes/login.tsx";
import { action as pausesAction } from "#app/routes/pauses.tsx";
import { action as recordsAction } from "#app/routes/records._index.tsx";
import { action as decisionAction } from "#app/routes/review.exemptions.$exemptionId.tsx";
import { action as staffExportAction } from "#app/routes/review.records.tsx";
import { action as setPasswordAction } from "#app/routes/set-password.$token.tsx";
import { encodeCursor } from "#app/domain/event-query.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

async function person(role: "WORKER" | "ADMIN" = "WORKER", timezone = "UTC") {
  const user = await createUser({ role, timezone });
  return { user, cookie: await sessionCookieFor(user.id) };
}

type WithErrors = { errors: Record<string, string[] | undefined> | null };
const errorsOf = (data: unknown) => (data as WithErrors).errors ?? {};

describe("dates that do not exist or that Lull cannot hold", () => {
  test("/data: an impossible or out-of-range custom day is a 400 naming the field", async () => {
    const { cookie } = await person();
    for (const [from, to, field] of [
      ["2026-02-30", "2026-03-02", "from"],
      ["2026-02-01", "2026-02-30", "to"],
      ["2026-13-01", "2026-13-02", "from"],
      ["0001-01-01", "0001-01-02", "from"],
    ] as const) {
      const res = await callRoute(
        dataLoader,
        getRequest(`/data?period=custom&from=${from}&to=${to}`, { cookie }),
      );
      expect(res.status, `${from}…${to}`).toBe(400);
      expect(errorsOf(res.data)[field]?.[0]).toMatch(/does not exist|Choose a date between/);
    }
  });

  test("/data/events: an impossible day is a 400 naming the field", async () => {
    const { cookie } = await person();
    for (const query of ["from=2026-02-30", "to=2026-04-31", "from=2026-02-29", "to=0000-00-00"]) {
      const res = await callRoute(eventsLoader, getRequest(`/data/events?${query}`, { cookie }));
      expect(res.status, query).toBe(400);
      const field = query.slice(0, query.indexOf("="));
      expect(errorsOf(res.data)[field]?.[0], query).toMatch(/does not exist|Choose a date between/);
    }
    // A real leap day is fine.
    const leap = await callRoute(
      eventsLoader,
      getRequest("/data/events?from=2028-02-29&to=2028-02-29", { cookie }),
    );
    expect(leap.status).toBe(200);
  });

  test("pauses: a date in the year 9999 or 10000 is a 400 on the date field, nothing stored", async () => {
    for (const timezone of ["UTC", "Europe/Berlin", "America/Los_Angeles"]) {
      const { user, cookie } = await person("WORKER", timezone);
      for (const date of ["9999-12-31", "10000-01-01", "2026-02-30"]) {
        const res = await callRoute(
          pausesAction,
          formRequest(
            "/pauses",
            { intent: "schedule", date, time: "23:50", durationMinutes: "30" },
            { cookie },
          ),
        );
        expect(res.status, `${timezone} ${date}`).toBe(400);
        const reply = res.data as { result: { error: Record<string, string[]> } };
        expect(reply.result.error.date, `${timezone} ${date}`).toBeDefined();
      }
      expect(await prisma.pause.count({ where: { workerId: user.id } })).toBe(0);
    }
  });

  test("exemptions: a start or end in the year 9999 or 10000 is a 400 on its field, nothing stored", async () => {
    for (const timezone of ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"]) {
      const { user, cookie } = await person("WORKER", timezone);
      for (const [startDate, endDate, field] of [
        ["9999-12-30", "9999-12-31", "startDate"],
        ["2026-12-30", "9999-12-31", "endDate"],
        ["9999-12-31", "10000-01-01", "startDate"],
      ] as const) {
        const res = await callRoute(
          fileExemptionAction,
          formRequest(
            "/exemptions/new",
            {
              reason: "MEDICAL",
              justification: "Physiotherapy appointments after my knee surgery.",
              scope: "all",
              startDate,
              startTime: "20:00",
              endDate,
              endTime: "23:00",
              repeat: "weekly",
              days: "5",
              fromTime: "20:00",
              toTime: "23:00",
            },
            { cookie },
          ),
        );
        expect(res.status, `${timezone} ${startDate}…${endDate}`).toBe(400);
        const reply = res.data as { result: { error: Record<string, string[]> } };
        expect(reply.result.error[field], `${timezone} ${startDate}`).toBeDefined();
      }
      expect(await prisma.exemptionRequest.count({ where: { workerId: user.id } })).toBe(0);
    }
  });
});

describe("a crafted paging cursor on /data/events", () => {
  const b64 = (text: string) => Buffer.from(text).toString("base64url");

  test("is a 400 asking to start again, never a query", async () => {
    const { cookie } = await person();
    for (const cursor of [
      b64("2026-01-01T00:00:00.000Z|99999999999999999999"),
      b64("2026-01-01T00:00:00.000Z|1e21"),
      b64("+275760-09-13T00:00:00.000Z|1"),
      b64("-271821-04-20T00:00:00.000Z|1"),
      b64("9999-12-31T23:59:59.999Z|1"),
      b64("0001-01-01T00:00:00.000Z|1"),
      b64("2026-02-30T00:00:00.000Z|1"),
      b64("2026|1"),
      b64("2026-01-01T00:00:00.000Z|-1"),
      "!!!",
    ]) {
      const res = await callRoute(
        eventsLoader,
        getRequest(`/data/events?cursor=${cursor}`, { cookie }),
      );
      expect(res.status, cursor).toBe(400);
      expect(errorsOf(res.data).cursor).toEqual([
        "This page link is broken. Start again from the first page.",
      ]);
    }
  });

  test("one the page wrote itself still pages", async () => {
    const { cookie } = await person();
    const cursor = encodeCursor({ at: new Date("2026-11-27T09:30:00Z"), id: 12 });
    const res = await callRoute(
      eventsLoader,
      getRequest(`/data/events?cursor=${cursor}`, { cookie }),
    );
    expect(res.status).toBe(200);
    // Taken as a position (nothing is newer than it here, so the page offers no "Newer").
    expect(res.data).toMatchObject({ errors: null, newerCursor: null });
  });
});

describe("bodies that are not forms", () => {
  /** Every action that takes a form, with a caller who may use it. */
  const ACTIONS = [
    { path: "/login", action: loginAction, who: "anonymous" },
    {
      path: "/set-password/abc",
      action: setPasswordAction,
      who: "anonymous",
      params: { token: "abc" },
    },
    { path: "/", action: homeAction, who: "worker" },
    { path: "/pauses", action: pausesAction, who: "worker" },
    { path: "/devices", action: devicesAction, who: "worker" },
    { path: "/exemptions/new", action: fileExemptionAction, who: "worker" },
    { path: "/exemptions/x", action: exemptionAction, who: "worker", params: { exemptionId: "x" } },
    { path: "/records", action: recordsAction, who: "worker" },
    {
      path: "/acknowledgements/monitoring-notice",
      action: signAction,
      who: "worker",
      params: { slug: "monitoring-notice" },
    },
    {
      path: "/review/exemptions/x",
      action: decisionAction,
      who: "admin",
      params: { exemptionId: "x" },
    },
    { path: "/review/records", action: staffExportAction, who: "admin" },
    { path: "/admin/policy", action: policyAction, who: "admin" },
    { path: "/admin/users/new", action: newUserAction, who: "admin" },
    { path: "/admin/users/import", action: importAction, who: "admin" },
    { path: "/admin/users/x", action: userAction, who: "admin", params: { userId: "x" } },
    { path: "/admin/users/x/data", action: accessAction, who: "admin", params: { userId: "x" } },
    { path: "/admin/documents/new", action: newDocumentAction, who: "admin" },
    {
      path: "/admin/documents/x",
      action: documentAction,
      who: "admin",
      params: { documentId: "x" },
    },
  ] as const;

  test("JSON, plain text or no Content-Type on any action is a 4xx, never a 500", async () => {
    const worker = await person("WORKER");
    const admin = await person("ADMIN");
    const bodies: { type?: string; body: string }[] = [
      { type: "application/json", body: '{"email":"a@b.test","password":"x"}' },
      { type: "text/plain", body: "email=a%40b.test&password=x" },
      { body: "email=a%40b.test&password=x" },
      { type: "multipart/form-data; boundary=nope", body: "not multipart at all" },
    ];
    for (const { path, action, who, ...rest } of ACTIONS) {
      const params: Record<string, string> = "params" in rest ? { ...rest.params } : {};
      const cookie = who === "worker" ? worker.cookie : who === "admin" ? admin.cookie : undefined;
      for (const { type, body } of bodies) {
        const headers = new Headers(cookie ? { Cookie: cookie } : {});
        // A string body gets text/plain by default: take it off for "no Content-Type".
        const request = new Request(new URL(path, "http://127.0.0.1"), {
          method: "POST",
          body: new TextEncoder().encode(body),
          headers,
        });
        if (type) request.headers.set("Content-Type", type);
        const res = await callRoute(action, request, { params });
        expect(res.status, `${path} ${type ?? "(none)"}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${path} ${type ?? "(none)"}`).toBeLessThan(500);
      }
    }
  });

  test("the anonymous sign-in says what to send", async () => {
    const sessions = await prisma.session.count();
    const res = await callRoute(
      loginAction,
      new Request("http://127.0.0.1/login", {
        method: "POST",
        body: '{"email":"a@b.test"}',
        headers: { "Content-Type": "application/json" },
      }),
    );
    expect(res.status).toBe(415);
    expect(res.data).toMatch(/only accepts forms as a browser sends them/);
    expect(await prisma.session.count()).toBe(sessions);
  });
});
