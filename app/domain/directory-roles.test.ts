import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "./roles.ts";
import { groupKey, groupsFromClaim, roleFromGroups } from "./directory-roles.ts";

const groupName = fc.constantFrom(
  "lull-admins",
  "Lull-Admins",
  "reviewers",
  "Privacy Office",
  "all-staff",
  " engineering ",
);
const role = fc.constantFrom<Role>(...ROLES);
const mapping = fc.record({ group: groupName, role });

describe("roleFromGroups", () => {
  it("is WORKER with no groups or no mappings", () => {
    expect(roleFromGroups([], [{ group: "admins", role: "ADMIN" }])).toBe("WORKER");
    expect(roleFromGroups(["admins"], [])).toBe("WORKER");
  });

  it("matches group names without regard to case or surrounding space", () => {
    expect(roleFromGroups(["LULL-ADMINS "], [{ group: "lull-admins", role: "ADMIN" }])).toBe(
      "ADMIN",
    );
  });

  it("is deterministic: the same groups and mappings in any order, repeated or not, give one role", () => {
    fc.assert(
      fc.property(
        fc.array(groupName, { maxLength: 6 }),
        fc.array(mapping, { maxLength: 6 }),
        fc.nat(),
        (groups, mappings, seed) => {
          const shuffle = <T>(xs: T[]) =>
            xs
              .map((x, i) => ({ x, k: (i * 7919 + seed) % 101 }))
              .sort((a, b) => a.k - b.k)
              .map(({ x }) => x);
          const role = roleFromGroups(groups, mappings);
          expect(roleFromGroups(shuffle([...groups, ...groups]), shuffle(mappings))).toBe(role);
          expect(
            roleFromGroups(
              groups.map((g) => g.toUpperCase()),
              mappings,
            ),
          ).toBe(role);
        },
      ),
    );
  });

  it("gives the highest role any of the person's mapped groups names, and WORKER otherwise", () => {
    fc.assert(
      fc.property(
        fc.array(groupName, { maxLength: 6 }),
        fc.array(mapping, { maxLength: 6 }),
        (groups, mappings) => {
          const theirs = new Set(groups.map(groupKey));
          const granted = mappings.filter((m) => theirs.has(groupKey(m.group))).map((m) => m.role);
          // Written out, lowest first, rather than read from ROLES.
          const order: Role[] = ["WORKER", "REPRESENTATIVE", "DATA_STEWARD", "REVIEWER", "ADMIN"];
          const expected: Role = order.reduce<Role>(
            (best, r) => (granted.includes(r) ? r : best),
            "WORKER",
          );
          expect(roleFromGroups(groups, mappings)).toBe(expected);
        },
      ),
    );
  });

  it("never gives less when a group is added, and losing the only admin group loses admin", () => {
    fc.assert(
      fc.property(
        fc.array(groupName, { maxLength: 5 }),
        groupName,
        fc.array(mapping, { maxLength: 6 }),
        (groups, extra, mappings) => {
          const before = ROLES.indexOf(roleFromGroups(groups, mappings));
          const after = ROLES.indexOf(roleFromGroups([...groups, extra], mappings));
          expect(after).toBeGreaterThanOrEqual(before);
          const adminGroups = new Set(
            mappings.filter((m) => m.role === "ADMIN").map((m) => groupKey(m.group)),
          );
          const withoutAdmin = groups.filter((g) => !adminGroups.has(groupKey(g)));
          expect(roleFromGroups(withoutAdmin, mappings)).not.toBe("ADMIN");
        },
      ),
    );
  });
});

describe("groupsFromClaim", () => {
  it("reads a list of names or a single name, and nothing else", () => {
    expect(groupsFromClaim(["a", "b", 3, ""])).toEqual(["a", "b"]);
    expect(groupsFromClaim("admins")).toEqual(["admins"]);
    expect(groupsFromClaim(undefined)).toEqual([]);
    expect(groupsFromClaim({ a: 1 })).toEqual([]);
  });
});
