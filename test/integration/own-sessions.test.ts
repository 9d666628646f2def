/**
 * A worker sees where they are signed in on their account page and can end any other
 * session, or all of them but the one they are using.
 */
import { describe, expect, test } from "vitest";
import { action as homeAction, loader as homeLoader } from "#app/routes/account._index.tsx";
import { getUser } from "#app/web/auth.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

type Home = { sessions: { key: string; current: boolean }[] };

async function signedInThrice() {
  const user = await createUser();
  const cookies = [];
  for (let i = 0; i < 3; i++) cookies.push(await sessionCookieFor(user.id));
  return { user, cookies: cookies as [string, string, string] };
}

const signedIn = async (cookie: string) => (await getUser(getRequest("/", { cookie }))) !== null;

describe("ending one's own sessions from Home", () => {
  test("Home lists every session and marks the one asking", async () => {
    const { cookies } = await signedInThrice();
    const res = await callRoute(homeLoader, getRequest("/account", { cookie: cookies[1] }));
    const { sessions } = res.data as Home;
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
  });

  test("one other session is signed out; the others and this one stay, and it is audited", async () => {
    const { user, cookies } = await signedInThrice();
    const { sessions } = (
      await callRoute(homeLoader, getRequest("/account", { cookie: cookies[0] }))
    ).data as Home;
    const other = sessions.find((s) => !s.current)!;
    const res = await callRoute(
      homeAction,
      formRequest(
        "/account",
        { intent: "end-session", session: other.key },
        { cookie: cookies[0] },
      ),
    );
    expect(res.status).toBe(302);
    const still = await Promise.all(cookies.map(signedIn));
    expect(still.filter(Boolean)).toHaveLength(2);
    expect(still[0]).toBe(true);
    const events = await prisma.auditEvent.findMany({
      where: { subjectUserId: user.id, action: "auth.sign_out" },
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.targetId).toBe(other.key);
  });

  test("'Sign out everywhere else' leaves only the session asking", async () => {
    const { cookies } = await signedInThrice();
    const res = await callRoute(
      homeAction,
      formRequest("/account", { intent: "end-other-sessions" }, { cookie: cookies[2] }),
    );
    expect(res.status).toBe(302);
    expect(await Promise.all(cookies.map(signedIn))).toEqual([false, false, true]);
  });

  test("the session asking cannot end itself here, and another person's session is a 404 that changes nothing", async () => {
    const { cookies } = await signedInThrice();
    const someoneElse = await signedInThrice();
    const mine = (await callRoute(homeLoader, getRequest("/account", { cookie: cookies[0] })))
      .data as Home;
    const theirs = (
      await callRoute(homeLoader, getRequest("/account", { cookie: someoneElse.cookies[0] }))
    ).data as Home;
    for (const key of [mine.sessions.find((s) => s.current)!.key, theirs.sessions[1]!.key]) {
      const res = await callRoute(
        homeAction,
        formRequest("/account", { intent: "end-session", session: key }, { cookie: cookies[0] }),
      );
      expect(res.status).toBe(404);
    }
    expect(await Promise.all(cookies.map(signedIn))).toEqual([true, true, true]);
    expect(await Promise.all(someoneElse.cookies.map(signedIn))).toEqual([true, true, true]);
  });

  test("a malformed session key is a 400", async () => {
    const { cookies } = await signedInThrice();
    const res = await callRoute(
      homeAction,
      formRequest(
        "/account",
        { intent: "end-session", session: "../../x" },
        { cookie: cookies[0] },
      ),
    );
    expect(res.status).toBe(400);
  });
});
