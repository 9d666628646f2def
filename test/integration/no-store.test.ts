import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { issueSetupLink } from "#app/models/user-setup-link.server.ts";
import * as devices from "#app/routes/devices.tsx";
import * as login from "#app/routes/login.tsx";
import * as pauses from "#app/routes/pauses.tsx";
import * as setPassword from "#app/routes/set-password.$token.tsx";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { remixHandler } from "#test/remix-handler.ts";
import { TEST_CONTEXT } from "#test/route-harness.ts";

/** A page that says in its own `headers` export that it may be cached. */
const cacheablePage = {
  loader: () => ({ note: "the same for everyone" }),
  headers: () => ({ "Cache-Control": "public, max-age=60" }),
  default: () => null,
};

const handle = remixHandler([
  { id: "routes/devices", path: "devices", module: devices },
  { id: "routes/login", path: "login", module: login },
  { id: "routes/pauses", path: "pauses", module: pauses },
  { id: "routes/set-password.$token", path: "set-password/:token", module: setPassword },
  { id: "routes/cacheable", path: "cacheable", module: cacheablePage },
]);

const BASE = "http://127.0.0.1:3000";

function get(path: string, cookie?: string) {
  return handle(new Request(`${BASE}${path}`, { headers: cookie ? { Cookie: cookie } : {} }));
}

function post(path: string, fields: Record<string, string>, cookie?: string) {
  return handle(
    new Request(`${BASE}${path}`, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        ...(cookie ? { Cookie: cookie } : {}),
      },
    }),
  );
}

async function signedIn() {
  const user = await createUser();
  return { user, cookie: await sessionCookieFor(user.id) };
}

/** Reads the body so the stream ends, then hands the response back. */
async function settled(res: Promise<Response>) {
  const response = await res;
  const body = await response.text();
  return { status: response.status, headers: response.headers, body };
}

describe("personal answers are never cached", () => {
  test("a signed-in page and its .data are no-store", async () => {
    const { cookie } = await signedIn();
    for (const path of ["/devices", "/pauses"]) {
      const page = await settled(get(path, cookie));
      expect(page.status).toBe(200);
      expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
      expect(page.headers.get("Cache-Control")).toBe("no-store");

      const data = await settled(get(`${path}.data`, cookie));
      expect(data.status).toBe(200);
      expect(data.headers.get("Cache-Control")).toBe("no-store");
    }
  });

  test("the page showing a one-time enrollment code is no-store, with or without JavaScript", async () => {
    const { cookie } = await signedIn();
    const withoutJs = await settled(post("/devices", { intent: "create-code" }, cookie));
    expect(withoutJs.status).toBe(200);
    expect(withoutJs.body).toContain("Enrollment code");
    expect(withoutJs.headers.get("Cache-Control")).toBe("no-store");

    const withJs = await settled(post("/devices.data", { intent: "create-code" }, cookie));
    expect(withJs.status).toBe(200);
    expect(withJs.headers.get("Cache-Control")).toBe("no-store");
  });

  test("the set-password link page is no-store", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const person = await createUser();
    const issued = await issueSetupLink({
      actorId: admin.id,
      userId: person.id,
      linkBase: BASE,
      now: new Date(),
    });
    if (!issued.ok) throw new Error(issued.refusal.message);
    const page = await settled(get(`/set-password/${issued.value.link.token}`));
    expect(page.status).toBe(200);
    expect(page.body).toContain(person.email);
    expect(page.headers.get("Cache-Control")).toBe("no-store");

    const expired = await settled(get(`/set-password/${"x".repeat(43)}`));
    expect(expired.status).toBe(410);
    expect(expired.headers.get("Cache-Control")).toBe("no-store");
  });

  test("action answers are no-store: a form error, and a redirect through single fetch", async () => {
    const { cookie } = await signedIn();
    const refused = await settled(
      post("/pauses", { intent: "start", durationMinutes: "nope" }, cookie),
    );
    expect(refused.status).toBe(400);
    expect(refused.headers.get("Cache-Control")).toBe("no-store");

    const started = await settled(
      post("/pauses.data", { intent: "start", durationMinutes: "5" }, cookie),
    );
    expect(started.status).toBe(202);
    expect(started.body).toContain("/pauses");
    expect(started.headers.get("Cache-Control")).toBe("no-store");
  });

  test("the sign-in page and a failed sign-in are no-store", async () => {
    const page = await settled(get("/login"));
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const wrong = await settled(
      post("/login.data", { email: `nobody-${randomUUID()}@example.test`, password: "nope" }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get("Cache-Control")).toBe("no-store");
  });

  test("a route that says otherwise in its headers export keeps its own Cache-Control", async () => {
    const page = await settled(get("/cacheable"));
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("public, max-age=60");
    const data = await settled(get("/cacheable.data"));
    expect(data.headers.get("Cache-Control")).toBe("public, max-age=60");
  });
});

describe("a throttled sign-in tells the browser when to try again", () => {
  /** Wrong passwords for one account from one address until the throttle answers 429. */
  async function throttled(path: "/login" | "/login.data") {
    const user = await createUser();
    const from = remixHandler([{ id: "routes/login", path: "login", module: login }], {
      ...TEST_CONTEXT,
      clientIp: `192.0.2.${Math.floor(Math.random() * 200) + 20}`,
    });
    for (let attempt = 1; attempt <= 30; attempt++) {
      const res = await from(
        new Request(`${BASE}${path}`, {
          method: "POST",
          body: new URLSearchParams({ email: user.email, password: `wrong-${attempt}` }),
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        }),
      );
      const body = await res.text();
      if (res.status === 429) return { headers: res.headers, body };
      expect(res.status).toBe(400);
    }
    throw new Error("The sign-in throttle never answered 429.");
  }

  test.each(["/login", "/login.data"] as const)("%s answers 429 with Retry-After", async (path) => {
    const { headers } = await throttled(path);
    const retryAfter = Number(headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(headers.get("Cache-Control")).toBe("no-store");
  });
});
