import { describe, expect, it } from "vitest";
import { describeIdentityEvent, describeSsoFailure } from "./identity-history.ts";

describe("the Identity page's wording of audit events", () => {
  it("names single sign-on failures in plain words, and an unknown reason as itself", () => {
    expect(describeSsoFailure('{"reason":"wrong_audience","ip":"192.0.2.1"}')).toBe(
      "The ID token was issued for another application",
    );
    expect(describeSsoFailure('{"reason":"something_new"}')).toBe("something new");
    expect(describeSsoFailure("not json")).toBe("unknown");
  });

  it("says how a change came and what a directory role change was", () => {
    expect(describeIdentityEvent("user.provision", '{"via":"scim"}')).toBe("Through SCIM");
    expect(describeIdentityEvent("user.deactivate", '{"via":"scim","revokedDevices":2}')).toBe(
      "Deactivated through SCIM; 2 devices revoked",
    );
    expect(
      describeIdentityEvent(
        "user.role_change",
        '{"from":"WORKER","to":"ADMIN","source":"directory"}',
      ),
    ).toBe("Role Worker → Admin, from directory groups");
    expect(describeIdentityEvent("directory.group", '{"group":"Admins","added":3}')).toBe(
      "Group “Admins”, 3 added",
    );
  });
});
