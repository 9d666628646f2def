/**
 * Issue 15, item 1: every request body is read within a limit and answered
 * 413 past it, before anything parses it, whether its length is declared or
 * it arrives chunked. Sent over real HTTP through the Remix adapter, as the
 * production server receives them; each body would be a valid request (and
 * write something) if it were read whole.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LIMITS } from "#app/agent-protocol/v1.ts";
import { BODY_LIMITS } from "#app/domain/body-limits.ts";
import { createEnrollmentCode } from "#app/models/device.server.ts";
import { action as documentAction } from "#app/routes/admin.documents.new.tsx";
import { action as importAction } from "#app/routes/admin.users.import.tsx";
import { action as enrollAction } from "#app/routes/api.agent.v1.enroll.ts";
import { action as eventsAction } from "#app/routes/api.agent.v1.events.ts";
import * as login from "#app/routes/login.tsx";
import * as pauses from "#app/routes/pauses.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { TEST_PASSWORD, createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { hashToken } from "#app/web/agent-http.server.ts";
import { postBody, serveFetch, serveRoutes, type RouteServer } from "#test/http-route-server.ts";
import { remixHandler } from "#test/remix-handler.ts";
import { callRoute } from "#test/route-harness.ts";

const MB = 1024 * 1024;
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
const JSON_BODY = { "Content-Type": "application/json" };

let server: RouteServer;
beforeAll(async () => {
  server = await serveRoutes({
    "/login": login.action,
    "/pauses": pauses.action,
    "/admin/users/import": importAction,
    "/api/agent/v1/enroll": enrollAction,
    "/api/agent/v1/events": eventsAction,
  });
});
afterAll(() => server.close());

const url = (path: string) => `${server.url}${path}`;

/** What the server read of the last request to `path`: a little past the limit, never the body. */
function readAtMost(path: string, bytes: number) {
  expect(server.bytesRead.get(path)).toBeLessThan(bytes);
}

describe("anonymous requests", () => {
  test("a sign-in form over 64 KB is refused with 413, declared or chunked; no session starts", async () => {
    const user = await createUser();
    const prefix = `email=${encodeURIComponent(user.email)}&password=${encodeURIComponent(TEST_PASSWORD)}&padding=`;
    // Within the limit the same form signs in: the padding is an unknown field.
    const small = await postBody(url("/login"), { prefix, size: 1000, headers: FORM });
    expect(small.status).toBe(302);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(1);

    for (const declareLength of [true, false]) {
      const res = await postBody(url("/login"), {
        prefix,
        size: 100 * MB,
        headers: FORM,
        declareLength,
      });
      expect(res.status).toBe(413);
      expect(res.body).toContain("larger than Lull accepts (at most 64 KB)");
      expect(res.headers.connection).toBe("close");
      readAtMost("/login", 2 * MB);
    }
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(1);
  });

  test("enrollment reads at most 4 KB of JSON: 413 in the API's error shape, no device", async () => {
    const worker = await createUser();
    const { code } = await createEnrollmentCode(worker.id, new Date());
    const prefix = `{"code":"${code}","deviceName":"Laptop","platform":"linux","agentVersion":"1.0.0","padding":"`;
    for (const declareLength of [true, false]) {
      const res = await postBody(url("/api/agent/v1/enroll"), {
        prefix,
        size: 200 * MB,
        suffix: '"}',
        headers: JSON_BODY,
        declareLength,
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toEqual({
        error: {
          code: "payload_too_large",
          message: `An enrollment request may be at most ${LIMITS.maxEnrollBytes} bytes.`,
        },
      });
      readAtMost("/api/agent/v1/enroll", 2 * MB);
    }
    expect(await prisma.device.count({ where: { workerId: worker.id } })).toBe(0);
    // The code was never looked at: it still enrolls.
    const ok = await postBody(url("/api/agent/v1/enroll"), {
      prefix,
      size: 10,
      suffix: '"}',
      headers: JSON_BODY,
    });
    expect(ok.status).toBe(201);
  });
});

describe("signed-in requests", () => {
  test("a pause form over 64 KB is refused with 413 and no pause starts", async () => {
    const worker = await createUser();
    const cookie = await sessionCookieFor(worker.id);
    const res = await postBody(url("/pauses"), {
      prefix: "intent=start&durationMinutes=30&padding=",
      size: 5 * MB,
      headers: { ...FORM, Cookie: cookie },
    });
    expect(res.status).toBe(413);
    readAtMost("/pauses", 2 * MB);
    expect(await prisma.pause.count({ where: { workerId: worker.id } })).toBe(0);
  });

  test("an event batch over 1 MiB sent chunked is answered 413 (not a reset connection); nothing stored", async () => {
    const worker = await createUser();
    const device = await createDevice(worker.id);
    const token = `token-${randomUUID()}`;
    await prisma.device.update({
      where: { id: device.id },
      data: { tokenHash: hashToken(token) },
    });
    const batch = `{"batchId":"${randomUUID()}","events":[{"type":"click","at":"${new Date().toISOString()}","app":"Editor","data":{}}],"padding":"`;
    const res = await postBody(url("/api/agent/v1/events"), {
      prefix: batch,
      size: 20 * MB,
      suffix: '"}',
      headers: { ...JSON_BODY, Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe("payload_too_large");
    readAtMost("/api/agent/v1/events", 4 * MB);
    expect(await prisma.event.count({ where: { deviceId: device.id } })).toBe(0);
    expect(await prisma.eventBatch.count({ where: { deviceId: device.id } })).toBe(0);
  });
});

describe("routes that take more", () => {
  /** ~1 MB of realistic people (commas, @, slashes grow by a third when urlencoded). */
  function megabyteOfPeople() {
    let csv = "name,email,role,manager email,timezone\r\n";
    for (let i = 0; csv.length < 0.99 * MB; i++) {
      csv += `Zoë Lovelace-Byron ${i},zoe.lovelace.${i}@example.test,worker,ada.manager@example.test,Europe/Berlin\r\n`;
    }
    return csv;
  }

  test("the people import takes a 1 MB file, and its text posted back urlencoded; beyond, 413 and nobody is added", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const cookie = await sessionCookieFor(admin.id);
    const people = await prisma.user.count();
    const csv = megabyteOfPeople();
    const form = new URLSearchParams({ intent: "preview", csv }).toString();
    expect(form.length).toBeGreaterThan(1.2 * MB);
    const posted = await postBody(url("/admin/users/import"), {
      prefix: form,
      size: 0,
      headers: { ...FORM, Cookie: cookie },
    });
    expect(posted.status).not.toBe(413);
    expect(JSON.parse(posted.body).step).toBe("preview");

    const boundary = "----lull-test";
    const upload = (bytes: number) =>
      postBody(url("/admin/users/import"), {
        prefix: `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\npreview\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\nContent-Type: text/csv\r\n\r\n`,
        size: bytes,
        suffix: `\r\n--${boundary}--\r\n`,
        headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, Cookie: cookie },
      });
    expect((await upload(MB)).status).not.toBe(413);
    const justOver = await upload(MB + 1);
    expect(justOver.status).toBe(413);
    expect(JSON.parse(justOver.body)).toEqual({
      step: "error",
      errors: ["The file must be at most 1 MB."],
    });
    const huge = await postBody(url("/admin/users/import"), {
      prefix: "intent=apply&csv=",
      size: 50 * MB,
      headers: { ...FORM, Cookie: cookie },
    });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).errors).toEqual(["The file must be at most 1 MB."]);
    readAtMost("/admin/users/import", BODY_LIMITS.importForm + 2 * MB);
    expect(await prisma.user.count()).toBe(people);
  });

  test("a policy document of the longest allowed body is read, not refused", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const cookie = await sessionCookieFor(admin.id);
    const body = "Überwachung — ".repeat(Math.floor(100_000 / 14));
    const res = await callRoute(
      documentAction,
      new Request("http://127.0.0.1/admin/documents/new", {
        method: "POST",
        headers: { ...FORM, Cookie: cookie },
        body: new URLSearchParams({
          slug: "long-notice",
          title: "A long notice",
          body,
          requiresAcknowledgement: "on",
        }),
      }),
    );
    expect(res.status).not.toBe(413);
    expect(await prisma.policyDocument.count({ where: { slug: "long-notice" } })).toBe(1);
  });
});

describe("through Remix's own request handler", () => {
  test("a page's 413 and a .data 413 say why and end the connection", async () => {
    const remix = await serveFetch(
      remixHandler([
        { id: "routes/login", path: "login", module: login },
        { id: "routes/pauses", path: "pauses", module: pauses },
      ]),
    );
    try {
      const worker = await createUser();
      const cookie = await sessionCookieFor(worker.id);
      for (const [path, headers] of [
        ["/login", FORM],
        ["/pauses", { ...FORM, Cookie: cookie }],
        ["/pauses.data", { ...FORM, Cookie: cookie }],
      ] as const) {
        const res = await postBody(`${remix.url}${path}`, {
          prefix: "intent=start&durationMinutes=30&padding=",
          size: 20 * MB,
          headers,
        });
        expect(res.status, path).toBe(413);
        expect(res.headers.connection, path).toBe("close");
        expect(res.body, path).toContain(
          path.endsWith(".data") ? "larger than Lull accepts" : "Too much to send at once",
        );
        expect(remix.bytesRead.get(path), path).toBeLessThan(2 * MB);
      }
      expect(await prisma.pause.count({ where: { workerId: worker.id } })).toBe(0);
    } finally {
      await remix.close();
    }
  });
});
