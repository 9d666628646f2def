/**
 * Issue 19, must show: a SCIM conformance test playing the sequence a large
 * identity provider (Entra ID, Okta) sends when provisioning, through the
 * real Remix handler, checking every answer's status, schemas, meta and
 * body; bad filters and unknown attributes get SCIM errors, never a 500;
 * a request without a valid token gets 401 (ADR 0040, docs/scim.md).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SCIM } from "#app/domain/scim/protocol.ts";
import { revokeScimToken } from "#app/models/scim-token.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser } from "#test/fixtures.ts";
import { BASE, makeScimToken, scim, type Answer } from "#test/scim-client.ts";

const USERS = `${BASE}/scim/v2/Users`;
const GROUPS = `${BASE}/scim/v2/Groups`;

function expectScimJson(answer: Answer) {
  expect(answer.headers.get("Content-Type")).toBe("application/scim+json; charset=utf-8");
}

function expectError(answer: Answer, status: number, scimType?: string) {
  expect(answer.status).toBe(status);
  expectScimJson(answer);
  expect(answer.body).toMatchObject({ schemas: [SCIM.error], status: String(status) });
  expect(typeof answer.body!.detail).toBe("string");
  if (scimType) expect(answer.body!.scimType).toBe(scimType);
  else expect(answer.body).not.toHaveProperty("scimType");
}

function expectMeta(resource: Record<string, unknown>, resourceType: string, location: string) {
  const meta = resource.meta as { created: string; lastModified: string } & Record<string, string>;
  expect(meta.resourceType).toBe(resourceType);
  expect(meta.location).toBe(location);
  expect(new Date(meta.created).toISOString()).toBe(meta.created);
  expect(new Date(meta.lastModified).getTime()).toBeGreaterThanOrEqual(
    new Date(meta.created).getTime(),
  );
  expect(meta.version).toMatch(/^W\/"[\w-]+"$/);
}

const unique = () => Math.random().toString(36).slice(2, 8);

describe("an identity provider's provisioning sequence", () => {
  test("create, find by filter, PATCH attributes, group add/remove, PATCH active:false, delete", async () => {
    const { token } = await makeScimToken();
    const email = `Ada.${unique()}@Example.test`;
    const manager = await createUser({ name: "Grace Manager" });

    // Entra ID first asks whether the person exists.
    const none = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`,
    );
    expect(none.status).toBe(200);
    expectScimJson(none);
    expect(none.body).toEqual({
      schemas: [SCIM.listResponse],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    // Create.
    const created = await scim(token, "POST", "/Users", {
      schemas: [SCIM.user, SCIM.enterprise],
      externalId: "entra-0001",
      userName: email,
      active: true,
      displayName: "Ada L.",
      name: { givenName: "Ada", familyName: "Lovelace" },
      emails: [{ value: email, type: "work", primary: true }],
      title: "Analyst",
      timezone: "Europe/London",
      [SCIM.enterprise]: { manager: { value: manager.id }, department: "Engines" },
    });
    expect(created.status).toBe(201);
    expectScimJson(created);
    const user = created.body!;
    const id = user.id as string;
    expect(created.headers.get("Location")).toBe(`${USERS}/${id}`);
    expectMeta(user, "User", `${USERS}/${id}`);
    expect(user).toMatchObject({
      schemas: [SCIM.user, SCIM.enterprise],
      externalId: "entra-0001",
      userName: email.toLowerCase(),
      name: { formatted: "Ada Lovelace" },
      displayName: "Ada Lovelace",
      active: true,
      timezone: "Europe/London",
      emails: [{ value: email.toLowerCase(), type: "work", primary: true }],
      groups: [],
      [SCIM.enterprise]: { manager: { value: manager.id, displayName: "Grace Manager" } },
    });
    // What Lull does not keep is not stored (and so not returned).
    expect(user).not.toHaveProperty("title");
    const account = await prisma.user.findUniqueOrThrow({ where: { id } });
    expect(account).toMatchObject({
      email: email.toLowerCase(),
      name: "Ada Lovelace",
      managerId: manager.id,
      roleSource: "DIRECTORY",
      role: "WORKER",
    });
    const provision = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.provision", subjectUserId: id },
    });
    expect(provision.actorId).toBeNull();
    expect(JSON.parse(provision.metadata)).toMatchObject({
      via: "scim",
      token: token.slice(0, 14),
    });

    // Get by filter (userName is matched without regard to case).
    const found = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${email.toUpperCase()}"`)}`,
    );
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      schemas: [SCIM.listResponse],
      totalResults: 1,
      itemsPerPage: 1,
    });
    expect((found.body!.Resources as unknown[])[0]).toEqual(user);
    const byExternal = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent('externalId eq "entra-0001"')}`,
    );
    expect(byExternal.body).toMatchObject({ totalResults: 1 });

    // Get by id.
    const got = await scim(token, "GET", `/Users/${id}`);
    expect(got.status).toBe(200);
    expectScimJson(got);
    expect(got.body).toEqual(user);

    // PATCH attributes, Entra ID style (capitalised ops, paths).
    const patched = await scim(token, "PATCH", `/Users/${id}`, {
      schemas: [SCIM.patchOp],
      Operations: [
        { op: "Replace", path: "name.formatted", value: "Ada King" },
        { op: "Replace", path: "displayName", value: "Ada King" },
        { op: "Replace", path: "timezone", value: "America/New_York" },
        { op: "Add", path: "title", value: "Countess" },
        { op: "Remove", path: `${SCIM.enterprise}:manager` },
      ],
    });
    expect(patched.status).toBe(200);
    expectScimJson(patched);
    expectMeta(patched.body!, "User", `${USERS}/${id}`);
    expect(patched.body).toMatchObject({
      id,
      name: { formatted: "Ada King" },
      displayName: "Ada King",
      timezone: "America/New_York",
      active: true,
      [SCIM.enterprise]: {},
    });
    expect((patched.body!.meta as { version: string }).version).not.toBe(
      (user.meta as { version: string }).version,
    );
    const updates = await prisma.auditEvent.findMany({
      where: { action: "user.update", subjectUserId: id },
    });
    expect(updates.map((e) => JSON.parse(e.metadata).field).sort()).toEqual([
      "manager",
      "name",
      "timezone",
    ]);

    // Groups: create one mapped to ADMIN, add the person, then remove them.
    await prisma.groupRole.create({
      data: {
        key: "lull-reviewers-" + id,
        displayName: "Lull-Reviewers-" + id,
        role: "REVIEWER",
        createdAt: new Date(),
      },
    });
    const group = await scim(token, "POST", "/Groups", {
      schemas: [SCIM.group],
      displayName: "lull-reviewers-" + id,
      externalId: "grp-1",
      members: [],
    });
    expect(group.status).toBe(201);
    expectScimJson(group);
    const groupId = group.body!.id as string;
    expect(group.headers.get("Location")).toBe(`${GROUPS}/${groupId}`);
    expectMeta(group.body!, "Group", `${GROUPS}/${groupId}`);
    expect(group.body).toMatchObject({
      schemas: [SCIM.group],
      displayName: "lull-reviewers-" + id,
      externalId: "grp-1",
      members: [],
    });
    const byName = await scim(
      token,
      "GET",
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "lull-reviewers-${id}"`)}`,
    );
    expect(byName.body).toMatchObject({ totalResults: 1 });
    expect((byName.body!.Resources as Record<string, unknown>[])[0]).not.toHaveProperty("members");

    const added = await scim(token, "PATCH", `/Groups/${groupId}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "Add", path: "members", value: [{ value: id }] }],
    });
    expect(added.status).toBe(200);
    expectScimJson(added);
    expectMeta(added.body!, "Group", `${GROUPS}/${groupId}`);
    expect(added.body!.members).toEqual([
      { value: id, display: "Ada King", type: "User", $ref: `${USERS}/${id}` },
    ]);
    expect((await prisma.user.findUniqueOrThrow({ where: { id } })).role).toBe("REVIEWER");
    const withGroup = await scim(token, "GET", `/Users/${id}`);
    expect(withGroup.body!.groups).toEqual([
      { value: groupId, display: "lull-reviewers-" + id, $ref: `${GROUPS}/${groupId}` },
    ]);

    // Entra ID removes by value; Okta by a value filter. Both work.
    const removed = await scim(token, "PATCH", `/Groups/${groupId}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "Remove", path: "members", value: [{ value: id }] }],
    });
    expect(removed.status).toBe(200);
    expect(removed.body!.members ?? []).toEqual([]);
    expect((await prisma.user.findUniqueOrThrow({ where: { id } })).role).toBe("WORKER");
    await scim(token, "PATCH", `/Groups/${groupId}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "add", path: "members", value: [{ value: id }] }],
    });
    const okta = await scim(token, "PATCH", `/Groups/${groupId}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "remove", path: `members[value eq "${id}"]` }],
    });
    expect(okta.status).toBe(200);
    expect(okta.body!.members ?? []).toEqual([]);
    const groupEvents = await prisma.auditEvent.count({
      where: { action: "directory.group", targetId: groupId },
    });
    expect(groupEvents).toBe(5);

    // PATCH active:false (Entra ID has sent the boolean as a string).
    const off = await scim(token, "PATCH", `/Users/${id}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(off.status).toBe(200);
    expectScimJson(off);
    expectMeta(off.body!, "User", `${USERS}/${id}`);
    expect(off.body!.active).toBe(false);
    expect((await prisma.user.findUniqueOrThrow({ where: { id } })).deactivatedAt).not.toBeNull();
    await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.deactivate", subjectUserId: id },
    });
    const inactive = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent("active eq false")}`,
    );
    expect((inactive.body!.Resources as { id: string }[]).map((r) => r.id)).toContain(id);

    // Okta's no-path form brings them back.
    const on = await scim(token, "PATCH", `/Users/${id}`, {
      schemas: [SCIM.patchOp],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect(on.body!.active).toBe(true);
    await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.reactivate", subjectUserId: id },
    });

    // Delete: 204, then 404 and no longer listed.
    const deleted = await scim(token, "DELETE", `/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expectError(await scim(token, "GET", `/Users/${id}`), 404);
    const gone = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`,
    );
    expect(gone.body).toMatchObject({ totalResults: 0 });
    const row = await prisma.user.findUniqueOrThrow({ where: { id } });
    expect(row.deprovisionedAt).not.toBeNull();
    expect(row.deactivatedAt).not.toBeNull();
    await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.deprovision", subjectUserId: id },
    });
    expectError(await scim(token, "DELETE", `/Users/${id}`), 404);

    // Provisioned again: the same account comes back.
    const again = await scim(token, "POST", "/Users", { schemas: [SCIM.user], userName: email });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id, active: true });

    // The group goes too.
    expect((await scim(token, "DELETE", `/Groups/${groupId}`)).status).toBe(204);
    expectError(await scim(token, "GET", `/Groups/${groupId}`), 404);
  });

  test("PUT replaces what it names and keeps what it leaves out", async () => {
    const { token } = await makeScimToken();
    const email = `put-${unique()}@example.test`;
    const created = await scim(token, "POST", "/Users", {
      schemas: [SCIM.user],
      userName: email,
      name: { formatted: "Pat Put" },
      timezone: "Asia/Tokyo",
    });
    const id = created.body!.id as string;
    const put = await scim(token, "PUT", `/Users/${id}`, {
      schemas: [SCIM.user],
      userName: email,
      name: { givenName: "Pat", familyName: "Putnam" },
      active: true,
    });
    expect(put.status).toBe(200);
    expectScimJson(put);
    expectMeta(put.body!, "User", `${USERS}/${id}`);
    expect(put.body).toMatchObject({ name: { formatted: "Pat Putnam" }, timezone: "Asia/Tokyo" });
  });

  test("paging: startIndex is 1-based and count is capped", async () => {
    const { token } = await makeScimToken();
    const prefix = `page-${unique()}`;
    for (let i = 0; i < 3; i++) {
      await scim(token, "POST", "/Users", {
        schemas: [SCIM.user],
        userName: `${prefix}-${i}@example.test`,
      });
    }
    const filter = encodeURIComponent(`userName sw "${prefix}"`);
    const first = await scim(token, "GET", `/Users?filter=${filter}&startIndex=1&count=2`);
    expect(first.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    const second = await scim(token, "GET", `/Users?filter=${filter}&startIndex=3&count=2`);
    expect(second.body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1 });
    expect((second.body!.Resources as { userName: string }[])[0]!.userName).toBe(
      `${prefix}-2@example.test`,
    );
    const counted = await scim(token, "GET", `/Users?filter=${filter}&count=0`);
    expect(counted.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const capped = await scim(token, "GET", `/Users?count=100000`);
    expect((capped.body!.Resources as unknown[]).length).toBeLessThanOrEqual(200);
    const literal = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent('userName co "%"')}`,
    );
    expect(literal.body).toMatchObject({ totalResults: 0 });
  });

  test("discovery: ServiceProviderConfig, ResourceTypes and Schemas", async () => {
    const { token } = await makeScimToken();
    const config = await scim(token, "GET", "/ServiceProviderConfig");
    expect(config.status).toBe(200);
    expectScimJson(config);
    expect(config.body).toMatchObject({
      schemas: [SCIM.serviceProviderConfig],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      authenticationSchemes: [{ type: "oauthbearertoken" }],
    });
    const types = await scim(token, "GET", "/ResourceTypes");
    expect(types.body).toMatchObject({ schemas: [SCIM.listResponse], totalResults: 2 });
    const userType = await scim(token, "GET", "/ResourceTypes/User");
    expect(userType.body).toMatchObject({ id: "User", endpoint: "/Users", schema: SCIM.user });
    const schemas = await scim(token, "GET", "/Schemas");
    expect((schemas.body!.Resources as { id: string }[]).map((s) => s.id)).toEqual([
      SCIM.user,
      SCIM.enterprise,
      SCIM.group,
    ]);
    const userSchema = await scim(token, "GET", `/Schemas/${SCIM.user}`);
    expect(userSchema.status).toBe(200);
    expect(userSchema.body).toMatchObject({ schemas: [SCIM.schema], id: SCIM.user });
    expectError(await scim(token, "GET", "/Schemas/urn:nothing"), 404);
    expectError(await scim(token, "GET", "/Bulk"), 404);
    expectError(await scim(token, "POST", "/ServiceProviderConfig", {}), 405);
  });
});

describe("mistakes get SCIM errors, never a 500", () => {
  test.each([
    ['title eq "x"', "an attribute Lull cannot filter by"],
    ['userName gt "a"', "an operator it does not support there"],
    ["userName eq", "a broken expression"],
    ['userName xx "a"', "an unknown operator"],
    ["((((", "unbalanced parentheses"],
    ['active eq "yes"', "a value of the wrong type"],
    ['emails[type eq "work"]', "an unknown sub-attribute"],
    [`${'userName eq "a" or '.repeat(60)}userName eq "b"`, "too many terms"],
    ["x".repeat(3000), "a filter too long"],
  ])("filter %j (%s) is 400 invalidFilter", async (filter) => {
    const { token } = await makeScimToken();
    expectError(
      await scim(token, "GET", `/Users?filter=${encodeURIComponent(filter)}`),
      400,
      "invalidFilter",
    );
  });

  test("bad bodies and values", async () => {
    const { token } = await makeScimToken();
    const taken = await createUser();
    const post = (body: unknown) => scim(token, "POST", "/Users", body);
    expectError(await post("{not json"), 400, "invalidSyntax");
    expectError(
      await post({ schemas: [SCIM.user], userName: "not-an-email" }),
      400,
      "invalidValue",
    );
    expectError(await post({ schemas: [SCIM.user] }), 400, "invalidValue");
    expectError(
      await post({
        schemas: [SCIM.user],
        userName: `tz-${unique()}@example.test`,
        timezone: "Mars/Olympus",
      }),
      400,
      "invalidValue",
    );
    expectError(
      await post({
        schemas: [SCIM.user],
        userName: `x-${unique()}@example.test`,
        favouriteColour: "blue",
      }),
      400,
      "invalidValue",
    );
    expectError(
      await post({
        schemas: [SCIM.user],
        userName: `m-${unique()}@example.test`,
        [SCIM.enterprise]: { manager: { value: "nobody" } },
      }),
      400,
      "invalidValue",
    );
    expectError(await post({ schemas: [SCIM.user], userName: taken.email }), 409, "uniqueness");
    expectError(
      await scim(token, "POST", "/Users", "userName=x", { "Content-Type": "text/plain" }),
      415,
    );
    expectError(await scim(token, "GET", "/Users?startIndex=abc"), 400, "invalidValue");
    expectError(await scim(token, "GET", "/Users/no-such-id"), 404);

    const patch = (operations: unknown, schemas: unknown = [SCIM.patchOp]) =>
      scim(token, "PATCH", `/Users/${taken.id}`, { schemas, Operations: operations });
    expectError(
      await patch([{ op: "replace", path: "favouriteColour", value: "x" }]),
      400,
      "invalidPath",
    );
    expectError(await patch([{ op: "replace", path: "id", value: "x" }]), 400, "mutability");
    expectError(await patch([{ op: "jump", path: "active", value: true }]), 400, "invalidSyntax");
    expectError(
      await patch([{ op: "replace", path: "active" }], ["urn:wrong"]),
      400,
      "invalidSyntax",
    );
    expectError(await patch([]), 400, "invalidSyntax");
    expectError(
      await patch([{ op: "replace", path: "active", value: "maybe" }]),
      400,
      "invalidValue",
    );
    expectError(
      await patch([{ op: "replace", path: "userName", value: "nope" }]),
      400,
      "invalidValue",
    );
    expectError(
      await scim(token, "PATCH", `/Users/no-such-id`, {
        schemas: [SCIM.patchOp],
        Operations: [{ op: "replace", path: "active", value: false }],
      }),
      404,
    );
    expectError(
      await scim(token, "POST", "/Groups", {
        schemas: [SCIM.group],
        displayName: `g-${unique()}`,
        members: [{ value: "nobody" }],
      }),
      400,
      "invalidValue",
    );
  });

  test("a failed request changes nothing", async () => {
    const { token } = await makeScimToken();
    const person = await createUser({ name: "Still Here", timezone: "UTC" });
    const before = await prisma.auditEvent.count();
    const res = await scim(token, "PATCH", `/Users/${person.id}`, {
      schemas: [SCIM.patchOp],
      Operations: [
        { op: "replace", path: "timezone", value: "Europe/Paris" },
        { op: "replace", path: `${SCIM.enterprise}:manager`, value: { value: "nobody" } },
      ],
    });
    expectError(res, 400, "invalidValue");
    expect(await prisma.user.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({
      timezone: "UTC",
      roleSource: "CONSOLE",
    });
    expect(await prisma.auditEvent.count()).toBe(before);
  });
});

describe("hostile bodies with a valid token", () => {
  test("property: random JSON to every writing endpoint is answered below 500, in SCIM's shape", async () => {
    const { token } = await makeScimToken();
    const person = await createUser();
    const group = await scim(token, "POST", "/Groups", {
      schemas: [SCIM.group],
      displayName: `fuzz-${unique()}`,
    });
    const groupId = group.body!.id as string;
    const attribute = fc.constantFrom(
      "userName",
      "active",
      "name",
      "name.givenName",
      "timezone",
      "externalId",
      "members",
      "displayName",
      "emails",
      `${SCIM.enterprise}:manager`,
      "title",
      "id",
      "meta",
      "UsErNaMe",
      'members[value eq "x"]',
      'emails[type eq "work"].value',
      "groups",
      "",
    );
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constant(person.id),
      fc.constant([{ value: person.id }]),
    );
    const operation = fc.record(
      {
        op: fc.constantFrom("add", "remove", "replace", "Replace", "move"),
        path: attribute,
        value,
      },
      { requiredKeys: ["op"] },
    );
    const patchBody = fc.record({
      schemas: fc.constantFrom([SCIM.patchOp], [], ["x"]),
      Operations: fc.array(operation, { maxLength: 4 }),
    });
    const resourceBody = fc.dictionary(attribute, value, { maxKeys: 5 });
    const request = fc.oneof(
      fc.tuple(fc.constant("POST"), fc.constant("/Users"), fc.oneof(resourceBody, fc.jsonValue())),
      fc.tuple(fc.constant("PUT"), fc.constant(`/Users/${person.id}`), resourceBody),
      fc.tuple(fc.constant("PATCH"), fc.constant(`/Users/${person.id}`), patchBody),
      fc.tuple(fc.constant("POST"), fc.constant("/Groups"), resourceBody),
      fc.tuple(fc.constant("PATCH"), fc.constant(`/Groups/${groupId}`), patchBody),
      fc.tuple(fc.constant("PUT"), fc.constant(`/Groups/${groupId}`), resourceBody),
    );
    await fc.assert(
      fc.asyncProperty(request, async ([method, path, body]) => {
        const answer = await scim(token, method, path, body);
        expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (answer.status >= 400) expect(answer.body!.schemas).toEqual([SCIM.error]);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the token", () => {
  test("a request without a valid token gets 401 with WWW-Authenticate", async () => {
    const { id, token } = await makeScimToken();
    for (const presented of [null, "lull_scim_not-a-real-token", "somebody-elses-token"]) {
      for (const [method, path] of [
        ["GET", "/Users"],
        ["POST", "/Users"],
        ["GET", "/ServiceProviderConfig"],
        ["DELETE", "/Groups/x"],
      ] as const) {
        const answer = await scim(presented, method, path, method === "POST" ? {} : undefined);
        expectError(answer, 401);
        expect(answer.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      }
    }
    expect((await scim(token, "GET", "/Users?count=1")).status).toBe(200);
    const admin = await prisma.scimToken.findUniqueOrThrow({ where: { id } });
    await revokeScimToken({ actorId: admin.createdById, tokenId: id, now: new Date() });
    expectError(await scim(token, "GET", "/Users?count=1"), 401);
  });
});
