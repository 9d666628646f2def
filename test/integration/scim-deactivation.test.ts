/**
 * Issue 19, must show: SCIM deactivation runs the console's cascade (the
 * worker's open agent stream closes within 1 s, their next /state is 401,
 * their sessions end), and a person who loses the admin group through SCIM
 * loses the admin pages at their next request (ADR 0038, ADR 0040).
 */
import { describe, expect, test } from "vitest";
import { SCIM } from "#app/domain/scim/protocol.ts";
import { loader as stateLoader } from "#app/routes/api.agent.v1.state.ts";
import { getUser } from "#app/web/auth.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { enrollThroughApi, AGENT_API } from "#test/agent-enrollment.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";
import { BASE, appHandler, makeScimToken, scim } from "#test/scim-client.ts";
import { callStateStream } from "#test/state-stream-server.ts";

function agentState(token: string) {
  return callRoute(
    stateLoader,
    new Request(`${AGENT_API}/state`, { headers: { Authorization: `Bearer ${token}` } }),
  );
}

describe("SCIM deactivation", () => {
  test("PATCH active:false closes the worker's open state stream within 1 s; the next /state is 401 and sessions end", async () => {
    const { token: scimToken } = await makeScimToken();
    const { worker, token } = await enrollThroughApi();
    const cookie = await sessionCookieFor(worker.id);
    expect((await agentState(token)).status).toBe(200);

    const stream = await callStateStream(
      new Request(`${AGENT_API}/state/stream`, { headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^event: state/);

    const patched = await scim(scimToken, "PATCH", `/Users/${worker.id}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    // Measured from the PATCH's answer: the deactivation has committed by then.
    const answeredAt = Date.now();
    expect(patched.status).toBe(200);
    expect(patched.body!.active).toBe(false);

    const ended = await Promise.race([
      (async () => {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) return "closed" as const;
        }
      })(),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 1000)),
    ]);
    expect(ended).toBe("closed");
    expect(Date.now() - answeredAt).toBeLessThan(1000);

    expect((await agentState(token)).status).toBe(401);
    expect(await prisma.session.count({ where: { userId: worker.id } })).toBe(0);
    expect(await getUser(getRequest("/", { cookie }))).toBeNull();
    expect(await prisma.device.count({ where: { workerId: worker.id, revokedAt: null } })).toBe(0);
    const event = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.deactivate", subjectUserId: worker.id },
    });
    expect(event.actorId).toBeNull();
    expect(JSON.parse(event.metadata)).toMatchObject({ via: "scim", revokedDevices: 1 });
  });

  test("DELETE runs the same cascade", async () => {
    const { token: scimToken } = await makeScimToken();
    const { worker, token } = await enrollThroughApi();
    expect((await scim(scimToken, "DELETE", `/Users/${worker.id}`)).status).toBe(204);
    expect((await agentState(token)).status).toBe(401);
    expect(await prisma.session.count({ where: { userId: worker.id } })).toBe(0);
  });
});

describe("roles from directory groups", () => {
  test("a user who loses the admin group through a SCIM group PATCH gets 403 from /admin at their next request", async () => {
    const { token: scimToken } = await makeScimToken();
    const suffix = Math.random().toString(36).slice(2, 8);
    await prisma.groupRole.create({
      data: {
        key: `lull-admins-${suffix}`,
        displayName: `Lull-Admins-${suffix}`,
        role: "ADMIN",
        createdAt: new Date(),
      },
    });
    const person = await createUser({ name: "Directory Admin" });
    const group = await scim(scimToken, "POST", "/Groups", {
      schemas: [SCIM.group],
      displayName: `lull-admins-${suffix}`,
      members: [{ value: person.id }],
    });
    expect(group.status).toBe(201);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: person.id } })).role).toBe("ADMIN");

    const handle = await appHandler();
    const cookie = await sessionCookieFor(person.id);
    const adminPage = () => handle(new Request(`${BASE}/admin`, { headers: { Cookie: cookie } }));
    expect((await adminPage()).status).toBe(200);

    const removed = await scim(scimToken, "PATCH", `/Groups/${group.body!.id as string}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "remove", path: `members[value eq "${person.id}"]` }],
    });
    expect(removed.status).toBe(200);
    expect((await adminPage()).status).toBe(403);
    const change = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.role_change", subjectUserId: person.id },
      orderBy: { id: "desc" },
    });
    expect(JSON.parse(change.metadata)).toMatchObject({ from: "ADMIN", to: "WORKER", via: "scim" });
  });
});
