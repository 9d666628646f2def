import { describe, expect, test } from "vitest";
import { action as loginAction } from "#app/routes/login.tsx";
import { action as pausesAction } from "#app/routes/pauses.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { TEST_PASSWORD, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest } from "#test/route-harness.ts";

/** Targets that a browser would follow off the site if they reached a Location header as given. */
const HOSTILE_TARGETS = [
  "/.//evil.example",
  "/..//evil.example",
  "/%2e//evil.example",
  "/./\\evil.example",
  "//evil.example",
  "/\\evil.example",
  "/\t/evil.example",
  "https://evil.example/",
  "//user@evil.example",
  "javascript:alert(1)",
];

/** Where a browser on our site goes when it follows `location`. */
function expectOnSite(location: string | null, expected: string) {
  expect(location).toBe(expected);
  expect(new URL(location!, "https://lull.example").origin).toBe("https://lull.example");
}

describe("sign-in sends people back only to a page of this site", () => {
  test.each(HOSTILE_TARGETS)("redirectTo=%j lands on the home page", async (redirectTo) => {
    const user = await createUser();
    const res = await callRoute(
      loginAction,
      formRequest("/login", { email: user.email, password: TEST_PASSWORD, redirectTo }),
    );
    expect(res.status).toBe(302);
    expectOnSite(res.headers.get("Location"), "/");
  });

  test("a path of ours is kept", async () => {
    const user = await createUser();
    const res = await callRoute(
      loginAction,
      formRequest("/login", {
        email: user.email,
        password: TEST_PASSWORD,
        redirectTo: "/data/events?type=app#list",
      }),
    );
    expectOnSite(res.headers.get("Location"), "/data/events?type=app#list");
  });
});

describe("the pause forms send people back only to a page of this site", () => {
  test.each(HOSTILE_TARGETS)("returnTo=%j lands on /pauses", async (returnTo) => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.id);
    const started = await callRoute(
      pausesAction,
      formRequest("/pauses", { intent: "start", durationMinutes: "5", returnTo }, { cookie }),
    );
    expect(started.status).toBe(302);
    expectOnSite(started.headers.get("Location"), "/pauses");

    const pause = await prisma.pause.findFirstOrThrow({ where: { workerId: user.id } });
    const ended = await callRoute(
      pausesAction,
      formRequest(
        "/pauses",
        { intent: "end", pauseId: pause.id, returnTo, confirmed: `end-pause:${pause.id}` },
        { cookie },
      ),
    );
    expect(ended.status).toBe(302);
    expectOnSite(ended.headers.get("Location"), "/pauses");
  });

  test("a path of ours is kept", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.id);
    const res = await callRoute(
      pausesAction,
      formRequest("/pauses", { intent: "start", durationMinutes: "5", returnTo: "/" }, { cookie }),
    );
    expectOnSite(res.headers.get("Location"), "/");
  });
});
