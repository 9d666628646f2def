import { describe, expect, test } from "vitest";
import { SCIM } from "./protocol.ts";
import {
  accountChangesFromPatch,
  accountValuesFromBody,
  userResource,
  type ScimAccount,
} from "./user-mapping.ts";

const account: ScimAccount = {
  id: "u1",
  email: "ada@example.test",
  name: "Ada Lovelace",
  timezone: "Europe/London",
  active: true,
  externalId: "ext-1",
  manager: { id: "m1", name: "Grace" },
  groups: [],
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-02T00:00:00Z"),
};
const patch = (Operations: unknown[]) =>
  accountChangesFromPatch(account, "https://lull.test", Operations as never);

describe("SCIM User ↔ account", () => {
  test("the resource carries schemas and meta with a version that follows the content", () => {
    const resource = userResource(account, "https://lull.test");
    expect(resource).toMatchObject({
      schemas: [SCIM.user, SCIM.enterprise],
      userName: "ada@example.test",
      meta: {
        resourceType: "User",
        location: "https://lull.test/scim/v2/Users/u1",
        created: "2026-01-01T00:00:00.000Z",
      },
    });
    const renamed = userResource({ ...account, name: "Ada King" }, "https://lull.test");
    expect(renamed.meta.version).not.toBe(resource.meta.version);
    expect(userResource(account, "https://lull.test").meta.version).toBe(resource.meta.version);
  });

  test("a body's name: formatted, else given + family, else displayName, else the userName", () => {
    const name = (body: object) => {
      const values = accountValuesFromBody({ userName: "a@b.test", ...body }, "create");
      return values.ok ? values.value.name : values.refusal.code;
    };
    expect(name({ name: { formatted: "F", givenName: "G" }, displayName: "D" })).toBe("F");
    expect(name({ name: { givenName: "G", familyName: "H" }, displayName: "D" })).toBe("G H");
    expect(name({ displayName: "D" })).toBe("D");
    expect(name({})).toBe("a@b.test");
  });

  test("invalid values are refused as invalid_value; attributes Lull does not keep are dropped", () => {
    const code = (body: object) => {
      const values = accountValuesFromBody(body, "create");
      return values.ok ? "ok" : values.refusal.code;
    };
    expect(code({ userName: "nope" })).toBe("invalid_value");
    expect(code({ userName: "a@b.test", timezone: "Nowhere/Else" })).toBe("invalid_value");
    expect(code({ userName: "a@b.test", shoeSize: 44 })).toBe("invalid_value");
    expect(code({ userName: "a@b.test", title: "Boss", phoneNumbers: [] })).toBe("ok");
    expect(code({ userName: "a@b.test", active: "False" })).toBe("ok");
  });

  test("a PATCH changes exactly what it touches", () => {
    expect(patch([{ op: "Replace", path: "active", value: "False" }])).toEqual({
      ok: true,
      value: { active: false },
    });
    expect(
      patch([{ op: "replace", value: { "name.givenName": "Ada", "name.familyName": "King" } }]),
    ).toEqual({
      ok: true,
      value: { name: "Ada King" },
    });
    expect(patch([{ op: "remove", path: `${SCIM.enterprise}:manager` }])).toEqual({
      ok: true,
      value: { managerId: null },
    });
    expect(patch([{ op: "add", path: `${SCIM.enterprise}:manager`, value: "m2" }])).toEqual({
      ok: true,
      value: { managerId: "m2" },
    });
    expect(patch([{ op: "remove", path: "externalId" }])).toEqual({
      ok: true,
      value: { externalId: null },
    });
    expect(patch([{ op: "replace", path: "title", value: "Countess" }])).toEqual({
      ok: true,
      value: {},
    });
    expect(patch([{ op: "replace", path: "shoeSize", value: 1 }])).toMatchObject({
      ok: false,
      refusal: { code: "invalid_path" },
    });
    expect(patch([{ op: "replace", path: "meta", value: {} }])).toMatchObject({
      ok: false,
      refusal: { code: "mutability" },
    });
  });
});
